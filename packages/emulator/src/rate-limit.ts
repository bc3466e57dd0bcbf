export const WINDOW_MS = 60_000;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix seconds when the oldest request in the window leaves it (one more slot frees up). */
  reset: number;
  /** Whole seconds until a request would be admitted; 0 when allowed. */
  retryAfter: number;
  allowed: boolean;
}

/**
 * Sliding-window log per identity: the timestamps of admitted requests in the last 60 s. Memory is
 * bounded by `limit` entries per identity; refused requests are not logged.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(public limit: number) {}

  /** Counts a request if there is room. */
  consume(identity: string, nowMs: number): RateLimitState {
    const log = this.prune(identity, nowMs);
    if (log.length < this.limit) {
      log.push(nowMs);
      return this.describe(log, nowMs, true);
    }
    return this.describe(log, nowMs, false);
  }

  /** The state without counting a request (for answers that never reached the limiter). */
  peek(identity: string, nowMs: number): RateLimitState {
    return this.describe(this.prune(identity, nowMs), nowMs, true);
  }

  clear(): void {
    this.windows.clear();
  }

  private prune(identity: string, nowMs: number): number[] {
    let log = this.windows.get(identity);
    if (!log) {
      log = [];
      this.windows.set(identity, log);
    }
    // Drop entries that left the window, and entries "from the future" after the clock moved back.
    let start = 0;
    while (start < log.length && log[start]! <= nowMs - WINDOW_MS) start++;
    if (start > 0) log.splice(0, start);
    while (log.length > 0 && log[log.length - 1]! > nowMs) log.pop();
    return log;
  }

  private describe(log: number[], nowMs: number, allowed: boolean): RateLimitState {
    const remaining = Math.max(0, this.limit - log.length);
    // A slot frees up when the oldest logged request leaves the window.
    const oldest = log[0];
    const roomAtMs = oldest === undefined ? nowMs : oldest + WINDOW_MS;
    return {
      limit: this.limit,
      remaining,
      reset: Math.ceil(roomAtMs / 1000),
      retryAfter: allowed ? 0 : Math.max(1, Math.ceil((roomAtMs - nowMs) / 1000)),
      allowed,
    };
  }
}

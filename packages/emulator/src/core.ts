import type { Clock } from "./clock.js";
import type { ContractValidator, Violation } from "./contract.js";
import { FaultInjector } from "./faults.js";
import { IdempotencyCache } from "./idempotency.js";
import { serializeStore, type StateWriter } from "./persistence.js";
import { SlidingWindowLimiter } from "./rate-limit.js";
import { RECENT_ACTIVITY_MAX, type KeyRecord, type Store } from "./store.js";

/** One entry of `GET /_emulator/requests`. */
export interface RequestLogEntry {
  at: string;
  request_id: string;
  method: string;
  path: string;
  status: number;
  principal: string;
  mutating: boolean;
  /** `<kind>:<before|after>` (kind: 500, 503, 429, drop, invalid_json, wrong_envelope, huge_body) or `maintenance`. */
  faulted?: string;
}

export const REQUEST_LOG_MAX = 10_000;
const TOP_ENDPOINTS_MAX = 10;

/** Everything a request handler may touch. */
export class EmulatorCore {
  readonly limiter: SlidingWindowLimiter;
  readonly idempotency = new IdempotencyCache();
  readonly faults = new FaultInjector();
  readonly requestLog: RequestLogEntry[] = [];
  readonly violations: Violation[] = [];
  /** Every secret minted or declared by a seed, when recordSecrets is on (for leak scanners). */
  private readonly minted = new Set<string>();
  writer: StateWriter | undefined;

  constructor(
    public store: Store,
    readonly clock: Clock,
    readonly recordSecrets: boolean,
    readonly validator: ContractValidator | undefined,
  ) {
    this.limiter = new SlidingWindowLimiter(store.rateLimit);
  }

  /** Replaces the world (reset); per-credential windows and replays belong to the old one. */
  replaceStore(store: Store): void {
    this.store = store;
    this.limiter.limit = store.rateLimit;
    this.limiter.clear();
    this.idempotency.clear();
    this.changed();
  }

  /** Marks the state changed so the state file (if any) gets rewritten soon. */
  changed(): void {
    this.writer?.schedule();
  }

  snapshot() {
    return serializeStore(this.store, this.clock.getOffsetMs());
  }

  recordSecret(secret: string): void {
    if (this.recordSecrets) this.minted.add(secret);
  }

  mintedSecrets(): string[] {
    if (!this.recordSecrets) throw new Error("mintedSecrets() needs the emulator started with recordSecrets: true");
    return [...this.minted];
  }

  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_MAX) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_MAX);
  }

  /** Usage accounting for one request made with a valid API key. */
  recordUsage(
    key: KeyRecord,
    method: string,
    template: string,
    path: string,
    status: number,
    nowMs: number,
    userAgent: string | null = null,
  ): void {
    key.requestCount++;
    if (status < 400) key.successfulRequests++;
    key.lastUsedAt = nowMs;
    const endpoint = `${method} ${template}`;
    key.endpoints.set(endpoint, (key.endpoints.get(endpoint) ?? 0) + 1);
    key.recent.unshift({
      timestamp: nowMs,
      method,
      path,
      status,
      userAgent: userAgent === null ? null : userAgent.slice(0, 200),
    });
    if (key.recent.length > RECENT_ACTIVITY_MAX) key.recent.length = RECENT_ACTIVITY_MAX;
    this.changed();
  }
}

export function topEndpoints(key: KeyRecord): Array<{ method: string; path: string; count: number }> {
  return [...key.endpoints]
    .map(([endpoint, count]) => {
      const space = endpoint.indexOf(" ");
      return { method: endpoint.slice(0, space), path: endpoint.slice(space + 1), count };
    })
    .sort((a, b) => b.count - a.count || (a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : 1))
    .slice(0, TOP_ENDPOINTS_MAX);
}

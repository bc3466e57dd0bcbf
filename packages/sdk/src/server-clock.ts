// The server's clock, estimated from the `Date` header of the answers plus the local monotonic time
// elapsed since. Rotation decisions use it as "now", so a runner with a skewed clock is harmless.

export type MonotonicNow = () => number;

export class ServerClock {
  readonly #now: MonotonicNow;
  #lastHeader: string | undefined;
  #serverMs = 0;
  #observedAt = 0;

  constructor(now: MonotonicNow) {
    this.#now = now;
  }

  /** Learn from one answer's `Date` header. */
  observe(dateHeader: string | null): void {
    // The header has one-second resolution: the first answer showing a new second is the closest
    // to that second's start, so repeats of the same value add nothing (and cost no parse).
    if (dateHeader === null || dateHeader === this.#lastHeader) return;
    const parsed = Date.parse(dateHeader);
    if (Number.isNaN(parsed)) return;
    this.#lastHeader = dateHeader;
    this.#serverMs = parsed;
    this.#observedAt = this.#now();
  }

  /** Server time in epoch ms, or undefined before any answer carried a `Date` header. */
  nowMs(): number | undefined {
    if (this.#lastHeader === undefined) return undefined;
    return this.#serverMs + (this.#now() - this.#observedAt);
  }

  /** Server time, falling back on the local wall clock when no `Date` header was seen. */
  nowOrLocalMs(): number {
    return this.nowMs() ?? Date.now();
  }

  /** The local monotonic instant at which the server's clock reads `serverEpochMs`. */
  toMonotonic(serverEpochMs: number): number {
    return this.#now() + (serverEpochMs - this.nowOrLocalMs());
  }
}

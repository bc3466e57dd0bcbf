// Client-side pacing: hold requests while the server's rate-limit window is used up, so a burst
// waits its turn instead of running into 429s. Learns from `X-RateLimit-Remaining` and
// `X-RateLimit-Reset` (unix seconds, converted through the server's clock), counting the requests
// still in flight, whose cost the last answer could not show yet.
//
// Every request passes through `tryAcquire()`, so it only compares and counts; the queue and timers
// come into play when the window is used up.

import { parseNonNegativeInt } from "./retry-policy.js";
import type { MonotonicNow, ServerClock } from "./server-clock.js";
import type { Sleep } from "./sleep.js";

interface Waiter {
  since: number;
  signal: AbortSignal | undefined;
  resolve(heldMs: number): void;
  reject(reason: unknown): void;
  onAbort(): void;
}

// Without a Reset header, look again after this long.
const FALLBACK_WINDOW_MS = 1000;

export class Pacer {
  readonly #clock: ServerClock;
  readonly #now: MonotonicNow;
  readonly #sleep: Sleep;
  // Requests that may be sent now. Until the first answer tells the real budget, one request goes
  // alone (a probe), so even the very first burst cannot overrun a window half used by others.
  #budget = 1;
  #learned = false;
  // Monotonic ms at which the server said its window has room again.
  #reopensAt = 0;
  #inFlight = 0;
  // Bumped whenever an answer brings fresh limits, so a timer can tell its news went stale.
  #version = 0;
  readonly #queue: Waiter[] = [];
  #timer: AbortController | undefined;

  readonly #onHold: ((hold: { waitMs: number; queued: number }) => void) | undefined;

  constructor(
    clock: ServerClock,
    now: MonotonicNow,
    sleep: Sleep,
    onHold?: (hold: { waitMs: number; queued: number }) => void,
  ) {
    this.#clock = clock;
    this.#now = now;
    this.#sleep = sleep;
    this.#onHold = onHold;
  }

  /** Takes a slot when one is free and nobody is waiting. Pair every success with `settle()`. */
  tryAcquire(): boolean {
    if (this.#budget > 0 && this.#queue.length === 0) {
      this.#budget--;
      this.#inFlight++;
      return true;
    }
    return false;
  }

  /** Waits for a slot; resolves with the ms held. An abort rejects with the signal's reason. */
  acquire(signal?: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = {
        since: this.#now(),
        signal,
        resolve,
        reject,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          if (this.#queue.length === 0) this.#cancelTimer();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  /** One attempt is over; `headers` are its answer's, or undefined when no answer came. */
  settle(headers: Headers | undefined): void {
    this.#inFlight--;
    if (headers !== undefined) this.#learn(headers);
    if (this.#queue.length > 0) this.#drain();
  }

  #learn(headers: Headers): void {
    const remaining = parseNonNegativeInt(headers.get("x-ratelimit-remaining"));
    if (remaining === undefined) {
      // A server that advertises no limit has nothing to pace.
      if (!this.#learned) this.#budget = Infinity;
      return;
    }
    this.#learned = true;
    this.#budget = remaining - this.#inFlight;
    const reset = parseNonNegativeInt(headers.get("x-ratelimit-reset"));
    this.#reopensAt = reset === undefined ? this.#now() + FALLBACK_WINDOW_MS : this.#clock.toMonotonic(reset * 1000);
    this.#version++;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#budget > 0) {
      const waiter = this.#queue.shift() as Waiter;
      this.#budget--;
      this.#inFlight++;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(Math.max(0, this.#now() - waiter.since));
    }
    if (this.#queue.length > 0) this.#waitForReopening();
  }

  #waitForReopening(): void {
    if (this.#timer !== undefined) return;
    const delay = this.#reopensAt - this.#now();
    if (delay <= 0) {
      // The window has room again. Answers on their way will say how much; with none coming,
      // one probe finds out.
      if (this.#inFlight > 0) return;
      this.#budget = 1;
      this.#drain();
      return;
    }
    const timer = new AbortController();
    const version = this.#version;
    this.#timer = timer;
    // Told once per hold (not per request held): the caller's own code must not break pacing.
    try {
      this.#onHold?.({ waitMs: delay, queued: this.#queue.length });
    } catch {
      // A failing observer changes nothing here.
    }
    this.#sleep(delay, timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        // Slept until the announced reopening: probe, unless fresher limits arrived meanwhile
        // (then draining reschedules on them).
        if (this.#version === version && this.#budget <= 0) this.#budget = 1;
        this.#drain();
      },
      () => {
        // Cancelled: nobody is waiting any more.
      },
    );
  }

  #cancelTimer(): void {
    this.#timer?.abort();
    this.#timer = undefined;
  }
}

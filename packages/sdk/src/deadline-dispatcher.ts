// Bounds a request with undici's own per-request timers instead of an AbortSignal. Node's fetch
// sends through whichever dispatcher the init names; this one hands the request to the current
// global dispatcher (so a proxy or agent the program installed still applies) with
// `headersTimeout` and `bodyTimeout` set, which undici honours per request. A hung server then gets
// its connection closed on time, which a deadline alone could not do without aborting a signal.
//
// Any other fetch (a test double, a polyfill) ignores the `dispatcher` init field; the transport's
// deadline still ends the attempt on time.

// undici's documented cross-copy key: the npm package and Node's bundled copy share the global
// dispatcher through it.
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

/** The part of undici's Dispatcher that fetch calls. */
export interface DeadlineDispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

export function deadlineDispatcher(timeoutMs: number): DeadlineDispatcher {
  return {
    dispatch(options, handler) {
      const current = (globalThis as Record<symbol, DeadlineDispatcher | undefined>)[GLOBAL_DISPATCHER];
      // Unreachable with Node's fetch, which installs the global dispatcher before it dispatches.
      if (current === undefined) throw new Error("fetch dispatched without a global undici dispatcher");
      return current.dispatch({ ...options, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, handler);
    },
  };
}

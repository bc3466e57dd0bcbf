// The fetch function handed to openapi-fetch. Every request, typed or raw, goes through it:
// credential and User-Agent headers, pacing, a per-attempt deadline, the caller's signal,
// a capped body read, and retries as decided by retry-policy.ts.

import { BODY_READ_ABORTED, bufferResponse, readBodyBytes } from "./body-reader.js";
import { ConnectionError, RedirectError, TimelyError, TimeoutError } from "./errors.js";
import type { Pacer } from "./pacing.js";
import type { Redactor } from "./redact.js";
import { decideRetry, serverWaitMs, type AttemptOutcome, type RetrySettings } from "./retry-policy.js";
import type { ServerClock } from "./server-clock.js";
import type { Sleep } from "./sleep.js";

export interface Logger {
  debug(message: string): void;
}

export interface TransportStats {
  /** HTTP attempts sent. */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Total ms requests were held by pacing. */
  pacedMs: number;
}

/** What the transport knows about how an answer was obtained. */
export interface Delivery {
  /** Attempts made, the last one included. */
  attempts: number;
  /** An earlier attempt got no definite answer (connection lost, timeout, 5xx): it may have taken effect. */
  earlierOutcomeUnknown: boolean;
  /** For an error answer: the wait the server asked for, in ms. */
  serverWaitMs: number | undefined;
}

export interface TransportConfig {
  apiKey: string;
  userAgent: string;
  timeoutMs: number;
  retry: RetrySettings;
  maxResponseBytes: number;
  fetch: typeof globalThis.fetch;
  clock: ServerClock;
  pacer: Pacer | undefined;
  redactor: Redactor;
  logger: Logger | undefined;
  sleep: Sleep;
  random: () => number;
}

type AttemptResult =
  | { response: Response; failure?: undefined }
  | { response?: undefined; failure: "connection" | "timeout"; cause: unknown };

type RequestBody = NonNullable<RequestInit["body"]> | undefined;

export class Transport {
  readonly #apiKey: string;
  readonly #config: Omit<TransportConfig, "apiKey">;
  readonly #deliveries = new WeakMap<Response, Delivery>();
  // The bodies of 2xx answers fetched by `fetchKeepingBytes`, until `takeBodyBytes` claims them.
  readonly #bodies = new WeakMap<Response, Uint8Array>();
  readonly stats: TransportStats = { requests: 0, retries: 0, rateLimited: 0, pacedMs: 0 };

  constructor(config: TransportConfig) {
    const { apiKey, ...rest } = config;
    this.#apiKey = apiKey;
    this.#config = rest;
  }

  /** For openapi-fetch's `fetch` option: takes the Request it built (or one a middleware returned). */
  readonly fetch = (request: Request): Promise<Response> => this.#send(request, request.signal, false);

  /**
   * Like `fetch`, but a 2xx answer comes back as it arrived, its body already read into bytes that
   * `takeBodyBytes` hands out: for the typed methods, which parse JSON themselves (openapi-fetch's
   * `parseAs: "stream"`), so no second Response is built around the bytes only to be read again.
   */
  readonly fetchKeepingBytes = (request: Request): Promise<Response> => this.#send(request, request.signal, true);

  /**
   * `fetchKeepingBytes` for a typed call whose caller gave no signal: the signal of openapi-fetch's
   * Request then never aborts (it only follows the caller's), and is not listened to.
   */
  readonly fetchKeepingBytesUnsignalled = (request: Request): Promise<Response> => this.#send(request, undefined, true);

  /** How a non-2xx or retried answer was obtained; undefined for a first-attempt success. */
  deliveryOf(response: Response): Delivery | undefined {
    return this.#deliveries.get(response);
  }

  /** The body read for a 2xx answer of `fetchKeepingBytes` (once); undefined for any other Response. */
  takeBodyBytes(response: Response): Uint8Array | undefined {
    const bytes = this.#bodies.get(response);
    if (bytes !== undefined) this.#bodies.delete(response);
    return bytes;
  }

  async #send(request: Request, callerSignal: AbortSignal | undefined, keepBytes: boolean): Promise<Response> {
    const { method, url } = request;
    // A copy: the credential must not show up on the Request that middleware (and its logs) see.
    const headers = new Headers(request.headers);
    // A raw caller may send another credential on purpose (e.g. to verify a new key).
    if (!headers.has("x-api-key")) headers.set("x-api-key", this.#apiKey);
    if (!headers.has("user-agent")) headers.set("user-agent", this.#config.userAgent);
    // Read once, then sent as is on every attempt (a stream could not be sent twice).
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const hasIdempotencyKey = headers.has("idempotency-key");
    let earlierOutcomeUnknown = false;

    for (let retriesSoFar = 0; ; retriesSoFar++) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      const pacer = this.#config.pacer;
      if (pacer !== undefined && !pacer.tryAcquire()) await this.#waitForPacer(pacer, callerSignal);
      if (retriesSoFar > 0) this.stats.retries++;
      const result = await this.#attempt(url, method, headers, body, callerSignal, keepBytes);
      const response = result.response;

      // Never followed: the request carries the key, and the target could be another origin or http.
      if (response !== undefined && response.status >= 300 && response.status < 400) {
        throw redirectError(method, url, response);
      }
      if (response !== undefined && response.status < 400) {
        if (retriesSoFar > 0) this.#record(response, retriesSoFar, earlierOutcomeUnknown, undefined);
        if (this.#config.logger) this.#log(`${method} ${pathOf(url)} -> ${response.status}`, retriesSoFar);
        return response;
      }

      let outcome: AttemptOutcome;
      if (response !== undefined) {
        if (response.status === 429) this.stats.rateLimited++;
        const wait = serverWaitMs(response.status, response.headers, this.#config.clock.nowOrLocalMs());
        outcome = { kind: "response", status: response.status, serverWaitMs: wait };
      } else {
        outcome = { kind: result.failure };
      }
      const what = outcome.kind === "response" ? String(outcome.status) : outcome.kind;
      if (this.#config.logger) this.#log(`${method} ${pathOf(url)} -> ${what}`, retriesSoFar);

      const decision = decideRetry({
        method,
        hasIdempotencyKey,
        retriesSoFar,
        outcome,
        settings: this.#config.retry,
        random: this.#config.random(),
      });
      if (!decision.retry) {
        if (response === undefined) throw this.#failureError(result, method, url, retriesSoFar + 1);
        const wait = outcome.kind === "response" ? outcome.serverWaitMs : undefined;
        this.#record(response, retriesSoFar, earlierOutcomeUnknown, wait);
        return response;
      }
      // No answer, or a 5xx: the attempt may have taken effect on the server.
      if (outcome.kind !== "response" || outcome.status >= 500) earlierOutcomeUnknown = true;
      this.#config.logger?.debug(`retrying after ${what} in ${Math.round(decision.delayMs)}ms`);
      await this.#config.sleep(decision.delayMs, callerSignal);
    }
  }

  async #waitForPacer(pacer: Pacer, signal: AbortSignal | undefined): Promise<void> {
    const heldMs = await pacer.acquire(signal);
    this.stats.pacedMs += heldMs;
    this.#config.logger?.debug(`pacing: held a request ${Math.round(heldMs)}ms for the rate-limit window`);
  }

  async #attempt(
    url: string,
    method: string,
    headers: Headers,
    body: RequestBody,
    callerSignal: AbortSignal | undefined,
    keepBytes: boolean,
  ): Promise<AttemptResult> {
    const { pacer, timeoutMs } = this.#config;
    this.stats.requests++;
    const end = new AttemptEnd(timeoutMs, callerSignal);
    const signal = end.signal;
    let raw: Response | undefined;
    try {
      const work = (async () => {
        // "manual": a redirect is never followed with the key (answered with RedirectError, above).
        raw = await this.#config.fetch(url, { method, headers, body, signal, redirect: "manual" });
        this.#config.clock.observe(raw.headers.get("date"));
        const { maxResponseBytes } = this.#config;
        if (!keepBytes || raw.status < 200 || raw.status >= 300) return bufferResponse(raw, maxResponseBytes, signal);
        this.#bodies.set(raw, await readBodyBytes(raw, maxResponseBytes, signal));
        return raw;
      })();
      const response = await Promise.race([work, end.ended]);
      pacer?.settle(response.headers);
      return { response };
    } catch (error) {
      pacer?.settle(raw?.headers);
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (error instanceof TimelyError) throw error;
      return { failure: end.timedOut || isBodyReadAborted(error) ? "timeout" : "connection", cause: error };
    } finally {
      end.dispose();
    }
  }

  #record(response: Response, retries: number, earlierOutcomeUnknown: boolean, wait: number | undefined) {
    this.#deliveries.set(response, { attempts: retries + 1, earlierOutcomeUnknown, serverWaitMs: wait });
  }

  #failureError(
    result: { failure: "connection" | "timeout"; cause: unknown },
    method: string,
    url: string,
    attempts: number,
  ): TimelyError {
    const where = `${method} ${pathOf(url)}`;
    const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
    if (result.failure === "timeout") {
      return new TimeoutError({
        message: `${where} timed out after ${this.#config.timeoutMs}ms (${tries})`,
        code: "TIMEOUT",
      });
    }
    const detail = this.#config.redactor.redact(describeCause(result.cause));
    return new ConnectionError({
      message: `${where} failed: ${detail} (${tries})`,
      code: "CONNECTION_ERROR",
      cause: result.cause,
    });
  }

  #log(message: string, retriesSoFar: number): void {
    const attempt = retriesSoFar === 0 ? "" : ` (attempt ${retriesSoFar + 1})`;
    this.#config.logger?.debug(this.#config.redactor.redact(message + attempt));
  }
}

/**
 * What ends one attempt: its timeout, or the caller's signal aborting. `signal` (handed to fetch)
 * aborts then, which closes a hung connection too; `ended` rejects, bounding a fetch that ignores
 * signals. One controller and a listener on the caller's signal: AbortSignal.any would build and
 * track a combined signal on every attempt. A class, not closures, as this runs for every attempt.
 */
class AttemptEnd {
  readonly ended: Promise<never>;
  timedOut = false;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;
  #reject: (reason: unknown) => void = noop;

  constructor(timeoutMs: number, callerSignal: AbortSignal | undefined) {
    this.ended = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(timeOut, timeoutMs, this);
    if (callerSignal?.aborted) this.end(callerSignal.reason);
    else callerSignal?.addEventListener("abort", this, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The caller's signal aborted (this object is its listener). */
  handleEvent(): void {
    this.end(this.#callerSignal?.reason);
  }

  end(reason?: unknown): void {
    this.#controller.abort(reason);
    this.#reject(this.#controller.signal.reason);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener("abort", this);
  }
}

function timeOut(end: AttemptEnd): void {
  end.timedOut = true;
  end.end();
}

function noop(): void {}

function redirectError(method: string, url: string, response: Response): RedirectError {
  const location = response.headers.get("location") ?? undefined;
  let target = "an unstated location";
  if (location !== undefined) {
    try {
      target = new URL(location, url).origin;
    } catch {
      target = "an unreadable location";
    }
  }
  return new RedirectError({
    message:
      `${method} ${pathOf(url)} answered HTTP ${response.status}, a redirect to ${target}; ` +
      "the SDK does not follow redirects with a credential (set baseUrl to the final address)",
    status: response.status,
    code: "REDIRECT_REFUSED",
    requestId: response.headers.get("x-request-id") ?? undefined,
    location: location === undefined ? undefined : target,
  });
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}

function isBodyReadAborted(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === BODY_READ_ABORTED;
}

// undici reports "fetch failed" with the useful part (ECONNREFUSED, socket hang up) in `cause`.
function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(": ") : "connection failed";
}

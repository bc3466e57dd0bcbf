// The fetch function handed to openapi-fetch. Every request, typed or raw, goes through it:
// credential and User-Agent headers, pacing, a per-attempt deadline, the caller's signal,
// a capped body read, and retries as decided by retry-policy.ts.

import { BODY_READ_ABORTED, bufferResponse } from "./body-reader.js";
import { ConnectionError, TimelyError, TimeoutError } from "./errors.js";
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

export class Transport {
  readonly #apiKey: string;
  readonly #config: Omit<TransportConfig, "apiKey">;
  readonly #deliveries = new WeakMap<Response, Delivery>();
  readonly stats: TransportStats = { requests: 0, retries: 0, rateLimited: 0, pacedMs: 0 };

  constructor(config: TransportConfig) {
    const { apiKey, ...rest } = config;
    this.#apiKey = apiKey;
    this.#config = rest;
  }

  /** For openapi-fetch's `fetch` option: takes the Request it built (or one a middleware returned). */
  readonly fetch = (request: Request): Promise<Response> => this.#send(request);

  /** How a non-2xx or retried answer was obtained; undefined for a first-attempt success. */
  deliveryOf(response: Response): Delivery | undefined {
    return this.#deliveries.get(response);
  }

  async #send(request: Request): Promise<Response> {
    const { method, url } = request;
    const callerSignal = request.signal ?? undefined;
    // A copy: the credential must not show up on the Request that middleware (and its logs) see.
    const headers = new Headers(request.headers);
    // A raw caller may send another credential on purpose (e.g. to verify a new key).
    if (!headers.has("x-api-key")) headers.set("x-api-key", this.#apiKey);
    if (!headers.has("user-agent")) headers.set("user-agent", this.#config.userAgent);
    const body = await bodyOf(request);
    const hasIdempotencyKey = headers.has("idempotency-key");
    let earlierOutcomeUnknown = false;

    for (let retriesSoFar = 0; ; retriesSoFar++) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      const pacer = this.#config.pacer;
      if (pacer !== undefined && !pacer.tryAcquire()) await this.#waitForPacer(pacer, callerSignal);
      if (retriesSoFar > 0) this.stats.retries++;
      const result = await this.#attempt(url, { method, headers, body }, callerSignal);
      const response = result.response;

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
    init: { method: string; headers: Headers; body: NonNullable<RequestInit["body"]> | undefined },
    callerSignal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const { clock, pacer, timeoutMs } = this.#config;
    this.stats.requests++;
    // One signal ends the attempt: the caller's abort or this attempt's timeout. Passed to fetch,
    // it closes a hung connection too; the race below also bounds a fetch that ignores signals.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([callerSignal, timeout.signal]);
    let raw: Response | undefined;
    try {
      const work = (async () => {
        raw = await this.#config.fetch(url, { ...init, signal, redirect: "follow" });
        clock.observe(raw.headers.get("date"));
        return bufferResponse(raw, this.#config.maxResponseBytes, signal);
      })();
      const response = await Promise.race([work, abortedBy(signal)]);
      pacer?.settle(response.headers);
      return { response };
    } catch (error) {
      pacer?.settle(raw?.headers);
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (error instanceof TimelyError) throw error;
      const timedOut = timeout.signal.aborted || isBodyReadAborted(error);
      return { failure: timedOut ? "timeout" : "connection", cause: error };
    } finally {
      clearTimeout(timer);
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

// Read once, then sent as is on every attempt (a stream could not be sent twice).
async function bodyOf(request: Request): Promise<ArrayBuffer | undefined> {
  return request.body === null ? undefined : request.arrayBuffer();
}

// Rejects when the signal aborts; the attempt's own work may still be settling and is left behind.
function abortedBy(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
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

// Whether and when to try a request again. Pure: no clock, no I/O, randomness passed in, so every
// branch is unit-testable. The transport applies the decisions.

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff before retry n (from 0) is random() * min(maxDelayMs, baseDelayMs * 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server-requested wait (Retry-After, X-RateLimit-Reset) longer than this is not waited out. */
  maxServerWaitMs: number;
}

/**
 * The client's defaults (TimelyClientOptions can change them): 3 retries, 0.5 s base, 20 s cap, 60 s longest server
 * wait.
 */
export const DEFAULT_RETRY_SETTINGS: Readonly<RetrySettings> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxServerWaitMs: 60_000,
});

/** How one attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  | { kind: "response"; status: number; serverWaitMs: number | undefined }
  | { kind: "connection" }
  | { kind: "timeout" };

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

const NO_RETRY: RetryDecision = { retry: false };

/** GET, HEAD, OPTIONS, PUT, PATCH and DELETE may be repeated; a POST only with an Idempotency-Key. */
export function isRepeatable(method: string, hasIdempotencyKey: boolean): boolean {
  return method !== "POST" || hasIdempotencyKey;
}

/** Statuses worth another attempt: rate limited, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Full jitter: a uniform delay between 0 and the capped exponential. */
export function backoffDelay(retriesSoFar: number, settings: RetrySettings, random: number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retriesSoFar);
  return Math.floor(random * ceiling);
}

export function decideRetry(input: {
  method: string;
  hasIdempotencyKey: boolean;
  /** Retries already made (0 after the first attempt). */
  retriesSoFar: number;
  outcome: AttemptOutcome;
  settings: RetrySettings;
  /** A number in [0, 1). */
  random: number;
}): RetryDecision {
  const { outcome, settings } = input;
  if (input.retriesSoFar >= settings.maxRetries) return NO_RETRY;
  if (!isRepeatable(input.method, input.hasIdempotencyKey)) return NO_RETRY;
  if (outcome.kind === "response" && !isRetryableStatus(outcome.status)) return NO_RETRY;

  const jittered = backoffDelay(input.retriesSoFar, settings, input.random);
  const serverWait = outcome.kind === "response" ? outcome.serverWaitMs : undefined;
  if (serverWait === undefined) return { retry: true, delayMs: jittered };
  // Waiting out a very long server-requested pause inside one call helps nobody: give up and let
  // the caller see retryAfter.
  if (serverWait > settings.maxServerWaitMs) return NO_RETRY;
  return { retry: true, delayMs: Math.max(serverWait, jittered) };
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` (seconds or an HTTP date), or, on a
 * 429 without it, until `X-RateLimit-Reset` (unix seconds). `serverNowMs` is the server's clock
 * (its `Date` header) so that a skewed local clock does not matter.
 */
export function serverWaitMs(status: number, headers: Headers, serverNowMs: number): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const parsed = parseRetryAfter(retryAfter, serverNowMs);
    if (parsed !== undefined) return parsed;
  }
  if (status !== 429) return undefined;
  const reset = parseNonNegativeInt(headers.get("x-ratelimit-reset"));
  if (reset === undefined) return undefined;
  return Math.max(0, reset * 1000 - serverNowMs);
}

function parseRetryAfter(value: string, serverNowMs: number): number | undefined {
  const seconds = parseNonNegativeInt(value);
  if (seconds !== undefined) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - serverNowMs);
}

export function parseNonNegativeInt(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,15}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

// The one HTTP path of the Vault, GitHub and 1Password sinks. Retries follow the SDK's policy
// (`decideRetry`: 429, 5xx and no answer, Retry-After honoured, POST only when marked repeatable),
// bodies go through the SDK's capped reader, and a redirect is never followed.
import {
  decideRetry,
  InvalidResponseError,
  isSecureOrigin,
  readCappedBody,
  serverWaitMs,
  type AttemptOutcome,
} from "@timely-keys/sdk";
import { SinkFailure } from "./failure.js";
import { deliveryRetry, formatDelay } from "./retry.js";
import type { DeliveryContext } from "./sink.js";

/** One request to a secret store. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH";
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** True when this request writes the secret: a lost answer then means it may have arrived. */
  writesSecret?: boolean;
  /**
   * A POST that does no harm when it arrives twice (a login, a check-and-set write): the retry
   * policy may repeat it as it would a POST with an Idempotency-Key. Other methods are repeatable.
   */
  repeatable?: boolean;
  /** What the request does, for messages: "read the public key". */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON, or undefined when empty. */
  body: unknown;
}

/** A store that hangs must not hang the run: each attempt ends after this long. */
const ATTEMPT_TIMEOUT_MS = 30_000;

type Attempt = { response: Response } | { outcome: AttemptOutcome; problem: string };

/**
 * Sends a request, trying again per the SDK's retry policy, and returns the last status that came
 * back, for the sink to judge. Throws a SinkFailure for an insecure origin, a redirect, a body over
 * the cap, a cancelled run, or no answer after the policy's attempts; none of them is retryable
 * again (the policy's attempts are spent).
 */
export async function sendRequest(ctx: DeliveryContext, request: HttpRequest): Promise<HttpResponse> {
  // The request carries the store's credential: never to a plain-http origin off loopback.
  if (!isSecureOrigin(request.url)) {
    throw new SinkFailure(
      `${request.what}: ${origin(request.url)} is not https (plain http only on loopback); nothing was sent`,
    );
  }
  const retry = deliveryRetry(ctx);
  for (let retriesSoFar = 0; ; retriesSoFar += 1) {
    const attempt = await attemptOnce(ctx, request);
    const decision = decideRetry({
      method: request.method,
      hasIdempotencyKey: request.repeatable === true,
      retriesSoFar,
      outcome: "outcome" in attempt ? attempt.outcome : responseOutcome(attempt.response),
      settings: retry.settings,
      random: retry.random(),
    });
    if (!decision.retry) {
      if ("response" in attempt) return answerOf(attempt.response, request);
      const tries = retriesSoFar === 0 ? "" : ` after ${retriesSoFar + 1} attempts`;
      throw new SinkFailure(`${request.what}: ${attempt.problem}${tries}`, {
        maybeDelivered: request.writesSecret === true,
      });
    }
    // Dropped without waiting for the stream to close: the next attempt does not depend on it.
    if ("response" in attempt) void attempt.response.body?.cancel().catch(() => undefined);
    // The status or the kind of failure only: an error's own text stays out of progress lines.
    const why = "response" in attempt ? `HTTP ${attempt.response.status}` : `no answer (${attempt.outcome.kind})`;
    ctx.log?.(
      `${request.what}: ${why}; trying again in ${formatDelay(decision.delayMs)} ` +
        `(retry ${retriesSoFar + 1} of ${retry.settings.maxRetries})`,
    );
    try {
      await retry.sleep(decision.delayMs, ctx.signal);
    } catch {
      // The SDK's sleep rejects when the run is cancelled.
    }
    if (ctx.signal?.aborted) throw cancelled(request);
  }
}

/** One fetch; a 3xx is refused here, since following it would carry the credential elsewhere. */
async function attemptOnce(ctx: DeliveryContext, request: HttpRequest): Promise<Attempt> {
  const doFetch = ctx.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers["Content-Type"] ??= "application/json";
  }
  let response: Response;
  try {
    response = await doFetch(request.url, { method: request.method, headers, body, signal, redirect: "manual" });
  } catch (error) {
    if (ctx.signal?.aborted) throw cancelled(request);
    if (timeout.aborted)
      return { outcome: { kind: "timeout" }, problem: `no answer within ${ATTEMPT_TIMEOUT_MS / 1000}s` };
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { outcome: { kind: "connection" }, problem: `no answer from ${origin(request.url)} (${cause})` };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    const target =
      location === null
        ? "an unstated location"
        : origin(URL.canParse(location, request.url) ? new URL(location, request.url).href : "");
    throw new SinkFailure(
      `${request.what}: HTTP ${response.status}, a redirect to ${target}; redirects are not followed with a ` +
        "credential (configure the final address)",
    );
  }
  return { response };
}

function cancelled(request: HttpRequest): SinkFailure {
  return new SinkFailure(`${request.what}: cancelled`, { maybeDelivered: request.writesSecret === true });
}

/**
 * GitHub answers a rate limit with 403 (or 429) and Retry-After or X-RateLimit-Remaining: 0;
 * any other 403 is a permission problem that no retry mends.
 */
export function isRateLimited(response: { status: number; headers: Headers }): boolean {
  return (
    (response.status === 403 || response.status === 429) &&
    (response.headers.has("retry-after") || response.headers.get("x-ratelimit-remaining") === "0")
  );
}

/** What the retry policy judges: a rate-limiting 403 counts as the 429 it means. */
function responseOutcome(response: Response): AttemptOutcome {
  const status = isRateLimited(response) ? 429 : response.status;
  return { kind: "response", status, serverWaitMs: serverWaitMs(status, response.headers, Date.now()) };
}

/** Through the SDK's capped reader: a store's answers are small, a hostile one could be endless. */
async function answerOf(response: Response, request: HttpRequest): Promise<HttpResponse> {
  let text: string;
  try {
    text = (await readCappedBody(response)).text;
  } catch (error) {
    if (error instanceof InvalidResponseError) {
      throw new SinkFailure(`${request.what}: ${error.message}`, { maybeDelivered: request.writesSecret === true });
    }
    throw error;
  }
  return { status: response.status, headers: response.headers, body: parseBody(text) };
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the service";
  }
}

/**
 * The failure for a non-success answer. `detail` is the service's own error text (masked later);
 * `hint` says what to check. Server-side trouble after a write may have stored the secret. Not
 * retryable: sendRequest already spent the retry policy's attempts on it.
 */
export function statusFailure(
  request: HttpRequest,
  response: HttpResponse,
  detail: string | undefined,
  hint?: string,
): SinkFailure {
  const parts = [`${request.what}: HTTP ${response.status}`];
  if (detail) parts.push(`(${truncate(detail, 300)})`);
  if (hint) parts.push(`- ${hint}`);
  return new SinkFailure(parts.join(" "), {
    maybeDelivered: request.writesSecret === true && response.status >= 500,
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** Percent-encodes each segment of a slash-separated path (Vault paths, GitHub names). */
export function encodePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/");
}

/** A base URL without its trailing slashes, so `${base}/v1/...` is never `//v1`. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, "");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import { InvalidResponseError, isSecureOrigin, readCappedBody } from "@timely-keys/sdk";
import { SinkFailure } from "./failure.js";
import type { DeliveryContext } from "./sink.js";

/** One request to a secret store. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH";
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** True when this request writes the secret: a lost answer then means it may have arrived. */
  writesSecret?: boolean;
  /** What the request does, for messages: "read the public key". */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON, or undefined when empty. */
  body: unknown;
}

/** A store that hangs must not hang the run; deliverAll retries a timeout. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends a request and returns whatever status came back; only a request that got no answer at all
 * throws (retryable: the network or the service may recover).
 */
export async function sendRequest(ctx: DeliveryContext, request: HttpRequest): Promise<HttpResponse> {
  // The request carries the store's credential: never to a plain-http origin off loopback.
  if (!isSecureOrigin(request.url)) {
    throw new SinkFailure(
      `${request.what}: ${origin(request.url)} is not https (plain http only on loopback); nothing was sent`,
      {
        retryable: false,
      },
    );
  }
  const doFetch = ctx.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers["Content-Type"] ??= "application/json";
  }
  let response: Response;
  try {
    // A redirect is never followed: it would carry the credential to wherever the answer points.
    response = await doFetch(request.url, { method: request.method, headers, body, signal, redirect: "manual" });
  } catch (error) {
    const cancelled = ctx.signal?.aborted === true;
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new SinkFailure(
      cancelled ? `${request.what}: cancelled` : `${request.what}: no answer from ${origin(request.url)} (${cause})`,
      { retryable: !cancelled, maybeDelivered: request.writesSecret === true },
    );
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    const target =
      location === null
        ? "an unstated location"
        : origin(URL.canParse(location, request.url) ? new URL(location, request.url).href : "");
    throw new SinkFailure(
      `${request.what}: HTTP ${response.status}, a redirect to ${target}; redirects are not followed with a credential ` +
        "(configure the final address)",
      { retryable: false, maybeDelivered: false },
    );
  }
  return { status: response.status, headers: response.headers, body: await readBody(response, request) };
}

/** Through the SDK's capped reader: a store's answers are small, a hostile one could be endless. */
async function readBody(response: Response, request: HttpRequest): Promise<unknown> {
  let text: string;
  try {
    text = (await readCappedBody(response)).text;
  } catch (error) {
    if (error instanceof InvalidResponseError) {
      throw new SinkFailure(`${request.what}: ${error.message}`, {
        retryable: false,
        maybeDelivered: request.writesSecret === true,
      });
    }
    throw error;
  }
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

/** Retry-After as seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: () => number = Date.now): number | undefined {
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** 429 and 5xx are the service's passing trouble; other failures need a person to act. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The failure for a non-success answer. `detail` is the service's own error text (masked later);
 * `hint` says what to check. Server-side trouble after a write may have stored the secret.
 */
export function statusFailure(
  request: HttpRequest,
  response: HttpResponse,
  detail: string | undefined,
  hint?: string,
): SinkFailure {
  const retryable = isRetryableStatus(response.status);
  const parts = [`${request.what}: HTTP ${response.status}`];
  if (detail) parts.push(`(${truncate(detail, 300)})`);
  if (hint) parts.push(`- ${hint}`);
  return new SinkFailure(parts.join(" "), {
    retryable,
    retryAfterMs: retryable ? retryAfterMs(response.headers) : undefined,
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

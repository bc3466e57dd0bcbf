// The client's options, their defaults, and their validation at construction.

import packageJson from "../package.json" with { type: "json" };
import { TimelyError, ValidationError } from "./errors.js";
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from "./retry-policy.js";
import type { MonotonicNow } from "./server-clock.js";
import type { Sleep } from "./sleep.js";
import type { Logger } from "./transport.js";

export const DEFAULT_BASE_URL = "https://api.timelyai.com.br";

export interface TimelyClientOptions {
  /** The credential sent as `x-api-key` (an API key or a management token). Default: `TIMELY_API_KEY`. */
  apiKey?: string;
  /** Default `https://api.timelyai.com.br`; a trailing slash is fine. */
  baseUrl?: string;
  /** Per attempt, in ms (default 30000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** The fetch used underneath (default `globalThis.fetch`). */
  fetch?: typeof globalThis.fetch;
  retry?: {
    /** Base of the exponential backoff, in ms (default 500). */
    baseDelayMs?: number;
    /** Cap of the exponential backoff, in ms (default 20000). */
    maxDelayMs?: number;
    /**
     * Longest server-requested wait (Retry-After, X-RateLimit-Reset) worth waiting out inside one
     * call, in ms (default 60000, the API's window). A longer one is not retried: the error's
     * `retryAfter` tells the caller.
     */
    maxRetryAfterMs?: number;
  };
  /** Hold requests while the rate-limit window is used up (default true). */
  pacing?: boolean;
  /**
   * Called when pacing starts holding requests until the rate-limit window reopens, with how long
   * that will be (ms) and how many requests wait: e.g. to tell a user why nothing moves.
   */
  onPacingHold?: (hold: { waitMs: number; queued: number }) => void;
  /** Prepended to the SDK's own User-Agent. */
  userAgent?: string;
  /** Receives one line per attempt, retry and pacing pause; never a credential. */
  logger?: Logger;
}

/** Test seams: replace time and randomness so backoff and pacing run without waiting. */
export interface TimelyClientHooks {
  sleep?: Sleep;
  /** Returns a number in [0, 1). */
  random?: () => number;
  /** Monotonic milliseconds. */
  now?: MonotonicNow;
  /** Largest accepted answer body (default 8 MiB). */
  maxResponseBytes?: number;
}

export interface ResolvedOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  retry: RetrySettings;
  fetch: typeof globalThis.fetch;
  pacing: boolean;
  onPacingHold: ((hold: { waitMs: number; queued: number }) => void) | undefined;
  userAgent: string;
  logger: Logger | undefined;
}

export const SDK_USER_AGENT = `timely-keys-sdk/${packageJson.version} node/${process.versions.node}`;

function badOption(field: string, message: string): ValidationError {
  return new ValidationError({ message, code: "INVALID_OPTION", field });
}

function nonNegativeInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw badOption(field, `${field} must be a non-negative integer`);
  return value;
}

function positiveNumber(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw badOption(field, `${field} must be a positive number of milliseconds`);
  }
  return value;
}

/** Timers hold at most 2^31 - 1 ms; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

function timeoutMs(value: number | undefined): number {
  const ms = positiveNumber("timeoutMs", value, 30_000);
  if (ms > MAX_TIMEOUT_MS)
    throw badOption("timeoutMs", `timeoutMs must be at most ${MAX_TIMEOUT_MS} (about 24.8 days)`);
  return ms;
}

function resolveApiKey(given: string | undefined): string {
  const apiKey = (given ?? process.env.TIMELY_API_KEY ?? "").trim();
  if (apiKey === "") {
    throw new TimelyError({
      message: "No API key: pass { apiKey } to new TimelyClient() or set TIMELY_API_KEY",
      code: "MISSING_API_KEY",
    });
  }
  // Header values cannot hold control characters; say so without echoing the value.
  if (/[\0-\x1f\x7f]/.test(apiKey)) throw badOption("apiKey", "apiKey contains control characters");
  return apiKey;
}

function resolveBaseUrl(given: string | undefined): string {
  const baseUrl = (given ?? DEFAULT_BASE_URL).trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw badOption("baseUrl", `baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw badOption("baseUrl", "baseUrl must be an http(s) URL");
  }
  // The key travels in a header: plain http only where it cannot leave the machine.
  if (!isSecureOrigin(url)) {
    throw badOption("baseUrl", `baseUrl must use https (plain http only on loopback): ${url.origin}`);
  }
  if (url.search !== "" || url.hash !== "") throw badOption("baseUrl", "baseUrl must not have a query or fragment");
  return baseUrl;
}

export function resolveOptions(options: TimelyClientOptions): ResolvedOptions {
  const retry = options.retry ?? {};
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw badOption("fetch", "fetch must be a function");
  }
  // Looked up at call time, so that a fetch patched later (msw, nock, undici's MockAgent) applies.
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const userAgent = options.userAgent?.trim();
  return {
    apiKey: resolveApiKey(options.apiKey),
    baseUrl: resolveBaseUrl(options.baseUrl),
    timeoutMs: timeoutMs(options.timeoutMs),
    retry: {
      maxRetries: nonNegativeInteger("maxRetries", options.maxRetries, DEFAULT_RETRY_SETTINGS.maxRetries),
      baseDelayMs: positiveNumber("retry.baseDelayMs", retry.baseDelayMs, DEFAULT_RETRY_SETTINGS.baseDelayMs),
      maxDelayMs: positiveNumber("retry.maxDelayMs", retry.maxDelayMs, DEFAULT_RETRY_SETTINGS.maxDelayMs),
      maxServerWaitMs: positiveNumber(
        "retry.maxRetryAfterMs",
        retry.maxRetryAfterMs,
        DEFAULT_RETRY_SETTINGS.maxServerWaitMs,
      ),
    },
    fetch: fetchImpl,
    pacing: options.pacing ?? true,
    onPacingHold: functionOrUndefined("onPacingHold", options.onPacingHold),
    userAgent: userAgent ? `${userAgent} ${SDK_USER_AGENT}` : SDK_USER_AGENT,
    logger: options.logger,
  };
}

function functionOrUndefined<F>(field: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== "function") throw badOption(field, `${field} must be a function`);
  return value;
}

/** Loopback names and addresses: plain http to them never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** https, or http to a loopback address: the only origins a credential may be sent to. */
export function isSecureOrigin(url: URL | string): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.protocol === "https:") return true;
  return parsed.protocol === "http:" && isLoopbackHost(parsed.hostname);
}

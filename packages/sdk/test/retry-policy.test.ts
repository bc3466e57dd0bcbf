import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  decideRetry,
  isRepeatable,
  isRetryableStatus,
  serverWaitMs,
  type AttemptOutcome,
  type RetrySettings,
} from "../src/retry-policy.js";

const settings: RetrySettings = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 20_000, maxServerWaitMs: 60_000 };

function decide(outcome: AttemptOutcome, over: Partial<Parameters<typeof decideRetry>[0]> = {}) {
  return decideRetry({
    method: "GET",
    hasIdempotencyKey: false,
    retriesSoFar: 0,
    outcome,
    settings,
    random: 0.5,
    ...over,
  });
}

describe("isRepeatable", () => {
  it("repeats GET, PATCH, DELETE, and POST only with an Idempotency-Key", () => {
    expect(isRepeatable("GET", false)).toBe(true);
    expect(isRepeatable("PATCH", false)).toBe(true);
    expect(isRepeatable("DELETE", false)).toBe(true);
    expect(isRepeatable("POST", false)).toBe(false);
    expect(isRepeatable("POST", true)).toBe(true);
  });
});

describe("isRetryableStatus", () => {
  it("retries 429 and 5xx only", () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("is full jitter over a capped exponential", () => {
    expect(backoffDelay(0, settings, 0.5)).toBe(250);
    expect(backoffDelay(3, settings, 0.5)).toBe(2000);
    expect(backoffDelay(3, settings, 0)).toBe(0);
    // 500 * 2^10 is far past the cap.
    expect(backoffDelay(10, settings, 0.999)).toBe(19_980);
  });
});

describe("decideRetry", () => {
  it("retries 5xx, connection errors and timeouts with jittered backoff", () => {
    expect(decide({ kind: "response", status: 503, serverWaitMs: undefined })).toEqual({ retry: true, delayMs: 250 });
    expect(decide({ kind: "connection" }, { retriesSoFar: 1 })).toEqual({ retry: true, delayMs: 500 });
    expect(decide({ kind: "timeout" }, { retriesSoFar: 2 })).toEqual({ retry: true, delayMs: 1000 });
  });

  it("waits at least what the server asked for", () => {
    expect(decide({ kind: "response", status: 429, serverWaitMs: 3000 })).toEqual({ retry: true, delayMs: 3000 });
    // A jitter longer than the server's wait is kept.
    expect(decide({ kind: "response", status: 429, serverWaitMs: 100 }, { random: 0.9 })).toEqual({
      retry: true,
      delayMs: 450,
    });
  });

  it("gives up on a server wait longer than maxServerWaitMs", () => {
    expect(decide({ kind: "response", status: 429, serverWaitMs: 61_000 })).toEqual({ retry: false });
  });

  it("does not retry client errors", () => {
    for (const status of [400, 401, 403, 404, 409]) {
      expect(decide({ kind: "response", status, serverWaitMs: undefined })).toEqual({ retry: false });
    }
  });

  it("stops after maxRetries", () => {
    expect(decide({ kind: "connection" }, { retriesSoFar: 3 })).toEqual({ retry: false });
    expect(decide({ kind: "connection" }, { retriesSoFar: 0, settings: { ...settings, maxRetries: 0 } })).toEqual({
      retry: false,
    });
  });

  it("retries a POST only when it carries an Idempotency-Key", () => {
    const outcome: AttemptOutcome = { kind: "response", status: 500, serverWaitMs: undefined };
    expect(decide(outcome, { method: "POST" })).toEqual({ retry: false });
    expect(decide({ kind: "connection" }, { method: "POST" })).toEqual({ retry: false });
    expect(decide(outcome, { method: "POST", hasIdempotencyKey: true })).toEqual({ retry: true, delayMs: 250 });
  });
});

describe("serverWaitMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");

  it("reads Retry-After in seconds", () => {
    expect(serverWaitMs(429, new Headers({ "Retry-After": "7" }), now)).toBe(7000);
  });

  it("reads Retry-After as an HTTP date, against the server's clock", () => {
    const at = new Date(now + 4000).toUTCString();
    expect(serverWaitMs(503, new Headers({ "Retry-After": at }), now)).toBe(4000);
  });

  it("falls back on X-RateLimit-Reset for a 429", () => {
    const reset = String(now / 1000 + 12);
    expect(serverWaitMs(429, new Headers({ "X-RateLimit-Reset": reset }), now)).toBe(12_000);
    // Not for other statuses: a reset on a 500 says nothing about when to retry.
    expect(serverWaitMs(500, new Headers({ "X-RateLimit-Reset": reset }), now)).toBeUndefined();
  });

  it("never returns a negative wait and ignores garbage", () => {
    expect(serverWaitMs(429, new Headers({ "X-RateLimit-Reset": String(now / 1000 - 5) }), now)).toBe(0);
    expect(serverWaitMs(429, new Headers({ "Retry-After": "soon" }), now)).toBeUndefined();
    expect(serverWaitMs(429, new Headers(), now)).toBeUndefined();
  });
});

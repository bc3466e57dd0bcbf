import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { ConnectionError, RateLimitError, ServerError, TimeoutError, type Health } from "../src/index.js";
import { API_KEY, BASE, errorBody, makeClient, rateHeaders, useMswServer } from "./helpers.js";

const server = useMswServer();

const health: Health = { status: "ok", version: "1.0.0", timestamp: "2026-03-01T12:00:00.000Z" };
const me = {
  principal: "member",
  company_id: "22222222-2222-4222-8222-222222222222",
  workspace_id: "11111111-1111-4111-8111-111111111111",
  key_id: null,
  key_name: "Ana",
  scopes: [],
  permissions: ["api_keys:manage"],
  role: "owner",
};

/** Answers from a script, one per request, the last one repeating; counts requests. */
function scripted(method: "get" | "post", path: string, answers: Array<() => Response | Promise<Response>>) {
  const seen: Request[] = [];
  server.use(
    http[method](`${BASE}${path}`, ({ request }) => {
      seen.push(request.clone());
      const answer = answers[Math.min(seen.length, answers.length) - 1] as () => Response;
      return answer();
    }),
  );
  return seen;
}

const ok = () => HttpResponse.json({ data: me });

describe("retries", () => {
  it("absorbs a 429 with Retry-After, waiting at least that long", async () => {
    const seen = scripted("get", "/v1/me", [
      () =>
        HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "slow down"), {
          status: 429,
          headers: { "Retry-After": "3" },
        }),
      ok,
    ]);
    const { client, time } = makeClient({ pacing: false });
    await expect(client.me()).resolves.toEqual(me);
    expect(seen).toHaveLength(2);
    expect(time.sleeps).toEqual([3000]);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it("absorbs a 429 with only X-RateLimit-Reset, waiting until the reset on the server's clock", async () => {
    const serverNow = new Date("2026-03-01T12:00:00Z");
    const reset = serverNow.getTime() / 1000 + 9;
    const seen = scripted("get", "/v1/me", [
      () =>
        HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "slow down"), {
          status: 429,
          headers: rateHeaders(0, reset, serverNow),
        }),
      ok,
    ]);
    const { client, time } = makeClient({ pacing: false });
    await expect(client.me()).resolves.toEqual(me);
    expect(seen).toHaveLength(2);
    expect(time.sleeps).toEqual([9000]);
  });

  it("retries a 5xx, then succeeds", async () => {
    const seen = scripted("get", "/v1/me", [
      () => HttpResponse.json(errorBody(500, "INTERNAL_ERROR", "boom"), { status: 500 }),
      () => HttpResponse.json(errorBody(503, "SERVICE_UNAVAILABLE", "later"), { status: 503 }),
      ok,
    ]);
    const { client, time } = makeClient({ pacing: false });
    await expect(client.me()).resolves.toEqual(me);
    expect(seen).toHaveLength(3);
    // random() is 0.5: half of 500ms, then half of 1000ms.
    expect(time.sleeps).toEqual([250, 500]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, rateLimited: 0 });
  });

  it("retries a connection error, then succeeds", async () => {
    const seen = scripted("get", "/v1/me", [() => HttpResponse.error(), ok]);
    const { client } = makeClient({ pacing: false });
    await expect(client.me()).resolves.toEqual(me);
    expect(seen).toHaveLength(2);
  });

  it("throws a typed error carrying status, code, requestId and retryAfter once retries are used up", async () => {
    const seen = scripted("get", "/v1/me", [
      () =>
        HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "Too many requests"), {
          status: 429,
          headers: { "Retry-After": "2", "X-Request-Id": "req-429" },
        }),
    ]);
    const { client, time } = makeClient({ pacing: false, maxRetries: 2 });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      code: "RATE_LIMIT_EXCEEDED",
      message: "Too many requests",
      requestId: "req-429",
      retryAfter: 2,
    });
    expect(seen).toHaveLength(3);
    expect(time.sleeps).toEqual([2000, 2000]);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, rateLimited: 3 });
  });

  it("throws ServerError after 5xx on every attempt", async () => {
    const seen = scripted("get", "/v1/me", [
      () =>
        HttpResponse.json(errorBody(502, "INTERNAL_ERROR", "bad gateway", { request_id: "req-body" }), { status: 502 }),
    ]);
    const { client } = makeClient({ pacing: false, maxRetries: 3 });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: "INTERNAL_ERROR", requestId: "req-body", retryAfter: undefined });
    expect(seen).toHaveLength(4);
  });

  it("throws ConnectionError when the connection fails on every attempt", async () => {
    const seen = scripted("get", "/v1/me", [() => HttpResponse.error()]);
    const { client } = makeClient({ pacing: false, maxRetries: 2 });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ status: undefined, code: "CONNECTION_ERROR" });
    expect((error as Error).message).toContain("GET /v1/me");
    expect((error as Error).message).toContain("3 attempts");
    expect(seen).toHaveLength(3);
  });

  it("gives up at once when the server asks for a wait longer than maxRetryAfterMs", async () => {
    const seen = scripted("get", "/v1/me", [
      () =>
        HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "later"), {
          status: 429,
          headers: { "Retry-After": "3600" },
        }),
    ]);
    const { client } = makeClient({ pacing: false });
    await expect(client.me()).rejects.toMatchObject({ name: "RateLimitError", retryAfter: 3600 });
    expect(seen).toHaveLength(1);
  });

  it("does not retry a POST without an Idempotency-Key", async () => {
    const seen = scripted("post", "/v1/api-keys", [
      () => HttpResponse.json(errorBody(500, "INTERNAL_ERROR", "boom"), { status: 500 }),
      () => HttpResponse.json({}, { status: 201 }),
    ]);
    const { client } = makeClient({ pacing: false });
    const result = await client.raw.POST("/v1/api-keys", { body: { name: "n", scopes: ["read"] } });
    expect(result.response.status).toBe(500);
    expect(seen).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });

  it("retries a POST that carries an Idempotency-Key, resending the same body and key", async () => {
    const seen = scripted("post", "/v1/api-keys", [
      () => HttpResponse.error(),
      () => HttpResponse.json({ data: {} }, { status: 201 }),
    ]);
    const { client } = makeClient({ pacing: false });
    const result = await client.raw.POST("/v1/api-keys", {
      params: { header: { "Idempotency-Key": "idem-1" } },
      body: { name: "n", scopes: ["read"] },
    });
    expect(result.response.status).toBe(201);
    expect(seen.map((r) => r.headers.get("idempotency-key"))).toEqual(["idem-1", "idem-1"]);
    const bodies = await Promise.all(seen.map((r) => r.json()));
    expect(bodies).toEqual([
      { name: "n", scopes: ["read"] },
      { name: "n", scopes: ["read"] },
    ]);
  });

  it("does not retry client errors", async () => {
    const seen = scripted("get", "/v1/me", [
      () => HttpResponse.json(errorBody(401, "UNAUTHORIZED", "bad key"), { status: 401 }),
    ]);
    const { client } = makeClient({ pacing: false });
    await expect(client.me()).rejects.toMatchObject({ name: "AuthenticationError" });
    expect(seen).toHaveLength(1);
  });
});

describe("timeouts and aborts", () => {
  it("times out a hung attempt, retries it, and succeeds", async () => {
    const seen = scripted("get", "/v1/health", [
      async () => {
        await delay("infinite");
        return HttpResponse.json({ data: health });
      },
      () => HttpResponse.json({ data: health }),
    ]);
    const { client } = makeClient({ pacing: false, timeoutMs: 50 });
    await expect(client.health()).resolves.toEqual(health);
    expect(seen).toHaveLength(2);
  });

  it("throws TimeoutError when every attempt times out", async () => {
    scripted("get", "/v1/health", [
      async () => {
        await delay("infinite");
        return HttpResponse.json({ data: health });
      },
    ]);
    const { client } = makeClient({ pacing: false, timeoutMs: 30, maxRetries: 1 });
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "TIMEOUT", status: undefined });
    expect(client.stats.requests).toBe(2);
  });

  it("rejects with the caller's abort reason and does not retry", async () => {
    const controller = new AbortController();
    const seen = scripted("get", "/v1/health", [
      async () => {
        controller.abort(new Error("caller gave up"));
        await delay("infinite");
        return HttpResponse.json({ data: health });
      },
    ]);
    const { client } = makeClient({ pacing: false });
    await expect(client.health({ signal: controller.signal })).rejects.toThrow("caller gave up");
    expect(seen).toHaveLength(1);
    expect(client.stats).toMatchObject({ requests: 1, retries: 0 });
  });

  it("rejects a raw call with the abort reason of the signal it was given", async () => {
    const controller = new AbortController();
    scripted("get", "/v1/health", [
      async () => {
        controller.abort(new Error("raw caller gave up"));
        await delay("infinite");
        return HttpResponse.json({ data: health });
      },
    ]);
    const { client } = makeClient({ pacing: false });
    await expect(client.raw.GET("/v1/health", { signal: controller.signal })).rejects.toThrow("raw caller gave up");
    expect(client.stats).toMatchObject({ requests: 1, retries: 0 });
  });

  it("rejects with an AbortError when aborted without a reason", async () => {
    const controller = new AbortController();
    scripted("get", "/v1/health", [
      async () => {
        controller.abort();
        await delay("infinite");
        return HttpResponse.json({ data: health });
      },
    ]);
    const { client } = makeClient({ pacing: false });
    await expect(client.health({ signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("stops during backoff when the caller aborts", async () => {
    const seen = scripted("get", "/v1/health", [
      () => HttpResponse.json(errorBody(503, "SERVICE_UNAVAILABLE", "later"), { status: 503 }),
    ]);
    const controller = new AbortController();
    const { client } = makeClient(
      { pacing: false },
      {
        sleep: async () => {
          controller.abort(new Error("stop"));
        },
      },
    );
    await expect(client.health({ signal: controller.signal })).rejects.toThrow("stop");
    expect(seen).toHaveLength(1);
  });

  it("never sends when the signal is already aborted", async () => {
    const seen = scripted("get", "/v1/health", [() => HttpResponse.json({ data: health })]);
    const { client } = makeClient({ pacing: false });
    await expect(client.health({ signal: AbortSignal.abort(new Error("already")) })).rejects.toThrow("already");
    expect(seen).toHaveLength(0);
    expect(client.stats.requests).toBe(0);
  });
});

describe("headers", () => {
  it("sends the credential as x-api-key and an SDK User-Agent, prefixed with userAgent", async () => {
    const seen = scripted("get", "/v1/me", [ok]);
    const { client } = makeClient({ userAgent: "my-app/2.0" });
    await client.me();
    expect(seen[0]?.headers.get("x-api-key")).toBe(API_KEY);
    expect(seen[0]?.headers.get("user-agent")).toMatch(/^my-app\/2\.0 timely-keys-sdk\/\d+\.\d+\.\d+ node\//);
  });

  it("lets a raw call send another credential on purpose", async () => {
    const seen = scripted("get", "/v1/me", [ok]);
    const { client } = makeClient();
    const other = "tml_Other0000000000000000000000000000000";
    await client.raw.GET("/v1/me", { headers: { "x-api-key": other } });
    expect(seen[0]?.headers.get("x-api-key")).toBe(other);
  });
});

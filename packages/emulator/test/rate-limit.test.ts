import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { SlidingWindowLimiter } from "../src/rate-limit.js";
import { call, expectNoResponseViolations, testSeed, tokens, useEmulator, withEmulator } from "./helpers.js";

describe("SlidingWindowLimiter", () => {
  it("admits `limit` requests per sliding 60 s and frees slots as old ones leave the window", () => {
    const limiter = new SlidingWindowLimiter(3);
    const t0 = 1_000_000_000_000;
    expect(limiter.consume("a", t0).remaining).toBe(2);
    expect(limiter.consume("a", t0 + 10_000).remaining).toBe(1);
    expect(limiter.consume("a", t0 + 20_000).remaining).toBe(0);
    const refused = limiter.consume("a", t0 + 30_000);
    expect(refused).toMatchObject({
      allowed: false,
      remaining: 0,
      retryAfter: 30,
      reset: Math.ceil((t0 + 60_000) / 1000),
    });
    expect(limiter.consume("b", t0 + 30_000).allowed).toBe(true);
    // The first request leaves the window at t0 + 60 s: exactly one slot comes back.
    expect(limiter.consume("a", t0 + 60_000).allowed).toBe(true);
    expect(limiter.consume("a", t0 + 60_001).allowed).toBe(false);
    // At t0 + 80 s only the request of t0 + 60 s is still in the window.
    expect(limiter.peek("a", t0 + 80_000).remaining).toBe(2);
  });

  it("peek does not count", () => {
    const limiter = new SlidingWindowLimiter(1);
    for (let i = 0; i < 5; i++) expect(limiter.peek("a", 0).remaining).toBe(1);
    expect(limiter.consume("a", 0).allowed).toBe(true);
  });
});

describe("rate limiting over HTTP", () => {
  const env = useEmulator({ rateLimit: 5 });

  it("carries X-RateLimit-* on every answer and answers 429 with Retry-After past the limit", async () => {
    env.em.reset();
    const key = await env.createKey(); // 1 request of the owner's budget
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await env.call("GET", "/v1/me", { token: key.secret });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("x-ratelimit-limit")).toBe("5");
      remaining.push(reply.headers.get("x-ratelimit-remaining")!);
      expect(Number(reply.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(
        Math.floor(env.em.clock.now().getTime() / 1000),
      );
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    const limited = await env.call("GET", "/v1/me", { token: key.secret });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", status: 429 });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");

    // Per credential: the owner still has budget.
    expect((await env.call("GET", "/v1/api-keys", { token: tokens.owner })).status).toBe(200);

    // The window slides with the emulated clock.
    env.em.clock.advance(61);
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(200);
  });

  it("counts a rate-limited request in the key's usage as a failure", async () => {
    env.em.reset();
    const key = await env.createKey();
    for (let i = 0; i < 6; i++) await env.call("GET", "/v1/agents", { token: key.secret });
    const usage = await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token: tokens.viewer });
    expect(usage.body.data).toMatchObject({ total_requests: 6, successful_requests: 5 });
    expect(usage.body.data.recent_activity[0].status).toBe(429);
  });

  it("limits unauthenticated callers per address, with the headers too", async () => {
    env.em.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await env.call("GET", "/v1/api-keys");
      expect(reply.headers.get("x-ratelimit-limit")).toBe("5");
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe("rate limit configuration", () => {
  it("takes the seed's rate_limit, and the rateLimit option wins over it", async () => {
    const fromSeed = await startEmulator({ seed: { ...testSeed, rate_limit: 7 }, validateContract: true });
    const fromOption = await startEmulator({
      seed: { ...testSeed, rate_limit: 7 },
      rateLimit: 2,
      validateContract: true,
    });
    try {
      const a = await call(fromSeed.url, "GET", "/v1/me", { token: tokens.owner });
      expect(a.headers.get("x-ratelimit-limit")).toBe("7");
      const b = await call(fromOption.url, "GET", "/v1/me", { token: tokens.owner });
      expect(b.headers.get("x-ratelimit-limit")).toBe("2");
      expect(fromOption.state().rate_limit).toBe(2);
      expectNoResponseViolations(fromSeed);
      expectNoResponseViolations(fromOption);
    } finally {
      await fromSeed.close();
      await fromOption.close();
    }
  });

  it("defaults to 100 per minute", async () => {
    await withEmulator({ seed: testSeed }, async (em) => {
      const reply = await call(em.url, "GET", "/v1/health");
      expect(reply.headers.get("x-ratelimit-limit")).toBe("100");
      expect(reply.headers.get("x-ratelimit-remaining")).toBe("99");
    });
  });
});

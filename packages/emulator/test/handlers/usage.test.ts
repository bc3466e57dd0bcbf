import { beforeEach, describe, expect, it } from "vitest";
import { tokens, useEmulator } from "../helpers.js";

const env = useEmulator();
beforeEach(() => env.em.reset());

const usageOf = async (id: string) =>
  (await env.call("GET", `/v1/api-keys/${id}/usage`, { token: tokens.viewer })).body.data;

describe("usage accounting", () => {
  it("starts empty: no requests, success rate null", async () => {
    const key = await env.createKey();
    expect(await usageOf(key.id)).toEqual({
      key_id: key.id,
      total_requests: 0,
      successful_requests: 0,
      success_rate: null,
      last_used_at: null,
      top_endpoints: [],
      recent_activity: [],
    });
  });

  it("counts data endpoints and /v1/me, with success rate, top endpoints and recent activity", async () => {
    const key = await env.createKey({ scopes: ["read"] });
    const t = key.secret;
    await env.call("GET", "/v1/agents", { token: t });
    await env.call("GET", "/v1/agents?page=2", { token: t });
    await env.call("GET", "/v1/agents", { token: t });
    await env.call("GET", "/v1/conversations", { token: t });
    await env.call("GET", "/v1/me", { token: t });
    env.em.clock.advance(120);
    const denied = await env.call("GET", "/v1/analytics/summary", { token: t }); // needs analytics
    expect(denied.status).toBe(403);

    const usage = await usageOf(key.id);
    expect(usage.total_requests).toBe(6);
    expect(usage.successful_requests).toBe(5);
    expect(usage.success_rate).toBeCloseTo(5 / 6, 10);
    expect(usage.top_endpoints).toEqual([
      { method: "GET", path: "/v1/agents", count: 3 },
      { method: "GET", path: "/v1/analytics/summary", count: 1 },
      { method: "GET", path: "/v1/conversations", count: 1 },
      { method: "GET", path: "/v1/me", count: 1 },
    ]);
    expect(usage.recent_activity.map((a: { path: string; status: number }) => [a.path, a.status])).toEqual([
      ["/v1/analytics/summary", 403],
      ["/v1/me", 200],
      ["/v1/conversations", 200],
      ["/v1/agents", 200],
      ["/v1/agents", 200],
      ["/v1/agents", 200],
    ]);
    // last_used_at and the newest activity come from the emulated clock (2 minutes ahead).
    expect(usage.last_used_at).toBe(usage.recent_activity[0].timestamp);
    expect(Date.parse(usage.last_used_at)).toBeGreaterThan(Date.now() + 100_000);

    const listed = await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(listed.body.data).toMatchObject({ request_count: 6, last_used_at: usage.last_used_at });
  });

  it("keeps the 50 newest activities, newest first", async () => {
    const key = await env.createKey();
    for (let i = 1; i <= 55; i++) await env.call("GET", `/v1/conversations?page=${i}`, { token: key.secret });
    const usage = await usageOf(key.id);
    expect(usage.total_requests).toBe(55);
    expect(usage.recent_activity).toHaveLength(50);
    expect(usage.recent_activity[0].path).toBe("/v1/conversations");
    const times = usage.recent_activity.map((a: { timestamp: string }) => Date.parse(a.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("does not count requests a blocked key could not make, nor management calls", async () => {
    const key = await env.createKey();
    await env.call("GET", "/v1/me", { token: key.secret });
    await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner });
    expect((await env.call("GET", "/v1/agents", { token: key.secret })).status).toBe(401);
    await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    const usage = await usageOf(key.id);
    expect(usage.total_requests).toBe(1);
    expect(usage.top_endpoints).toEqual([{ method: "GET", path: "/v1/me", count: 1 }]);
  });

  it("is readable by every role but not by an API key", async () => {
    const key = await env.createKey();
    for (const token of [tokens.owner, tokens.manager, tokens.member, tokens.viewer]) {
      expect((await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token })).status).toBe(200);
    }
    expect((await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token: key.secret })).status).toBe(403);
  });
});

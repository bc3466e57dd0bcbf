import { describe, expect, it } from "vitest";
import { tokens, useEmulator } from "../helpers.js";

const env = useEmulator();

describe("data endpoints and scopes", () => {
  it.each([
    [["read"], { agents: 200, conversations: 200, analytics: 403 }],
    [["agents"], { agents: 200, conversations: 403, analytics: 403 }],
    [["conversations"], { agents: 403, conversations: 200, analytics: 403 }],
    [["analytics"], { agents: 403, conversations: 403, analytics: 200 }],
    [["write"], { agents: 403, conversations: 403, analytics: 403 }],
  ])("scopes %j", async (scopes, expected) => {
    const key = await env.createKey({ scopes });
    const t = key.secret;
    const got = {
      agents: (await env.call("GET", "/v1/agents", { token: t })).status,
      conversations: (await env.call("GET", "/v1/conversations", { token: t })).status,
      analytics: (await env.call("GET", "/v1/analytics/summary", { token: t })).status,
    };
    expect(got).toEqual(expected);
  });

  it("names the missing scope in FORBIDDEN", async () => {
    const key = await env.createKey({ scopes: ["write"] });
    const reply = await env.call("GET", "/v1/analytics/summary", { token: key.secret });
    expect(reply.body.error).toMatchObject({ code: "FORBIDDEN" });
    expect(reply.body.error.message).toContain("analytics");
  });

  it("pages conversations, each tied to an agent of the workspace", async () => {
    const key = await env.createKey({ scopes: ["read"] });
    const agents = (await env.call("GET", "/v1/agents?per_page=100", { token: key.secret })).body.data;
    const first = await env.call("GET", "/v1/conversations?per_page=5", { token: key.secret });
    const second = await env.call("GET", "/v1/conversations?per_page=5&page=2", { token: key.secret });
    expect(first.body.meta).toEqual({ page: 1, per_page: 5, total: 7, total_pages: 2 });
    expect(second.body.data).toHaveLength(2);
    const agentIds = new Set(agents.map((a: { id: string }) => a.id));
    for (const c of [...first.body.data, ...second.body.data]) expect(agentIds.has(c.agent_id)).toBe(true);
    const bad = await env.call("GET", "/v1/conversations?per_page=500", { token: key.secret });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("per_page");
  });

  it("summarises the workspace for analytics", async () => {
    const key = await env.createKey({ scopes: ["analytics"] });
    const reply = await env.call("GET", "/v1/analytics/summary", { token: key.secret });
    expect(reply.body.data).toMatchObject({ agents: 3, conversations: 7 });
    expect(reply.body.data.messages).toBeGreaterThan(0);
    expect(Date.parse(reply.body.data.period_end) - Date.parse(reply.body.data.period_start)).toBe(30 * 86_400_000);
  });

  it("answers the same data to every key of a workspace (seeded, stable ids)", async () => {
    const a = await env.createKey({ scopes: ["agents"] });
    const b = await env.createKey({ scopes: ["read"] }, tokens.manager);
    const one = await env.call("GET", "/v1/agents", { token: a.secret });
    const two = await env.call("GET", "/v1/agents", { token: b.secret });
    expect(one.body).toEqual(two.body);
  });
});

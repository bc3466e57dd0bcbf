import { beforeEach, describe, expect, it } from "vitest";
import { call, tokens, useEmulator } from "./helpers.js";

const env = useEmulator();
beforeEach(() => env.em.reset());

const someId = "00000000-0000-4000-8000-000000000000";

describe("authentication", () => {
  it.each([
    ["no header", undefined, "Missing x-api-key"],
    ["an empty header", "", "Missing x-api-key"],
    ["a malformed credential", "hello", "Invalid credential"],
    ["an unknown management token", `tkm_${"Z".repeat(40)}`, "Invalid credential"],
    ["an unknown API key", `tml_${"Z".repeat(40)}`, "Invalid credential"],
  ])("answers 401 UNAUTHORIZED for %s", async (_label, token, message) => {
    for (const path of ["/v1/me", "/v1/api-keys", "/v1/agents"]) {
      const reply = await env.call("GET", path, token === undefined ? {} : { token });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
      expect(reply.body.error.message).toContain(message);
      if (token) expect(reply.text).not.toContain(token);
    }
  });
});

describe("roles", () => {
  it.each([
    ["owner", tokens.owner],
    ["manager", tokens.manager],
  ])("%s may create, edit, (de)activate and revoke", async (_role, token) => {
    const key = await env.createKey({}, token);
    expect((await env.call("PATCH", `/v1/api-keys/${key.id}`, { token, body: { name: "renamed" } })).status).toBe(200);
    expect((await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token })).status).toBe(200);
    expect((await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token })).status).toBe(200);
    expect((await env.call("DELETE", `/v1/api-keys/${key.id}`, { token })).status).toBe(204);
  });

  it.each([
    ["member", tokens.member],
    ["viewer", tokens.viewer],
  ])("%s may list, get and read usage, but every mutation is FORBIDDEN and changes nothing", async (role, token) => {
    const key = await env.createKey();
    expect((await env.call("GET", "/v1/api-keys", { token })).status).toBe(200);
    expect((await env.call("GET", `/v1/api-keys/${key.id}`, { token })).status).toBe(200);
    expect((await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token })).status).toBe(200);
    const attempts = [
      env.call("POST", "/v1/api-keys", { token, body: { name: "x", scopes: ["read"] } }),
      env.call("PATCH", `/v1/api-keys/${key.id}`, { token, body: { name: "x" } }),
      env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token }),
      env.call("POST", `/v1/api-keys/${key.id}/activate`, { token }),
      env.call("DELETE", `/v1/api-keys/${key.id}`, { token }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe("FORBIDDEN");
      expect(reply.body.error.message).toContain(role);
    }
    const state = env.em.state().workspaces[0]!;
    expect(state.keys).toHaveLength(1);
    expect(state.keys[0]).toMatchObject({ id: key.id, name: "Test key", status: "active" });
  });
});

describe("API keys cannot manage keys", () => {
  it("answers FORBIDDEN to a tml_ key on every key-management operation", async () => {
    const key = await env.createKey({ scopes: ["read", "write", "agents", "conversations", "analytics"] });
    const token = key.secret;
    const replies = await Promise.all([
      env.call("GET", "/v1/api-keys", { token }),
      env.call("POST", "/v1/api-keys", { token, body: { name: "x", scopes: ["read"] } }),
      env.call("GET", `/v1/api-keys/${key.id}`, { token }),
      env.call("PATCH", `/v1/api-keys/${key.id}`, { token, body: { name: "x" } }),
      env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token }),
      env.call("POST", `/v1/api-keys/${key.id}/activate`, { token }),
      env.call("GET", `/v1/api-keys/${key.id}/usage`, { token }),
      env.call("DELETE", `/v1/api-keys/${key.id}`, { token }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe("FORBIDDEN");
      expect(reply.text).not.toContain(key.secret);
    }
    expect(env.em.state().workspaces[0]!.keys.map((k) => k.id)).toEqual([key.id]);
  });

  it("answers FORBIDDEN to a management token on data endpoints", async () => {
    const reply = await env.call("GET", "/v1/agents", { token: tokens.owner });
    expect(reply.status).toBe(403);
    expect(reply.body.error.message).toContain("management token");
  });
});

describe("workspaces", () => {
  it("another workspace's key is NOT_FOUND for every operation", async () => {
    const key = await env.createKey();
    const token = tokens.betaOwner;
    const replies = await Promise.all([
      env.call("GET", `/v1/api-keys/${key.id}`, { token }),
      env.call("PATCH", `/v1/api-keys/${key.id}`, { token, body: { name: "stolen" } }),
      env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token }),
      env.call("POST", `/v1/api-keys/${key.id}/activate`, { token }),
      env.call("GET", `/v1/api-keys/${key.id}/usage`, { token }),
      env.call("DELETE", `/v1/api-keys/${key.id}`, { token }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe("NOT_FOUND");
    }
    const betaList = await env.call("GET", "/v1/api-keys", { token });
    expect(betaList.body.meta.total).toBe(0);
    const alpha = await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(alpha.body.data).toMatchObject({ name: "Test key", status: "active" });
  });

  it("a key reads only its own workspace's data", async () => {
    const alphaKey = await env.createKey();
    const betaKey = await env.createKey({}, tokens.betaOwner);
    const alphaAgents = await env.call("GET", "/v1/agents", { token: alphaKey.secret });
    const betaAgents = await env.call("GET", "/v1/agents", { token: betaKey.secret });
    expect(alphaAgents.body.meta.total).toBe(3);
    expect(betaAgents.body.meta.total).toBe(1);
    const ids = new Set(alphaAgents.body.data.map((a: { id: string }) => a.id));
    expect(betaAgents.body.data.some((a: { id: string }) => ids.has(a.id))).toBe(false);
    const me = await env.call("GET", "/v1/me", { token: betaKey.secret });
    expect(me.body.data.workspace_id).toBe(betaKey.workspace_id);
    expect(me.body.data.workspace_id).not.toBe(alphaKey.workspace_id);
  });
});

describe("key lifecycle and access", () => {
  it("deactivation blocks the key at once; activation restores it", async () => {
    const key = await env.createKey();
    expect((await env.call("GET", "/v1/agents", { token: key.secret })).status).toBe(200);
    await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner });
    const blocked = await env.call("GET", "/v1/agents", { token: key.secret });
    expect(blocked.status).toBe(401);
    expect(blocked.body.error.message).toContain("inactive");
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(401);
    await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.owner });
    expect((await env.call("GET", "/v1/agents", { token: key.secret })).status).toBe(200);
  });

  it("a revoked key's secret answers 401 and its id 404", async () => {
    const key = await env.createKey();
    expect((await env.call("DELETE", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(204);
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(401);
    expect((await env.call("GET", "/v1/agents", { token: key.secret })).status).toBe(401);
    expect((await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(404);
  });

  it("an expired key answers 401 from its expiry on (emulated clock)", async () => {
    const key = await env.createKey({ expires_in_days: 1 });
    env.em.clock.advance(86_400 - 60);
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(200);
    env.em.clock.advance(60);
    const expired = await env.call("GET", "/v1/me", { token: key.secret });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain("expired");
    // Still listed (status stays active); its expiry is in the past.
    const listed = await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(listed.body.data.status).toBe("active");
  });

  it("an id that is not a key of anyone stays NOT_FOUND for managers", async () => {
    expect(
      (await call(env.em.url, "PATCH", `/v1/api-keys/${someId}`, { token: tokens.owner, body: { name: "x" } })).status,
    ).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { hashCredential } from "../src/secrets.js";
import { call, testSeed, tokens, useEmulator, withEmulator } from "./helpers.js";

const env = useEmulator({ recordSecrets: true, now: "2030-01-01T00:00:00Z" });

describe("GET /_emulator/state", () => {
  it("lists workspaces, members and keys without secrets, hashes or tokens", async () => {
    env.em.reset();
    const key = await env.createKey();
    const reply = await env.call("GET", "/_emulator/state");
    expect(reply.status).toBe(200);
    const state = reply.body.data;
    expect(state.workspaces.map((w: { name: string }) => w.name)).toEqual(["alpha", "beta"]);
    expect(state.workspaces[0].members).toContainEqual(expect.objectContaining({ name: "Olga Owner", role: "owner" }));
    expect(state.workspaces[0].keys).toEqual([expect.objectContaining({ id: key.id, prefix: key.prefix })]);
    expect(state.workspaces[0]).toMatchObject({ agents: 3, conversations: 7 });
    expect(reply.text).not.toContain(key.secret);
    expect(reply.text).not.toContain(hashCredential(key.secret));
    for (const token of Object.values(tokens)) {
      expect(reply.text).not.toContain(token);
      expect(reply.text).not.toContain(hashCredential(token));
    }
    expect(state.workspaces).toEqual(JSON.parse(JSON.stringify(env.em.state().workspaces)));
  });
});

describe("/_emulator/clock", () => {
  it("reads, advances and sets the emulated time; the Date header follows", async () => {
    env.em.reset();
    const before = await env.call("GET", "/_emulator/clock");
    expect(before.body.data.now.startsWith("2030-01-01T00:0")).toBe(true);
    const advanced = await env.call("POST", "/_emulator/clock", { body: { advance_seconds: 86_400 } });
    expect(advanced.body.data.now.startsWith("2030-01-02T00:0")).toBe(true);
    const health = await env.call("GET", "/v1/health");
    expect(health.headers.get("date")).toMatch(/^Wed, 02 Jan 2030 00:0/);
    const set = await env.call("POST", "/_emulator/clock", { body: { now: "2031-06-15T12:00:00Z" } });
    expect(set.body.data.now.startsWith("2031-06-15T12:00")).toBe(true);
  });

  it.each([
    [{}, "body"],
    [{ advance_seconds: "10" }, "advance_seconds"],
    [{ now: "yesterday" }, "now"],
    [{ now: "2031-06-15" }, "now"],
    [{ advance_seconds: 1, now: "2031-06-15T12:00:00Z" }, "body"],
    [{ rewind: 5 }, "rewind"],
  ])("rejects %j naming %s", async (body, field) => {
    const reply = await env.call("POST", "/_emulator/clock", { body });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION_ERROR", field });
  });
});

describe("POST /_emulator/reset", () => {
  it("goes back to the seed and to the start time; keep_clock keeps the time", async () => {
    await env.createKey();
    await env.call("POST", "/_emulator/clock", { body: { advance_seconds: 3600 * 24 * 10 } });
    await env.call("POST", "/_emulator/faults", { body: { maintenance: true } });
    const reply = await env.call("POST", "/_emulator/reset");
    expect(reply.status).toBe(200);
    expect(reply.body.data.workspaces[0].keys).toEqual([]);
    expect(reply.body.data.now.startsWith("2030-01-01T00:0")).toBe(true);
    expect((await env.call("GET", "/v1/health")).status).toBe(200); // faults cleared

    await env.call("POST", "/_emulator/clock", { body: { now: "2035-01-01T00:00:00Z" } });
    const kept = await env.call("POST", "/_emulator/reset", { body: { keep_clock: true } });
    expect(kept.body.data.now.startsWith("2035-01-01T00:0")).toBe(true);
    expect((await env.call("POST", "/_emulator/reset", { body: { keep_clock: "yes" } })).body.error.field).toBe(
      "keep_clock",
    );
  });
});

describe("/_emulator/requests", () => {
  it("logs /v1 requests with principal and mutating, and clears", async () => {
    env.em.reset();
    await env.call("POST", "/_emulator/requests/clear");
    const key = await env.createKey();
    await env.call("GET", "/v1/me", { token: key.secret });
    await env.call("GET", "/v1/me");
    await env.call("GET", "/v1/health");
    const log = (await env.call("GET", "/_emulator/requests")).body.data;
    expect(log.map((e: Record<string, unknown>) => [e.method, e.path, e.status, e.principal, e.mutating])).toEqual([
      ["POST", "/v1/api-keys", 201, "member:Olga Owner", true],
      ["GET", "/v1/me", 200, `key:${key.id}`, false],
      ["GET", "/v1/me", 401, "anonymous", false],
      ["GET", "/v1/health", 200, "anonymous", false],
    ]);
    expect(Date.parse(log[0].at)).toBeGreaterThan(0);
    expect(JSON.stringify(log)).not.toContain(key.secret);
    expect(env.em.requests()).toHaveLength(4);
    await env.call("POST", "/_emulator/requests/clear");
    expect((await env.call("GET", "/_emulator/requests")).body.data).toEqual([]);
  });
});

describe("/_emulator/minted-secrets", () => {
  it("lists every secret minted when recordSecrets is on", async () => {
    const a = await env.createKey();
    const b = await env.createKey();
    const reply = await env.call("GET", "/_emulator/minted-secrets");
    expect(reply.body.data).toEqual(expect.arrayContaining([a.secret, b.secret]));
    expect(env.em.mintedSecrets()).toEqual(expect.arrayContaining([a.secret, b.secret]));
  });

  it("is 404 (and mintedSecrets() throws) when recordSecrets is off", async () => {
    await withEmulator({ seed: testSeed }, async (em) => {
      const reply = await call(em.url, "GET", "/_emulator/minted-secrets");
      expect(reply.status).toBe(404);
      expect(() => em.mintedSecrets()).toThrow(/recordSecrets/);
    });
  });
});

describe("control endpoints in general", () => {
  it("are not rate-limited and answer 404 for unknown paths", async () => {
    await withEmulator({ seed: testSeed, rateLimit: 1 }, async (em) => {
      for (let i = 0; i < 5; i++) expect((await call(em.url, "GET", "/_emulator/clock")).status).toBe(200);
      const unknown = await call(em.url, "GET", "/_emulator/nothing");
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("NOT_FOUND");
    });
  });

  it("exposes contract violations", async () => {
    const reply = await env.call("GET", "/_emulator/contract-violations");
    expect(reply.status).toBe(200);
    expect(Array.isArray(reply.body.data)).toBe(true);
  });
});

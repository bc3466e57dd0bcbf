import { beforeEach, describe, expect, it } from "vitest";
import { fingerprintBody, IdempotencyCache } from "../src/idempotency.js";
import { tokens, useEmulator } from "./helpers.js";

const env = useEmulator();
beforeEach(() => env.em.reset());

const create = (body: unknown, key: string, token = tokens.owner) =>
  env.call("POST", "/v1/api-keys", { token, body, headers: { "Idempotency-Key": key } });

const countKeys = () => env.em.state().workspaces[0]!.keys.length;

describe("idempotent create", () => {
  it("replays the first answer, secret included, for the same key and body", async () => {
    const body = { name: "CRM", scopes: ["read"], expires_in_days: 30 };
    const first = await create(body, "rotate-crm-3");
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    env.em.clock.advance(3600);
    // The same body with its keys in another order.
    const again = await create({ expires_in_days: 30, scopes: ["read"], name: "CRM" }, "rotate-crm-3");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(again.body.data.secret).toBe(first.body.data.secret);
    expect(countKeys()).toBe(1);
  });

  it("answers CONFLICT for the same key with another body, making nothing", async () => {
    await create({ name: "CRM", scopes: ["read"] }, "k1");
    const clash = await create({ name: "CRM", scopes: ["write"] }, "k1");
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: "CONFLICT", status: 409 });
    expect(clash.body.error.message).toContain("Idempotency-Key");
    expect(countKeys()).toBe(1);
  });

  it("scopes replays per credential: another member's same Idempotency-Key makes its own key", async () => {
    const body = { name: "CRM", scopes: ["read"] };
    const a = await create(body, "shared");
    const b = await create(body, "shared", tokens.manager);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBe("false");
    expect(b.body.data.id).not.toBe(a.body.data.id);
    const c = await create(body, "shared", tokens.betaOwner);
    expect(c.body.data.workspace_id).not.toBe(a.body.data.workspace_id);
  });

  it("forgets after 24 hours of emulated time", async () => {
    const body = { name: "CRM", scopes: ["read"] };
    const first = await create(body, "day");
    env.em.clock.advance(24 * 3600 - 1);
    expect((await create(body, "day")).body.data.id).toBe(first.body.data.id);
    env.em.clock.advance(2);
    const later = await create(body, "day");
    expect(later.headers.get("idempotent-replayed")).toBe("false");
    expect(later.body.data.id).not.toBe(first.body.data.id);
  });

  it("replays even after the key was revoked (the caller checks with GET)", async () => {
    const body = { name: "CRM", scopes: ["read"] };
    const first = await create(body, "gone");
    await env.call("DELETE", `/v1/api-keys/${first.body.data.id}`, { token: tokens.owner });
    const again = await create(body, "gone");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.data.id).toBe(first.body.data.id);
    expect((await env.call("GET", `/v1/api-keys/${first.body.data.id}`, { token: tokens.owner })).status).toBe(404);
  });

  it("does not cache failures: a retry after a 400 is evaluated afresh", async () => {
    const bad = await create({ name: "", scopes: ["read"] }, "fix-me");
    expect(bad.status).toBe(400);
    const fixed = await create({ name: "ok", scopes: ["read"] }, "fix-me");
    expect(fixed.status).toBe(201);
  });

  it("makes a new key each time without an Idempotency-Key", async () => {
    const body = { name: "CRM", scopes: ["read"] };
    await env.call("POST", "/v1/api-keys", { token: tokens.owner, body });
    await env.call("POST", "/v1/api-keys", { token: tokens.owner, body });
    expect(countKeys()).toBe(2);
  });

  it("rejects an Idempotency-Key longer than 255 characters", async () => {
    const reply = await create({ name: "CRM", scopes: ["read"] }, "k".repeat(256));
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe("Idempotency-Key");
  });
});

describe("idempotent activate / deactivate", () => {
  it("replays the first answer with Idempotent-Replayed: true", async () => {
    const key = await env.createKey();
    const headers = { "Idempotency-Key": "pause-1" };
    const first = await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner, headers });
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    const again = await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner, headers });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    // The same Idempotency-Key on another path is another request.
    const other = await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.owner, headers });
    expect(other.status).toBe(200);
    expect(other.headers.get("idempotent-replayed")).toBe("false");
    expect(other.body.data.status).toBe("active");
  });
});

describe("IdempotencyCache", () => {
  it("fingerprints JSON values, not their spelling", () => {
    expect(fingerprintBody({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(fingerprintBody({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(fingerprintBody({ a: [1, 2] })).not.toBe(fingerprintBody({ a: [2, 1] }));
  });

  it("misses, replays, conflicts and expires", () => {
    const cache = new IdempotencyCache();
    expect(cache.lookup("s", "f", 0).kind).toBe("miss");
    cache.store("s", "f", { status: 201, body: { data: 1 } }, 0);
    expect(cache.lookup("s", "f", 1000)).toEqual({ kind: "replay", answer: { status: 201, body: { data: 1 } } });
    expect(cache.lookup("s", "g", 1000).kind).toBe("conflict");
    expect(cache.lookup("s", "f", 24 * 3_600_000).kind).toBe("miss");
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { tokens, useEmulator, uuid } from "../helpers.js";

const env = useEmulator();
beforeEach(() => env.em.reset());

describe("POST /v1/api-keys", () => {
  it("creates a key and returns its secret once", async () => {
    const reply = await env.call("POST", "/v1/api-keys", {
      token: tokens.owner,
      body: { name: "Salesforce CRM", description: "CRM sync", scopes: ["read", "conversations"], expires_in_days: 90 },
    });
    expect(reply.status).toBe(201);
    const key = reply.body.data;
    expect(key).toMatchObject({
      name: "Salesforce CRM",
      description: "CRM sync",
      scopes: ["read", "conversations"],
      status: "active",
      request_count: 0,
    });
    expect(key.id).toMatch(uuid);
    expect(key.secret).toMatch(/^tml_[A-Za-z0-9]{40}$/);
    expect(key.prefix).toBe(`${key.secret.slice(0, 8)}...`);
    expect(Date.parse(key.expires_at) - Date.parse(key.created_at)).toBe(90 * 86_400_000);
    expect(key.last_used_at).toBeNull();
    expect(key.deactivated_at).toBeNull();

    const fetched = await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(fetched.status).toBe(200);
    expect(fetched.body.data.secret).toBeUndefined();
    expect(fetched.text).not.toContain(key.secret);
    const { secret: _secret, ...withoutSecret } = key;
    expect(fetched.body.data).toEqual(withoutSecret);
  });

  it("makes keys without expiry when expires_in_days is absent or null", async () => {
    expect((await env.createKey({})).expires_at).toBeNull();
    expect((await env.createKey({ expires_in_days: null })).expires_at).toBeNull();
  });

  const invalid: Array<[string, unknown, string]> = [
    ["missing name", { scopes: ["read"] }, "name"],
    ["blank name", { name: "   ", scopes: ["read"] }, "name"],
    ["empty name", { name: "", scopes: ["read"] }, "name"],
    ["long name", { name: "x".repeat(101), scopes: ["read"] }, "name"],
    ["numeric name", { name: 5, scopes: ["read"] }, "name"],
    ["long description", { name: "a", description: "d".repeat(501), scopes: ["read"] }, "description"],
    ["missing scopes", { name: "a" }, "scopes"],
    ["empty scopes", { name: "a", scopes: [] }, "scopes"],
    ["unknown scope", { name: "a", scopes: ["admin"] }, "scopes"],
    ["repeated scope", { name: "a", scopes: ["read", "read"] }, "scopes"],
    ["scopes not a list", { name: "a", scopes: "read" }, "scopes"],
    ["zero days", { name: "a", scopes: ["read"], expires_in_days: 0 }, "expires_in_days"],
    ["too many days", { name: "a", scopes: ["read"], expires_in_days: 3651 }, "expires_in_days"],
    ["fractional days", { name: "a", scopes: ["read"], expires_in_days: 1.5 }, "expires_in_days"],
    ["days as text", { name: "a", scopes: ["read"], expires_in_days: "30" }, "expires_in_days"],
    ["unknown field", { name: "a", scopes: ["read"], owner: "me" }, "owner"],
    ["array body", [1, 2], "body"],
  ];
  it.each(invalid)("rejects %s with VALIDATION_ERROR naming the field", async (_label, body, field) => {
    const reply = await env.call("POST", "/v1/api-keys", { token: tokens.owner, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION_ERROR", status: 400, field });
    expect(reply.body.error.message).toContain(field);
  });

  it("rejects a body that is not JSON, and a missing body", async () => {
    const bad = await env.call("POST", "/v1/api-keys", {
      token: tokens.owner,
      rawBody: "{name:",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "VALIDATION_ERROR", field: "body" });
    const none = await env.call("POST", "/v1/api-keys", { token: tokens.owner });
    expect(none.status).toBe(400);
    expect(none.body.error.field).toBe("body");
  });

  it("does not echo a rejected value, even one shaped like a secret", async () => {
    const pasted = `tml_${"S".repeat(40)}`;
    const reply = await env.call("POST", "/v1/api-keys", {
      token: tokens.owner,
      body: { name: "a", scopes: [pasted] },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).not.toContain(pasted);
  });
});

describe("GET /v1/api-keys", () => {
  it("pages through keys with the facts' meta, and a page past the end is empty", async () => {
    for (let i = 0; i < 5; i++) await env.createKey({ name: `key-${i}` });
    const first = await env.call("GET", "/v1/api-keys?per_page=2", { token: tokens.viewer });
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({ page: 1, per_page: 2, total: 5, total_pages: 3 });
    expect(first.body.data.map((k: { name: string }) => k.name)).toEqual(["key-0", "key-1"]);
    const last = await env.call("GET", "/v1/api-keys?per_page=2&page=3", { token: tokens.viewer });
    expect(last.body.data.map((k: { name: string }) => k.name)).toEqual(["key-4"]);
    const past = await env.call("GET", "/v1/api-keys?per_page=2&page=4", { token: tokens.viewer });
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ data: [], meta: { page: 4, per_page: 2, total: 5, total_pages: 3 } });
    const defaults = await env.call("GET", "/v1/api-keys", { token: tokens.viewer });
    expect(defaults.body.meta).toMatchObject({ page: 1, per_page: 20 });
  });

  it("filters by status", async () => {
    const a = await env.createKey({ name: "a" });
    await env.createKey({ name: "b" });
    await env.call("POST", `/v1/api-keys/${a.id}/deactivate`, { token: tokens.owner });
    const inactive = await env.call("GET", "/v1/api-keys?status=inactive", { token: tokens.owner });
    expect(inactive.body.data.map((k: { id: string }) => k.id)).toEqual([a.id]);
    expect(inactive.body.meta.total).toBe(1);
    const active = await env.call("GET", "/v1/api-keys?status=active", { token: tokens.owner });
    expect(active.body.data.map((k: { name: string }) => k.name)).toEqual(["b"]);
  });

  it.each([
    ["per_page=101", "per_page"],
    ["per_page=0", "per_page"],
    ["page=0", "page"],
    ["page=-1", "page"],
    ["page=abc", "page"],
    ["page=1.5", "page"],
    ["status=deleted", "status"],
  ])("rejects %s naming the parameter", async (query, field) => {
    const reply = await env.call("GET", `/v1/api-keys?${query}`, { token: tokens.owner });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION_ERROR", field });
    expect(reply.body.error.message).toContain(field);
  });
});

describe("GET /v1/api-keys/{key_id}", () => {
  it("answers NOT_FOUND naming key_id for an id that is not a UUID", async () => {
    const reply = await env.call("GET", "/v1/api-keys/not-a-uuid", { token: tokens.owner });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ code: "NOT_FOUND", field: "key_id" });
    expect(reply.body.error.message).toContain("key_id");
  });

  it("answers NOT_FOUND for an unknown id", async () => {
    const reply = await env.call("GET", "/v1/api-keys/00000000-0000-4000-8000-000000000000", { token: tokens.owner });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NOT_FOUND");
  });
});

describe("PATCH /v1/api-keys/{key_id}", () => {
  it("edits name and description only, and moves updated_at", async () => {
    const key = await env.createKey({ name: "before" });
    env.em.clock.advance(60);
    const reply = await env.call("PATCH", `/v1/api-keys/${key.id}`, {
      token: tokens.manager,
      body: { name: "after", description: "new" },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({
      name: "after",
      description: "new",
      scopes: key.scopes,
      expires_at: key.expires_at,
    });
    expect(Date.parse(reply.body.data.updated_at) - Date.parse(key.updated_at as string)).toBeGreaterThanOrEqual(
      60_000,
    );
    expect(reply.body.data.created_at).toBe(key.created_at);
  });

  it.each([
    [{ scopes: ["write"] }, "scopes"],
    [{ expires_in_days: 10 }, "expires_in_days"],
    [{ name: "ok", scopes: ["read"] }, "scopes"],
    [{ status: "inactive" }, "status"],
    [{ prefix: "tml_abcd..." }, "prefix"],
    [{}, "body"],
    [{ name: "" }, "name"],
    [{ description: null }, "description"],
  ])("rejects %j with VALIDATION_ERROR naming %s, changing nothing", async (body, field) => {
    const key = await env.createKey({ name: "unchanged", expires_in_days: 30 });
    const reply = await env.call("PATCH", `/v1/api-keys/${key.id}`, { token: tokens.owner, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION_ERROR", field });
    expect(reply.body.error.message).toContain(field);
    const after = await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(after.body.data).toMatchObject({
      name: "unchanged",
      scopes: ["read"],
      expires_at: key.expires_at,
      updated_at: key.updated_at,
    });
  });
});

describe("activate / deactivate / revoke", () => {
  it("deactivating sets deactivated_at; activating clears it; repeating changes nothing", async () => {
    const key = await env.createKey();
    const off = await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner });
    expect(off.status).toBe(200);
    expect(off.body.data.status).toBe("inactive");
    expect(off.body.data.deactivated_at).toBe(
      env.em.state().workspaces[0]!.keys.find((k) => k.id === key.id)!.deactivated_at,
    );
    expect(off.headers.get("idempotent-replayed")).toBe("false");
    env.em.clock.advance(5);
    const offAgain = await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner });
    expect(offAgain.body.data.deactivated_at).toBe(off.body.data.deactivated_at);
    expect(offAgain.body.data.updated_at).toBe(off.body.data.updated_at);
    const on = await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.manager });
    expect(on.status).toBe(200);
    expect(on.body.data).toMatchObject({ status: "active", deactivated_at: null });
    const onAgain = await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.manager });
    expect(onAgain.body.data.updated_at).toBe(on.body.data.updated_at);
  });

  it("revoking answers 204 with no body; the key is gone afterwards", async () => {
    const key = await env.createKey();
    const del = await env.call("DELETE", `/v1/api-keys/${key.id}`, { token: tokens.owner });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(404);
    expect((await env.call("DELETE", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(404);
    expect((await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.owner })).status).toBe(404);
    const list = await env.call("GET", "/v1/api-keys", { token: tokens.owner });
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });
});

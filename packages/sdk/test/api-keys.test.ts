import { inspect } from "node:util";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  NotFoundError,
  Secret,
  ValidationError,
  type ApiKey,
  type ApiKeyChanges,
  type KeyUsage,
} from "../src/index.js";
import { apiKeyFixture, BASE, errorBody, makeClient, SECRET, useMswServer } from "./helpers.js";

const server = useMswServer();

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A workspace of `total` keys served page by page, counting requests. */
function serveKeys(total: number) {
  const keys = Array.from({ length: total }, () => apiKeyFixture());
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE}/v1/api-keys`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      queries.push(query);
      const page = Number(query.get("page") ?? 1);
      const perPage = Number(query.get("per_page") ?? 20);
      const status = query.get("status");
      const matching = status ? keys.filter((k) => k.status === status) : keys;
      return HttpResponse.json({
        data: matching.slice((page - 1) * perPage, page * perPage),
        meta: { page, per_page: perPage, total: matching.length, total_pages: Math.ceil(matching.length / perPage) },
      });
    }),
  );
  return { keys, queries };
}

describe("apiKeys.list", () => {
  it("iterates every key across 3 pages with exactly 3 requests", async () => {
    const { keys, queries } = serveKeys(250);
    const { client } = makeClient({ pacing: false });
    const ids: string[] = [];
    for await (const key of client.apiKeys.list()) ids.push(key.id);
    expect(ids).toEqual(keys.map((k) => k.id));
    expect(queries.map((q) => [q.get("page"), q.get("per_page")])).toEqual([
      ["1", "100"],
      ["2", "100"],
      ["3", "100"],
    ]);
    expect(client.stats.requests).toBe(3);
  });

  it("costs ceil(N / perPage) requests when N fills the last page exactly", async () => {
    const { queries } = serveKeys(40);
    const { client } = makeClient({ pacing: false });
    const all = await client.apiKeys.list({ perPage: 20 }).toArray();
    expect(all).toHaveLength(40);
    expect(queries).toHaveLength(2);
  });

  it("makes one request for an empty workspace", async () => {
    const { queries } = serveKeys(0);
    const { client } = makeClient({ pacing: false });
    const all: ApiKey[] = [];
    for await (const key of client.apiKeys.list()) all.push(key);
    expect(all).toEqual([]);
    expect(queries).toHaveLength(1);
  });

  it("exposes the pages with their meta", async () => {
    serveKeys(5);
    const { client } = makeClient({ pacing: false });
    const metas = [];
    for await (const page of client.apiKeys.list({ perPage: 2 }).pages()) metas.push([page.data.length, page.meta]);
    expect(metas).toEqual([
      [2, { page: 1, per_page: 2, total: 5, total_pages: 3 }],
      [2, { page: 2, per_page: 2, total: 5, total_pages: 3 }],
      [1, { page: 3, per_page: 2, total: 5, total_pages: 3 }],
    ]);
  });

  it("filters by status", async () => {
    const { queries } = serveKeys(3);
    const { client } = makeClient({ pacing: false });
    await client.apiKeys.list({ status: "inactive" }).toArray();
    expect(queries[0]?.get("status")).toBe("inactive");
  });

  it("fetches one page with listPage", async () => {
    const { keys, queries } = serveKeys(30);
    const { client } = makeClient({ pacing: false });
    const page = await client.apiKeys.listPage({ page: 2, perPage: 10, status: "active" });
    expect(page.data.map((k) => k.id)).toEqual(keys.slice(10, 20).map((k) => k.id));
    expect(page.meta).toEqual({ page: 2, per_page: 10, total: 30, total_pages: 3 });
    expect(queries).toHaveLength(1);
  });

  it("refuses a bad perPage or page before sending", async () => {
    const { queries } = serveKeys(1);
    const { client } = makeClient({ pacing: false });
    expect(() => client.apiKeys.list({ perPage: 101 })).toThrow(ValidationError);
    await expect(client.apiKeys.listPage({ page: 0 })).rejects.toMatchObject({ field: "page" });
    expect(queries).toHaveLength(0);
  });
});

describe("apiKeys.create", () => {
  const body = {
    name: "crm",
    description: "Salesforce",
    scopes: ["read" as const, "write" as const],
    expires_in_days: 90,
  };

  it("returns the key without its secret, the secret wrapped, and the replay flag", async () => {
    const key = apiKeyFixture({ name: "crm" });
    server.use(
      http.post(`${BASE}/v1/api-keys`, () =>
        HttpResponse.json(
          { data: { ...key, secret: SECRET } },
          { status: 201, headers: { "Idempotent-Replayed": "false" } },
        ),
      ),
    );
    const { client } = makeClient({ pacing: false });
    const created = await client.apiKeys.create(body);
    expect(created.key).toEqual(key);
    expect(created.key).not.toHaveProperty("secret");
    expect(created.secret).toBeInstanceOf(Secret);
    expect(created.secret.reveal()).toBe(SECRET);
    expect(created.replayed).toBe(false);
    // Printing the whole result by accident shows the masked secret only.
    expect(JSON.stringify(created)).not.toContain(SECRET);
    expect(inspect(created, { depth: 5 })).not.toContain(SECRET);
  });

  it("sends one generated Idempotency-Key and reuses it across retries", async () => {
    const keysSeen: Array<string | null> = [];
    const bodiesSeen: unknown[] = [];
    server.use(
      http.post(`${BASE}/v1/api-keys`, async ({ request }) => {
        keysSeen.push(request.headers.get("idempotency-key"));
        bodiesSeen.push(await request.json());
        if (keysSeen.length === 1) return HttpResponse.error();
        if (keysSeen.length === 2) return HttpResponse.json(errorBody(500, "INTERNAL_ERROR", "boom"), { status: 500 });
        return HttpResponse.json(
          { data: { ...apiKeyFixture(), secret: SECRET } },
          { status: 201, headers: { "Idempotent-Replayed": "true" } },
        );
      }),
    );
    const { client } = makeClient({ pacing: false });
    const created = await client.apiKeys.create(body);
    expect(keysSeen).toHaveLength(3);
    expect(keysSeen[0]).toMatch(UUID_V4);
    expect(new Set(keysSeen).size).toBe(1);
    expect(bodiesSeen).toEqual([body, body, body]);
    expect(created.replayed).toBe(true);
  });

  it("uses a fresh Idempotency-Key per call, or the one given", async () => {
    const keysSeen: Array<string | null> = [];
    server.use(
      http.post(`${BASE}/v1/api-keys`, ({ request }) => {
        keysSeen.push(request.headers.get("idempotency-key"));
        return HttpResponse.json({ data: { ...apiKeyFixture(), secret: SECRET } }, { status: 201 });
      }),
    );
    const { client } = makeClient({ pacing: false });
    await client.apiKeys.create(body);
    await client.apiKeys.create(body);
    await client.apiKeys.create(body, { idempotencyKey: "ws1/crm#3" });
    expect(keysSeen[0]).not.toBe(keysSeen[1]);
    expect(keysSeen[2]).toBe("ws1/crm#3");
  });

  it("throws InvalidResponseError when the answer lacks the secret", async () => {
    server.use(http.post(`${BASE}/v1/api-keys`, () => HttpResponse.json({ data: apiKeyFixture() }, { status: 201 })));
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.create(body)).rejects.toMatchObject({ name: "InvalidResponseError" });
  });
});

describe("apiKeys.get / update / activate / deactivate / usage", () => {
  const key = apiKeyFixture();
  const path = `${BASE}/v1/api-keys/${key.id}`;

  it("gets a key by id", async () => {
    server.use(http.get(path, () => HttpResponse.json({ data: key })));
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.get(key.id)).resolves.toEqual(key);
  });

  it("updates name and description with PATCH", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.patch(path, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ data: { ...key, name: "renamed" } });
      }),
    );
    const { client } = makeClient({ pacing: false });
    const updated = await client.apiKeys.update(key.id, { name: "renamed", description: "d" });
    expect(updated.name).toBe("renamed");
    expect(bodies).toEqual([{ name: "renamed", description: "d" }]);
  });

  it("refuses scopes or expiry in update at compile time and at run time, before sending", async () => {
    let sent = 0;
    server.use(
      http.patch(path, () => {
        sent++;
        return HttpResponse.json({ data: key });
      }),
    );
    const { client } = makeClient({ pacing: false });
    // @ts-expect-error scopes are immutable
    const withScopes = client.apiKeys.update(key.id, { name: "x", scopes: ["write"] });
    await expect(withScopes).rejects.toBeInstanceOf(ValidationError);
    await expect(withScopes).rejects.toMatchObject({ field: "scopes", code: "VALIDATION_ERROR" });
    const sneaky = { description: "x", expires_in_days: 5 } as ApiKeyChanges;
    await expect(client.apiKeys.update(key.id, sneaky)).rejects.toMatchObject({ field: "expires_in_days" });
    await expect(client.apiKeys.update(key.id, {})).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toBe(0);
  });

  it("activates and deactivates with POST and a generated Idempotency-Key, retried on failure", async () => {
    const seen: Array<[string, string | null]> = [];
    let calls = 0;
    const toggle =
      (status: ApiKey["status"]) =>
      ({ request }: { request: Request }) => {
        seen.push([new URL(request.url).pathname, request.headers.get("idempotency-key")]);
        calls++;
        if (calls === 1) return HttpResponse.error();
        return HttpResponse.json({ data: { ...key, status } });
      };
    server.use(http.post(`${path}/activate`, toggle("active")), http.post(`${path}/deactivate`, toggle("inactive")));
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.deactivate(key.id)).resolves.toMatchObject({ status: "inactive" });
    await expect(client.apiKeys.activate(key.id)).resolves.toMatchObject({ status: "active" });
    expect(seen.map(([p]) => p)).toEqual([
      `/v1/api-keys/${key.id}/deactivate`,
      `/v1/api-keys/${key.id}/deactivate`,
      `/v1/api-keys/${key.id}/activate`,
    ]);
    expect(seen[0]?.[1]).toMatch(UUID_V4);
    expect(seen[0]?.[1]).toBe(seen[1]?.[1]);
    expect(seen[2]?.[1]).not.toBe(seen[0]?.[1]);
  });

  it("reads usage statistics", async () => {
    const usage: KeyUsage = {
      key_id: key.id,
      total_requests: 3,
      successful_requests: 2,
      success_rate: 2 / 3,
      last_used_at: "2026-03-01T12:00:00.000Z",
      top_endpoints: [{ method: "GET", path: "/v1/me", count: 3 }],
      recent_activity: [{ timestamp: "2026-03-01T12:00:00.000Z", method: "GET", path: "/v1/me", status: 200 }],
    };
    server.use(http.get(`${path}/usage`, () => HttpResponse.json({ data: usage })));
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.usage(key.id)).resolves.toEqual(usage);
  });

  it("refuses an id that is not a key id before sending", async () => {
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.get("")).rejects.toMatchObject({ name: "ValidationError", field: "id" });
    await expect(client.apiKeys.revoke("../me")).rejects.toMatchObject({ name: "ValidationError", field: "id" });
  });
});

describe("apiKeys.revoke", () => {
  const key = apiKeyFixture();
  const path = `${BASE}/v1/api-keys/${key.id}`;

  it("resolves on 204", async () => {
    let calls = 0;
    server.use(
      http.delete(path, () => {
        calls++;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.revoke(key.id)).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });

  it("treats a 404 on a retry after a lost answer as revoked", async () => {
    let calls = 0;
    server.use(
      http.delete(path, () => {
        calls++;
        // The first attempt revoked the key but its answer never arrived.
        if (calls === 1) return HttpResponse.error();
        return HttpResponse.json(errorBody(404, "NOT_FOUND", "no such key"), { status: 404 });
      }),
    );
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.revoke(key.id)).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it("throws NotFoundError on a 404 at the first attempt", async () => {
    server.use(http.delete(path, () => HttpResponse.json(errorBody(404, "NOT_FOUND", "no such key"), { status: 404 })));
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.revoke(key.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("throws NotFoundError on a 404 after a retry whose predecessor was definitely refused (429)", async () => {
    let calls = 0;
    server.use(
      http.delete(path, () => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "slow"), {
            status: 429,
            headers: { "Retry-After": "1" },
          });
        }
        return HttpResponse.json(errorBody(404, "NOT_FOUND", "no such key"), { status: 404 });
      }),
    );
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.revoke(key.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toBe(2);
  });
});

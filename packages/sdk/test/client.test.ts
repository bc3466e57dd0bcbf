import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_BASE_URL,
  TimelyClient,
  TimelyError,
  ValidationError,
  keyStatusValues,
  scopeValues,
} from "../src/index.js";
import { API_KEY, BASE, makeClient, useMswServer } from "./helpers.js";

const server = useMswServer();

const health = { status: "ok", version: "1.0.0", timestamp: "2026-03-01T12:00:00.000Z" };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("construction", () => {
  it("reads the credential from TIMELY_API_KEY by default", async () => {
    vi.stubEnv("TIMELY_API_KEY", API_KEY);
    let sent: string | null = null;
    server.use(
      http.get(`${DEFAULT_BASE_URL}/v1/health`, ({ request }) => {
        sent = request.headers.get("x-api-key");
        return HttpResponse.json({ data: health });
      }),
    );
    const client = new TimelyClient();
    expect(client.baseUrl).toBe("https://api.timelyai.com.br");
    await client.health();
    expect(sent).toBe(API_KEY);
  });

  it("throws a clear error when there is no credential", () => {
    vi.stubEnv("TIMELY_API_KEY", "");
    expect(() => new TimelyClient()).toThrow(TimelyError);
    expect(() => new TimelyClient()).toThrow(/TIMELY_API_KEY/);
    expect(() => new TimelyClient({ apiKey: "  " })).toThrow(/No API key/);
  });

  it("tolerates a trailing slash in baseUrl", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })));
    const client = new TimelyClient({ apiKey: API_KEY, baseUrl: `${BASE}//` });
    expect(client.baseUrl).toBe(BASE);
    await expect(client.health()).resolves.toEqual(health);
  });

  it("keeps a path prefix of baseUrl", async () => {
    server.use(http.get(`${BASE}/proxy/v1/health`, () => HttpResponse.json({ data: health })));
    const client = new TimelyClient({ apiKey: API_KEY, baseUrl: `${BASE}/proxy/` });
    await expect(client.health()).resolves.toEqual(health);
  });

  it("refuses invalid options", () => {
    const bad = [
      { baseUrl: "not a url" },
      { baseUrl: "ftp://example.com" },
      { timeoutMs: 0 },
      // A timer longer than 2^31 - 1 ms would fire at once.
      { timeoutMs: 2 ** 31 },
      { maxRetries: -1 },
      { maxRetries: 1.5 },
      { retry: { baseDelayMs: Number.NaN } },
      { apiKey: "tml_abc\ndef" },
    ];
    for (const options of bad) {
      expect(() => new TimelyClient({ apiKey: API_KEY, ...options })).toThrow(ValidationError);
    }
  });

  it("uses the fetch it is given", async () => {
    const urls: string[] = [];
    const fetch = async (input: string | URL | Request) => {
      urls.push(String(input));
      return Response.json({ data: health });
    };
    const client = new TimelyClient({
      apiKey: API_KEY,
      baseUrl: "http://127.0.0.1:9",
      fetch: fetch as typeof globalThis.fetch,
    });
    await client.health();
    expect(urls).toEqual(["http://127.0.0.1:9/v1/health"]);
  });
});

describe("me and health", () => {
  it("returns the data of /v1/me and /v1/health", async () => {
    const me = { principal: "api_key", key_name: "crm", scopes: ["read"] };
    server.use(
      http.get(`${BASE}/v1/me`, () => HttpResponse.json({ data: me })),
      http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })),
    );
    const { client } = makeClient();
    await expect(client.me()).resolves.toEqual(me);
    await expect(client.health()).resolves.toEqual(health);
  });
});

describe("serverTime", () => {
  it("is undefined before any answer, then follows the Date header plus monotonic time elapsed", async () => {
    const serverDate = new Date("2031-07-04T08:00:00Z");
    server.use(
      http.get(`${BASE}/v1/health`, () =>
        HttpResponse.json({ data: health }, { headers: { Date: serverDate.toUTCString() } }),
      ),
    );
    const { client, time } = makeClient();
    expect(client.serverTime()).toBeUndefined();
    await client.health();
    expect(client.serverTime()?.toISOString()).toBe("2031-07-04T08:00:00.000Z");
    time.advance(90_000);
    expect(client.serverTime()?.toISOString()).toBe("2031-07-04T08:01:30.000Z");
  });
});

describe("stats", () => {
  it("is a snapshot of attempt counts", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })));
    const { client } = makeClient();
    const before = client.stats;
    await client.health();
    await client.health();
    expect(before).toEqual({ requests: 0, retries: 0, rateLimited: 0, pacedMs: 0 });
    expect(client.stats).toEqual({ requests: 2, retries: 0, rateLimited: 0, pacedMs: 0 });
  });
});

describe("raw", () => {
  it("is an openapi-fetch client with the same base URL, credential and retries", async () => {
    let calls = 0;
    const seenKeys: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/v1/agents`, ({ request }) => {
        calls++;
        seenKeys.push(request.headers.get("x-api-key"));
        if (calls === 1) return HttpResponse.error();
        return HttpResponse.json({ data: [], meta: { page: 1, per_page: 20, total: 0, total_pages: 0 } });
      }),
    );
    const { client } = makeClient();
    const { data, error, response } = await client.raw.GET("/v1/agents", { params: { query: { page: 1 } } });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data?.meta.total).toBe(0);
    expect(seenKeys).toEqual([API_KEY, API_KEY]);
    expect(client.stats.retries).toBe(1);
  });

  it("answers error statuses as openapi-fetch does, without throwing", async () => {
    server.use(
      http.get(`${BASE}/v1/agents`, () =>
        HttpResponse.json(
          { error: { code: "FORBIDDEN", message: "needs scope agents", status: 403 } },
          { status: 403 },
        ),
      ),
    );
    const { client } = makeClient();
    const { data, error, response } = await client.raw.GET("/v1/agents");
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(error).toEqual({ error: { code: "FORBIDDEN", message: "needs scope agents", status: 403 } });
  });
});

describe("raw middleware", () => {
  it("sees openapi-fetch's own Request, without the credential, and may replace it", async () => {
    const seen: Array<{ key: string | null; marker: string | null; body: string }> = [];
    server.use(
      http.patch(`${BASE}/v1/api-keys/:id`, async ({ request }) => {
        seen.push({
          key: request.headers.get("x-api-key"),
          marker: request.headers.get("x-marker"),
          body: await request.text(),
        });
        return HttpResponse.json({ data: {} });
      }),
    );
    const { client } = makeClient();
    const inMiddleware: Array<{ key: string | null; body: unknown; isRequest: boolean }> = [];
    client.raw.use({
      async onRequest({ request }) {
        inMiddleware.push({
          key: request.headers.get("x-api-key"),
          body: await request.clone().json(),
          isRequest: request instanceof Request,
        });
        const headers = new Headers(request.headers);
        headers.set("x-marker", "from-middleware");
        return new Request(request.url, { method: request.method, headers, body: await request.text() });
      },
    });
    const { response } = await client.raw.PATCH("/v1/api-keys/{key_id}", {
      params: { path: { key_id: "key_1" } },
      body: { name: "renamed" },
    });
    expect(response.status).toBe(200);
    expect(inMiddleware).toEqual([{ key: null, body: { name: "renamed" }, isRequest: true }]);
    expect(seen).toEqual([{ key: API_KEY, marker: "from-middleware", body: '{"name":"renamed"}' }]);
  });
});

describe("typed calls and raw middleware", () => {
  it("hand middleware every answer of a typed call in full, body included, until it is ejected", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })));
    const { client } = makeClient();
    const bodies: unknown[] = [];
    const middleware = {
      async onResponse({ response }: { response: Response }) {
        bodies.push(await response.clone().json());
      },
    };
    client.raw.use(middleware);
    expect(await client.health()).toEqual(health);
    expect(bodies).toEqual([{ data: health }]);
    client.raw.eject(middleware);
    expect(await client.health()).toEqual(health);
    expect(bodies).toHaveLength(1);
  });

  it("read the answer a middleware put in place of the server's", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })));
    const { client } = makeClient();
    const replaced = { ...health, version: "from-middleware" };
    client.raw.use({ onResponse: () => Response.json({ data: replaced }) });
    expect(await client.health()).toEqual(replaced);
  });

  it("keep a middleware registered twice until it is ejected twice, as openapi-fetch does", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: health })));
    const { client } = makeClient();
    let seen = 0;
    const middleware = {
      async onResponse({ response }: { response: Response }) {
        const body = (await response.clone().json()) as { data: { status: string } };
        if (body.data.status === "ok") seen++;
      },
    };
    client.raw.use(middleware, middleware);
    client.raw.eject(middleware);
    await client.health();
    expect(seen).toBe(1);
  });
});

describe("generated values", () => {
  it("re-exports the scope and status lists of the contract", () => {
    expect(scopeValues).toEqual(["read", "write", "conversations", "agents", "analytics"]);
    expect(keyStatusValues).toEqual(["active", "inactive"]);
  });
});

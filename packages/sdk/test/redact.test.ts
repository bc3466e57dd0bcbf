import { inspect } from "node:util";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { Redactor } from "../src/redact.js";
import { API_KEY, BASE, apiKeyFixture, errorBody, makeClient, SECRET, useMswServer } from "./helpers.js";

const server = useMswServer();

function assertClean(text: string): void {
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(SECRET);
  // Not even a long fragment of either.
  expect(text).not.toContain(API_KEY.slice(4, 20));
  expect(text).not.toContain(SECRET.slice(4, 20));
}

/** Everything an error exposes when printed or serialized. */
function printedError(error: unknown): string {
  const e = error as Error;
  return [e.message, String(e), e.stack ?? "", inspect(e, { depth: 10 }), JSON.stringify(e)].join("\n");
}

describe("Redactor", () => {
  it("masks known values and anything shaped like a Timely secret", () => {
    const redactor = new Redactor(["a-custom-credential-value"]);
    const text = `key ${SECRET} token ${API_KEY} custom a-custom-credential-value end`;
    const out = redactor.redact(text);
    assertClean(out);
    expect(out).not.toContain("a-custom-credential-value");
    expect(out).toBe("key tml_*** token tkm_*** custom *** end");
  });

  it("leaves ordinary text alone", () => {
    expect(new Redactor(["abc"]).redact("tml_abc... is a prefix; abc stays")).toBe("tml_abc... is a prefix; abc stays");
  });
});

describe("the credential never leaks", () => {
  it("from util.inspect or JSON.stringify of the client", () => {
    const { client } = makeClient();
    const views = [
      inspect(client),
      inspect(client, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      String(client),
    ];
    for (const view of views) assertClean(view);
    expect(JSON.parse(JSON.stringify(client))).toEqual({ baseUrl: BASE, apiKey: "tkm_Zq8f…" });
    expect(inspect(client)).toContain("tkm_Zq8f…");
    expect(inspect(client.apiKeys, { showHidden: true, depth: 10 })).not.toContain(API_KEY);
    expect(
      Object.values(client)
        .map((v) => inspect(v, { depth: 5 }))
        .join(),
    ).not.toContain(API_KEY);
  });

  it("from errors, even when the server echoes secrets back", async () => {
    server.use(
      http.get(`${BASE}/v1/me`, () =>
        HttpResponse.json(errorBody(401, "UNAUTHORIZED", `key ${API_KEY} is invalid; did you mean ${SECRET}?`), {
          status: 401,
        }),
      ),
    );
    const { client } = makeClient();
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AuthenticationError" });
    assertClean(printedError(error));
    expect((error as Error).message).toBe("key tkm_*** is invalid; did you mean tml_***?");
  });

  it("from connection, timeout and validation errors", async () => {
    server.use(http.get(`${BASE}/v1/me`, () => HttpResponse.error()));
    const { client } = makeClient({ maxRetries: 1 });
    assertClean(printedError(await client.me().catch((e: unknown) => e)));
    assertClean(printedError(await client.apiKeys.get("").catch((e: unknown) => e)));
    const bad = (() => {
      try {
        makeClient({ timeoutMs: -1 });
      } catch (e) {
        return e;
      }
    })();
    assertClean(printedError(bad));
  });

  it("from the log lines, through create, retries, pacing and failures", async () => {
    const lines: string[] = [];
    const logger = { debug: (line: string) => lines.push(line) };
    let calls = 0;
    server.use(
      http.post(`${BASE}/v1/api-keys`, () => {
        calls++;
        if (calls === 1) return HttpResponse.error();
        if (calls === 2)
          return HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", `slow down ${API_KEY}`), { status: 429 });
        return HttpResponse.json(
          { data: { ...apiKeyFixture(), secret: SECRET } },
          {
            status: 201,
            headers: { "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1", Date: new Date().toUTCString() },
          },
        );
      }),
      http.get(`${BASE}/v1/me`, () => HttpResponse.json(errorBody(403, "FORBIDDEN", `no ${API_KEY}`), { status: 403 })),
    );
    const { client } = makeClient({ logger });
    const created = await client.apiKeys.create({ name: "x", scopes: ["read"] });
    await client.me().catch(() => undefined);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.some((line) => line.includes("retrying"))).toBe(true);
    for (const line of lines) assertClean(line);
    assertClean(inspect(created, { depth: 10 }));
    assertClean(JSON.stringify(created));
    expect(created.secret.reveal()).toBe(SECRET);
  });

  it("from the Request and Response that openapi-fetch middleware sees", async () => {
    server.use(
      http.get(`${BASE}/v1/health`, () => HttpResponse.json({ data: { status: "ok", version: "1", timestamp: "x" } })),
    );
    const { client } = makeClient();
    const seen: string[] = [];
    client.raw.use({
      onRequest: ({ request }) => {
        seen.push(JSON.stringify([...request.headers]));
      },
      onResponse: ({ request, response }) => {
        seen.push(JSON.stringify([...request.headers]), JSON.stringify([...response.headers]), inspect(request));
      },
    });
    await client.raw.GET("/v1/health");
    expect(seen).toHaveLength(4);
    for (const text of seen) assertClean(text);
  });
});

describe("Redactor (as the sinks use it)", () => {
  it("masks every occurrence of every registered value, a containing value whole", () => {
    const redactor = new Redactor(["s3cr3t-value-1", "token-abcdef-2", "abcdefgh", "xxabcdefghxx"]);
    expect(redactor.redact("a s3cr3t-value-1 b token-abcdef-2 c s3cr3t-value-1")).toBe("a *** b *** c ***");
    expect(redactor.redact("[xxabcdefghxx]")).toBe("[***]");
  });

  it("ignores empty and very short values, which would mask ordinary text", () => {
    const redactor = new Redactor(["", "ab", undefined]);
    expect(redactor.redact("ab cd")).toBe("ab cd");
    expect(redactor.longest).toBe(0);
  });
});

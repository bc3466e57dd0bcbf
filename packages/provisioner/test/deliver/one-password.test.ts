import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OnePasswordSinkConfig } from "../../src/deliver/config.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { DeliveryError, deliverAll } from "../../src/deliver/index.js";
import { createOnePasswordSink } from "../../src/deliver/one-password.js";
import { base62, expectNoLeak, makeContext, makeSecret, recordingSleep, rejectionOf } from "./helpers.js";

const CONNECT = "https://op-connect.internal:8080";
const TOKEN = `eyJhbGciOiJFUzI1NiIs.${base62(60)}`;
const VAULT_ID = "ftz4pm2xxwmwrsd7rjqn7grzfz";
const ITEM_ID = "2fcbqwe9ndg175zg2dzwftvkpa";
const ITEM_URL = `${CONNECT}/v1/vaults/${VAULT_ID}/items/${ITEM_ID}`;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A FullItem as Connect returns it. */
function item(fields: Array<{ id: string; label: string; type?: string; value?: string; purpose?: string }>) {
  return {
    id: ITEM_ID,
    title: "Timely billing-sync",
    vault: { id: VAULT_ID },
    category: "API_CREDENTIAL",
    version: 3,
    fields: fields.map((field) => ({ type: "STRING", ...field })),
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-11-01T00:00:00Z",
  };
}

interface Patch {
  headers: Headers;
  body: Array<{ op: string; path: string; value: unknown }>;
}

function serveItem(fields: Parameters<typeof item>[0]): Patch[] {
  const patches: Patch[] = [];
  server.use(
    http.get(ITEM_URL, ({ request }) => {
      expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
      return HttpResponse.json(item(fields));
    }),
    http.patch(ITEM_URL, async ({ request }) => {
      patches.push({ headers: request.headers, body: (await request.json()) as Patch["body"] });
      return HttpResponse.json(item(fields));
    }),
  );
  return patches;
}

function sinkFor(config: Omit<OnePasswordSinkConfig, "type" | "vault" | "item"> = {}) {
  return createOnePasswordSink({ type: "onePassword", vault: VAULT_ID, item: ITEM_ID, ...config }, "/manifests");
}

const env = { OP_CONNECT_HOST: CONNECT, OP_CONNECT_TOKEN: TOKEN };

describe("onePassword sink", () => {
  it("replaces the value of the field labelled credential with a JSON Patch", async () => {
    const { value, secret } = makeSecret();
    const patches = serveItem([
      { id: "username", label: "username", value: "billing" },
      { id: "credential", label: "credential", type: "CONCEALED", value: "tml_old" },
    ]);
    const config: OnePasswordSinkConfig = { type: "onePassword", vault: VAULT_ID, item: ITEM_ID };
    const sink = createOnePasswordSink(config, "/manifests");
    expect(sink.destination).toBe(sinkDestination(config, "/manifests"));
    const ctx = makeContext({ env });
    await sink.deliver(secret, ctx);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual([{ op: "replace", path: "/fields/credential/value", value }]);
    expect(patches[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(patches[0]?.headers.get("content-type")).toContain("application/json");
    expect(ctx.logs.join("\n")).toContain("updated field credential");
    expectNoLeak([value, TOKEN], ctx.logs);
  });

  it("finds a custom field by its label and patches it by its id", async () => {
    const { value, secret } = makeSecret();
    const patches = serveItem([
      { id: "k3v5fz2wpd6lqdm4o3ygy3pcxu", label: "Timely API key", type: "CONCEALED", value: "x" },
    ]);
    await sinkFor({ field: "Timely API key" }).deliver(secret, makeContext({ env }));
    expect(patches[0]?.body).toEqual([{ op: "replace", path: "/fields/k3v5fz2wpd6lqdm4o3ygy3pcxu/value", value }]);
  });

  it("finds a field by its id", async () => {
    const patches = serveItem([{ id: "k3v5fz2wpd6lqdm4o3ygy3pcxu", label: "key" }]);
    await sinkFor({ field: "k3v5fz2wpd6lqdm4o3ygy3pcxu" }).deliver(makeSecret().secret, makeContext({ env }));
    expect(patches[0]?.body[0]?.path).toBe("/fields/k3v5fz2wpd6lqdm4o3ygy3pcxu/value");
  });

  it("adds a concealed field when the item has none by that label", async () => {
    const { value, secret } = makeSecret();
    const patches = serveItem([{ id: "notesPlain", label: "notesPlain", purpose: "NOTES" }]);
    const ctx = makeContext({ env });
    await sinkFor({ field: "api key" }).deliver(secret, ctx);
    expect(patches[0]?.body).toEqual([
      { op: "add", path: "/fields", value: { label: "api key", type: "CONCEALED", value } },
    ]);
    expect(ctx.logs.join("\n")).toContain("added field api key");
  });

  it("refuses an ambiguous label", async () => {
    const patches = serveItem([
      { id: "a1", label: "credential" },
      { id: "b2", label: "credential" },
    ]);
    const error = await rejectionOf(sinkFor().deliver(makeSecret().secret, makeContext({ env })));
    expect((error as DeliveryError).message).toContain('2 fields labelled "credential"');
    expect(patches).toHaveLength(0);
  });

  it.each([
    [401, "Invalid token signature", "was rejected"],
    [403, "Token does not have access to vault", "may not write"],
    [404, "Item not found", "check the vault and item ids"],
  ])("reports %i from Connect as not retryable, without the token or secret", async (status, message, hint) => {
    const { value, secret } = makeSecret();
    let reads = 0;
    server.use(
      http.get(ITEM_URL, () => {
        reads += 1;
        return HttpResponse.json({ status, message }, { status });
      }),
    );
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor()], ctx, recordingSleep());
    expect(reads).toBe(1);
    expect(report.error).toBeInstanceOf(DeliveryError);
    expect(report.error?.retryable).toBe(false);
    expect(report.error?.message).toContain(`HTTP ${status} (${message})`);
    expect(report.error?.message).toContain(hint);
    expect(report.error?.message).toContain(ctx.keyId);
    expectNoLeak([value, TOKEN], report, report.error, ctx.logs);
  });

  it("reports a 400 on the patch as not retryable", async () => {
    server.use(
      http.get(ITEM_URL, () => HttpResponse.json(item([{ id: "credential", label: "credential" }]))),
      http.patch(ITEM_URL, () => HttpResponse.json({ status: 400, message: "Invalid item patch" }, { status: 400 })),
    );
    const { value, secret } = makeSecret();
    const error = await rejectionOf(sinkFor().deliver(secret, makeContext({ env })));
    expect((error as DeliveryError).message).toContain("Invalid item patch");
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).maybeDelivered).toBe(false);
    expectNoLeak([value, TOKEN], error);
  });

  it("retries 5xx and 429 per the SDK's policy, honouring Retry-After", async () => {
    const { value, secret } = makeSecret();
    let patches = 0;
    server.use(
      http.get(ITEM_URL, () => HttpResponse.json(item([{ id: "credential", label: "credential" }]))),
      http.patch(ITEM_URL, () => {
        patches += 1;
        if (patches === 1) return HttpResponse.json({ status: 503, message: "sync in progress" }, { status: 503 });
        if (patches === 2)
          return HttpResponse.json(
            { status: 429, message: "too many requests" },
            { status: 429, headers: { "Retry-After": "2" } },
          );
        return HttpResponse.json(item([{ id: "credential", label: "credential" }]));
      }),
    );
    const { sleeps, sleep } = recordingSleep();
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor()], ctx, { sleep, random: () => 0.5 });
    expect(report.ok).toBe(true);
    expect(patches).toBe(3);
    expect(report.results[0]?.attempts).toBe(1);
    // Backoff 0.5 * 500 ms after the 503; Retry-After (2 s) over the 0.5 * 1000 ms backoff after the 429.
    expect(sleeps).toEqual([250, 2000]);
    expectNoLeak([value, TOKEN], report, ctx.logs);
  });

  it("needs a Connect host and a token", async () => {
    const noHost = await rejectionOf(
      sinkFor().deliver(makeSecret().secret, makeContext({ env: { OP_CONNECT_TOKEN: TOKEN } })),
    );
    expect((noHost as Error).message).toContain("OP_CONNECT_HOST");
    const noToken = await rejectionOf(
      sinkFor({ tokenEnv: "OP_TOKEN_BILLING" }).deliver(
        makeSecret().secret,
        makeContext({ env: { OP_CONNECT_HOST: CONNECT } }),
      ),
    );
    expect((noToken as Error).message).toContain("OP_TOKEN_BILLING");
  });
});

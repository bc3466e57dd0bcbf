// The SDK against the running emulator over real HTTP: every operation, pagination across pages,
// a 429 absorbed by retries, and a create retried after a lost answer that yields one key.
import type { Emulator } from "@timely-keys/emulator";
import { AuthenticationError, NotFoundError, PermissionError, TimelyClient, ValidationError } from "@timely-keys/sdk";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OWNER_TOKEN, VIEWER_TOKEN, secretsOf, startTestEmulator, testSeed } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";

let emulator: Emulator;
let client: TimelyClient;
const printed: string[] = [];

beforeAll(async () => {
  const seed = testSeed();
  seed.workspaces![0]!.generated_keys = 260;
  emulator = await startTestEmulator(seed, { rateLimit: 100_000 });
  client = new TimelyClient({
    apiKey: OWNER_TOKEN,
    baseUrl: emulator.url,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    logger: { debug: (line) => printed.push(line) },
  });
});

afterAll(async () => {
  expectNoLeaks({ printed: printed.join("\n") }, secretsOf(emulator));
  expect(emulator.contractViolations().filter((v) => v.kind === "response")).toEqual([]);
  await emulator.close();
});

describe("SDK against the emulator", () => {
  it("health and me", async () => {
    expect((await client.health()).status).toBe("ok");
    const me = await client.me();
    expect(me.principal).toBe("member");
    expect(me.role).toBe("owner");
  });

  it("lists every key across pages with exactly ceil(N/100) requests", async () => {
    const before = emulator.requests().length;
    const ids = new Set<string>();
    for await (const key of client.apiKeys.list()) ids.add(key.id);
    expect(ids.size).toBe(260);
    const listCalls = emulator
      .requests()
      .slice(before)
      .filter((r) => r.path.startsWith("/v1/api-keys"));
    expect(listCalls).toHaveLength(3);
    const page = await client.apiKeys.listPage({ page: 2, perPage: 100 });
    expect(page.meta).toMatchObject({ page: 2, per_page: 100, total: 260, total_pages: 3 });
  });

  it("create, use, get, update, deactivate, activate, usage, revoke", async () => {
    const { key, secret } = await client.apiKeys.create({ name: "E2E", scopes: ["read"], expires_in_days: 30 });
    printed.push(inspect(secret), JSON.stringify({ key, secret }), String(secret));
    expect(secret.reveal()).toMatch(/^tml_[A-Za-z0-9]{32,}$/);
    const user = new TimelyClient({ apiKey: secret.reveal(), baseUrl: emulator.url, maxRetries: 0 });
    expect((await user.me()).key_id).toBe(key.id);
    await user.raw.GET("/v1/agents", {});

    expect((await client.apiKeys.get(key.id)).name).toBe("E2E");
    expect((await client.apiKeys.update(key.id, { name: "E2E renamed" })).name).toBe("E2E renamed");
    await expect(client.apiKeys.update(key.id, { scopes: ["write"] } as never)).rejects.toBeInstanceOf(ValidationError);

    expect((await client.apiKeys.deactivate(key.id)).status).toBe("inactive");
    await expect(user.me()).rejects.toBeInstanceOf(AuthenticationError);
    expect((await client.apiKeys.activate(key.id)).status).toBe("active");
    expect((await user.me()).key_id).toBe(key.id);

    const usage = await client.apiKeys.usage(key.id);
    expect(usage.total_requests).toBeGreaterThanOrEqual(3);
    expect(usage.top_endpoints.map((e) => e.path)).toContain("/v1/me");

    await client.apiKeys.revoke(key.id);
    await expect(client.apiKeys.get(key.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(user.me()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("a viewer cannot manage keys", async () => {
    const viewer = new TimelyClient({ apiKey: VIEWER_TOKEN, baseUrl: emulator.url, maxRetries: 0 });
    await expect(viewer.apiKeys.create({ name: "nope", scopes: ["read"] })).rejects.toBeInstanceOf(PermissionError);
  });

  it("absorbs a 429 with Retry-After by retrying", async () => {
    emulator.faults.set({ fail_nth: { n: 1, kind: "429" }, when: "before" });
    try {
      const before = client.stats.rateLimited;
      expect((await client.me()).principal).toBe("member");
      expect(client.stats.rateLimited).toBe(before + 1);
    } finally {
      emulator.faults.clear();
    }
  });

  it("a create whose answer was lost is retried with its Idempotency-Key and yields one key", async () => {
    const count = async () => (await client.apiKeys.listPage({ perPage: 1 })).meta.total;
    const before = await count();
    emulator.faults.set({ fail_nth: { n: 1, kind: "drop" }, when: "after" });
    try {
      const { key, replayed } = await client.apiKeys.create({ name: "Once", scopes: ["read"] });
      expect(replayed).toBe(true);
      expect((await client.apiKeys.get(key.id)).name).toBe("Once");
    } finally {
      emulator.faults.clear();
    }
    expect(await count()).toBe(before + 1);
  });

  it("never shows the credential", () => {
    expect(inspect(client)).not.toContain(OWNER_TOKEN);
    expect(JSON.stringify(client)).not.toContain(OWNER_TOKEN);
  });
});

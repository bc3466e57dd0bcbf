import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSeed, parseSeed, startEmulator, validateSeed, type Emulator } from "../src/index.js";
import { call, expectNoResponseViolations, withEmulator } from "./helpers.js";

const exampleSeed = fileURLToPath(new URL("../../../examples/emulator-seed.yaml", import.meta.url));
const token = (label: string) => `tkm_${label.padEnd(40, "0")}`;
const secret = `tml_${"SeedSecret".padEnd(40, "1")}`;

describe("parseSeed errors", () => {
  it.each([
    [
      `workspaces:\n  - name: a\n    members:\n      - { name: A, role: boss, token: ${token("A")} }\n`,
      "seed.yaml:4:26: workspaces[0].members[0].role: must be one of owner, manager, member, viewer",
    ],
    ["workspaces:\n  - name: a\n    colour: blue\n", "seed.yaml:3:13: workspaces[0].colour: unknown field"],
    ["workspaces:\n  - members: []\n", "seed.yaml:2:5: workspaces[0].name: is required"],
    ["workspaces:\n  - name: a\n  - name: a\n", "seed.yaml:3:11: workspaces[1].name: duplicate workspace name"],
    ["company_id: 42\n", "seed.yaml:1:13: company_id: must be a UUID"],
    ["rate_limit: 0\n", "seed.yaml:1:13: rate_limit: must be between 1 and 1000000"],
    [
      "workspaces:\n  - name: a\n    conversations: 3\n",
      "workspaces[0].conversations: conversations need at least one agent",
    ],
    [
      "workspaces:\n  - name: a\n    keys:\n      - { name: k, scopes: [read, root] }\n",
      "workspaces[0].keys[0].scopes[1]: must be one of read, write",
    ],
    [
      "workspaces:\n  - name: a\n    keys:\n      - { name: k, scopes: [] }\n",
      "workspaces[0].keys[0].scopes: must list at least one scope",
    ],
    [
      "workspaces:\n  - name: a\n    keys:\n      - { name: k, scopes: [read], created_at: yesterday }\n",
      "workspaces[0].keys[0].created_at: must be an ISO 8601 date-time",
    ],
    [
      "workspaces:\n  - name: a\n    keys:\n      - { name: k, scopes: [read], expires_in_days: 0 }\n",
      "workspaces[0].keys[0].expires_in_days: must be between 1 and 3650",
    ],
    ["workspaces: [\n", "seed.yaml:2:1: invalid YAML"],
    ["- just a list\n", "seed.yaml:1:1: must be a mapping"],
  ])("%#: names the place and the field", (yaml, message) => {
    expect(() => parseSeed(yaml, "seed.yaml")).toThrow(message);
  });

  it("never repeats a token or secret value in its message", () => {
    const short = "tkm_tooShort";
    expect(() =>
      parseSeed(`workspaces:\n  - name: a\n    members:\n      - { name: A, role: owner, token: ${short} }\n`, "s"),
    ).toThrow(/members\[0\]\.token: must be tkm_ followed by at least 32 base62 characters \(value not shown\)/);
    try {
      parseSeed(`workspaces:\n  - name: a\n    members:\n      - { name: A, role: owner, token: ${short} }\n`, "s");
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    const twice =
      `workspaces:\n  - name: a\n    keys:\n      - { name: k, scopes: [read], secret: ${secret} }\n     ` +
      ` - { name: l, scopes: [read], secret: ${secret} }\n`;
    expect(() => parseSeed(twice)).toThrow(/keys\[1\]\.secret: is used twice/);
    try {
      parseSeed(twice);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it("validates seed objects the same way", () => {
    expect(() => validateSeed({ workspaces: [{ name: "a", generated_keys: -1 }] })).toThrow(
      "workspaces[0].generated_keys: must be between 0",
    );
  });
});

describe("loadSeed", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "emulator-seed-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("loads the demo seed", async () => {
    const seed = await loadSeed(exampleSeed);
    expect(seed.workspaces?.map((w) => w.name)).toEqual(["acme-prod", "acme-staging"]);
    expect(seed.workspaces?.[0]?.members?.map((m) => m.role)).toEqual(["owner", "viewer"]);
    expect(seed.workspaces?.[1]?.members?.map((m) => m.role)).toEqual(["manager"]);
    expect(seed.workspaces?.[0]?.keys?.[0]?.description).not.toMatch(/\[tk:/);
  });

  it("names the file when it is missing or broken", async () => {
    await expect(loadSeed(join(dir, "missing.yaml"))).rejects.toThrow(
      /missing\.yaml: cannot read the seed file \(ENOENT\)/,
    );
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "workspaces:\n  - name: x\n    agents: many\n");
    await expect(loadSeed(broken)).rejects.toThrow(`${broken}:3:13: workspaces[0].agents: must be an integer`);
    await expect(startEmulator({ seed: broken })).rejects.toThrow("workspaces[0].agents");
  });
});

describe("a seeded emulator", () => {
  const owner = token("SeedOwner");
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({
      validateContract: true,
      now: "2030-03-01T00:00:00Z",
      seed: {
        company_id: "11111111-2222-4333-8444-555555555555",
        workspaces: [
          {
            name: "seeded",
            members: [{ name: "Owner", role: "owner", token: owner }],
            keys: [
              {
                name: "Known",
                scopes: ["read"],
                secret,
                created_at: "2030-01-01T00:00:00Z",
                request_count: 12,
                last_used_at: "2030-02-01T00:00:00Z",
              },
              {
                name: "Paused",
                scopes: ["agents"],
                status: "inactive",
                secret: `tml_${"Paused".padEnd(40, "2")}`,
                deactivated_at: "2030-02-15T00:00:00Z",
              },
              {
                id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
                name: "Expiring",
                scopes: ["read"],
                expires_in_days: 30,
                created_at: "2030-01-01T00:00:00Z",
                secret: `tml_${"Expiring".padEnd(40, "3")}`,
              },
            ],
            generated_keys: 10_000,
          },
        ],
      },
    });
  });
  afterAll(async () => {
    expectNoResponseViolations(em);
    await em.close();
  });

  it("serves the seeded keys with their declared fields", async () => {
    const me = await call(em.url, "GET", "/v1/me", { token: secret });
    expect(me.body.data).toMatchObject({ key_name: "Known", company_id: "11111111-2222-4333-8444-555555555555" });
    expect((await call(em.url, "GET", "/v1/me", { token: `tml_${"Paused".padEnd(40, "2")}` })).status).toBe(401);
    // Expired on 2030-01-31, and now is 2030-03-01.
    expect((await call(em.url, "GET", "/v1/me", { token: `tml_${"Expiring".padEnd(40, "3")}` })).status).toBe(401);
    const known = em.state().workspaces[0]!.keys.find((k) => k.name === "Known")!;
    expect(known).toMatchObject({
      request_count: 13,
      created_at: "2030-01-01T00:00:00.000Z",
      prefix: `${secret.slice(0, 8)}...`,
    });
    const paused = em.state().workspaces[0]!.keys.find((k) => k.name === "Paused")!;
    expect(paused).toMatchObject({ status: "inactive", deactivated_at: "2030-02-15T00:00:00.000Z" });
    expect(em.state().workspaces[0]!.keys.find((k) => k.name === "Expiring")!.id).toBe(
      "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    );
  });

  it("lists its 10,003 keys (10,000 generated) in pages of 100, in stable order, each once", async () => {
    const seen = new Set<string>();
    let previous = "";
    for (let page = 1; page <= 101; page++) {
      const reply = await call(em.url, "GET", `/v1/api-keys?per_page=100&page=${page}`, { token: owner });
      expect(reply.body.meta).toEqual({ page, per_page: 100, total: 10_003, total_pages: 101 });
      expect(reply.body.data).toHaveLength(page === 101 ? 3 : 100);
      for (const key of reply.body.data) {
        seen.add(key.id);
        const order = `${key.created_at}|${key.id}`;
        expect(order > previous).toBe(true);
        previous = order;
      }
      // Step past the rate limit with the emulated clock instead of waiting.
      if (page % 90 === 0) em.clock.advance(61);
    }
    expect(seen.size).toBe(10_003);
    const past = await call(em.url, "GET", "/v1/api-keys?per_page=100&page=102", { token: owner });
    expect(past.body.data).toEqual([]);
    const inactive = await call(em.url, "GET", "/v1/api-keys?per_page=100&status=inactive", { token: owner });
    expect(inactive.body.data.map((k: { name: string }) => k.name)).toEqual(["Paused"]);
  });

  it("derives workspace ids from names, so they are stable across starts", async () => {
    await withEmulator({ seed: { workspaces: [{ name: "seeded" }] } }, async (again) => {
      expect(again.state().workspaces[0]!.id).toBe(em.state().workspaces[0]!.id);
    });
  });
});

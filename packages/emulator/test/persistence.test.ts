import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/index.js";
import { StateWriter, type StateFile } from "../src/persistence.js";
import { hashCredential } from "../src/secrets.js";
import { call, expectNoResponseViolations, testSeed, tokens } from "./helpers.js";

let dir: string;
let statePath: string;
const running: Emulator[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "emulator-state-"));
  statePath = join(dir, "nested", "state.json");
});
afterEach(async () => {
  for (const em of running.splice(0)) {
    expectNoResponseViolations(em);
    await em.close();
  }
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const em = await startEmulator({ seed: testSeed, state: statePath, validateContract: true, ...options });
  running.push(em);
  return em;
}

const readState = async (): Promise<StateFile> => JSON.parse(await readFile(statePath, "utf8")) as StateFile;

describe("state file", () => {
  it("is written from the seed at start, holding token hashes but never tokens", async () => {
    await start();
    const text = await readFile(statePath, "utf8");
    const state = JSON.parse(text) as StateFile;
    expect(state.workspaces.map((w) => w.name)).toEqual(["alpha", "beta"]);
    expect(state.workspaces[0]!.members[0]!.token_sha256).toBe(hashCredential(tokens.owner));
    for (const token of Object.values(tokens)) expect(text).not.toContain(token);
  });

  it("survives a restart: keys, usage and the secret's validity, without storing the secret or replays", async () => {
    const em = await start();
    const created = await call(em.url, "POST", "/v1/api-keys", {
      token: tokens.owner,
      body: { name: "CRM", scopes: ["read"] },
      headers: { "Idempotency-Key": "persist-1" },
    });
    const secret: string = created.body.data.secret;
    await call(em.url, "GET", "/v1/agents", { token: secret });
    em.clock.advance(3600);
    await em.close();

    const text = await readFile(statePath, "utf8");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("persist-1");
    expect(text).toContain(hashCredential(secret));
    expect(text).toContain(created.body.data.id);

    const again = await start();
    const me = await call(again.url, "GET", "/v1/me", { token: secret });
    expect(me.status).toBe(200);
    expect(me.body.data.key_id).toBe(created.body.data.id);
    const usage = await call(again.url, "GET", `/v1/api-keys/${created.body.data.id}/usage`, { token: tokens.owner });
    expect(usage.body.data.total_requests).toBe(2);
    expect(usage.body.data.top_endpoints.map((e: { path: string }) => e.path).sort()).toEqual(["/v1/agents", "/v1/me"]);
    // The clock offset carries over; replays do not (the cache lived in memory only).
    expect(again.clock.now().getTime() - Date.now()).toBeGreaterThan(3_500_000);
    const replay = await call(again.url, "POST", "/v1/api-keys", {
      token: tokens.owner,
      body: { name: "CRM", scopes: ["read"] },
      headers: { "Idempotency-Key": "persist-1" },
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("false");
  });

  it("follows mutations (written after each change) and leaves no temporary files", async () => {
    const em = await start();
    const created = await call(em.url, "POST", "/v1/api-keys", {
      token: tokens.owner,
      body: { name: "CRM", scopes: ["read"] },
    });
    await call(em.url, "POST", `/v1/api-keys/${created.body.data.id}/deactivate`, { token: tokens.owner });
    await em.close();
    const state = await readState();
    expect(state.workspaces[0]!.keys).toEqual([
      expect.objectContaining({ id: created.body.data.id, status: "inactive" }),
    ]);
    expect(await readdir(join(dir, "nested"))).toEqual(["state.json"]);
  });

  it("wins over the seed when it exists; reset goes back to the seed and rewrites it", async () => {
    const em = await start();
    await call(em.url, "POST", "/v1/api-keys", { token: tokens.owner, body: { name: "CRM", scopes: ["read"] } });
    await em.close();
    const again = await start({ seed: { workspaces: [] } });
    expect(again.state().workspaces[0]!.keys).toHaveLength(1);
    again.reset();
    await again.close();
    expect((await readState()).workspaces).toEqual([]);
  });

  it("refuses a file that is not a state file, clearly", async () => {
    await writeFile(join(dir, "bad.json"), "{not json");
    await expect(startEmulator({ state: join(dir, "bad.json") })).rejects.toThrow(
      /bad\.json: the state file is not valid JSON/,
    );
    await writeFile(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    await expect(startEmulator({ state: join(dir, "other.json") })).rejects.toThrow(
      /not a timely-keys emulator state file/,
    );
  });
});

describe("StateWriter", () => {
  it("coalesces a burst of changes into one write", async () => {
    let snapshots = 0;
    const writer = new StateWriter(join(dir, "w.json"), () => {
      snapshots++;
      return { n: snapshots } as unknown as StateFile;
    });
    for (let i = 0; i < 50; i++) writer.schedule();
    await writer.flush();
    expect(snapshots).toBe(1);
    writer.schedule();
    await writer.flush();
    expect(snapshots).toBe(2);
    await writer.flush();
    expect(snapshots).toBe(2);
    expect(JSON.parse(await readFile(join(dir, "w.json"), "utf8"))).toEqual({ n: 2 });
  });
});

// The CLI as users run it (a subprocess) against the emulator over HTTP: apply converges, drift is
// shown and reverted, a scope change is a zero-downtime replacement, saved plans are checked.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, STAGING_TOKEN, mutations, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { crmEntry, type EntryFields, entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

const manifest = (crm: EntryFields) =>
  manifestYaml({
    workspaces: [
      workspace({
        keys: [
          crmEntry({ description: "Syncs contacts.", expiresInDays: 90, ...crm }),
          entry("pipeline", {
            name: "Data Pipeline",
            scopes: ["read", "analytics"],
            expiresInDays: 180,
            deliver: [fileSink("./secrets/pipeline.json", { format: "json", variable: "apiKey" })],
          }),
        ],
      }),
      workspace({
        name: "acme-staging",
        tokenEnv: "STAGING_TOKEN",
        keys: [entry("qa", { name: "QA Smoke Tests", deliver: [fileSink("./secrets/qa.key", { format: "raw" })] })],
      }),
    ],
  });

let emulator: Emulator;
let work: Workdir;
let env: NodeJS.ProcessEnv;

const cli = (...args: string[]) => runCli(args, { env, cwd: work.dir });

async function adminFetch(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    ...init,
    headers: { "x-api-key": OWNER_TOKEN, "content-type": "application/json", ...init.headers },
  });
}

async function liveKeys(): Promise<
  Array<{ id: string; name: string; description: string; status: string; scopes: string[] }>
> {
  const answer = await adminFetch("/v1/api-keys?per_page=100");
  return (
    (await answer.json()) as {
      data: Array<{ id: string; name: string; description: string; status: string; scopes: string[] }>;
    }
  ).data;
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  work = makeWorkdir(manifest({ scopes: ["read", "conversations"] }));
  env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN, STAGING_TOKEN };
});

afterAll(async () => {
  // Nothing any run printed or wrote (outside the sinks' own files) holds a secret or a token.
  expectNoLeaks(
    {
      transcript: transcript.join("\n"),
      ...filesUnder(work.dir, [
        join(work.dir, "secrets/crm.env"),
        join(work.dir, "secrets/pipeline.json"),
        join(work.dir, "secrets/qa.key"),
      ]),
    },
    secretsOf(emulator),
  );
  expect(emulator.contractViolations().filter((v) => v.kind === "response")).toEqual([]);
  await emulator.close();
  work.cleanup();
});

describe("plan, apply, plan", () => {
  it("plans the creates and exits 2 with --detailed-exitcode", async () => {
    const run = await cli("plan", "--detailed-exitcode");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to retire.");
    expect(mutations(emulator)).toBe(0);
  });

  it("applies: every key is created, delivered, verified and marked current", async () => {
    const run = await cli("apply", "--auto-approve");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("Apply complete! 3 done, 0 failed, 0 skipped.");
    const keys = await liveKeys();
    expect(keys.map((k) => k.description).sort()).toEqual(
      [expect.stringMatching(/\[tk:crm#1 @\d+ ~[0-9a-f]{4}\]$/), expect.stringMatching(/\[tk:pipeline#1 @\d+/)].sort(),
    );
    const env = readFileSync(join(work.dir, "secrets/crm.env"), "utf8");
    expect(env).toMatch(/^TIMELY_API_KEY=tml_[A-Za-z0-9]{32,}\n$/);
    const json = JSON.parse(readFileSync(join(work.dir, "secrets/pipeline.json"), "utf8")) as { apiKey: string };
    expect(json.apiKey).toMatch(/^tml_/);
    // The delivered secret works.
    const me = await fetch(`${emulator.url}/v1/me`, { headers: { "x-api-key": json.apiKey } });
    expect(me.status).toBe(200);
  });

  it("then plans no changes: --detailed-exitcode exits 0", async () => {
    const run = await cli("plan", "--detailed-exitcode");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("No changes.");
  });
});

describe("drift", () => {
  it("shows a name edited outside, a deactivated key and an unmanaged key, and reverts the managed ones", async () => {
    const [crm] = (await liveKeys()).filter((k) => k.description.includes("[tk:crm#"));
    expect(crm).toBeDefined();
    await adminFetch(`/v1/api-keys/${crm!.id}`, { method: "PATCH", body: JSON.stringify({ name: "Renamed by hand" }) });
    const [pipeline] = (await liveKeys()).filter((k) => k.description.includes("[tk:pipeline#"));
    await adminFetch(`/v1/api-keys/${pipeline!.id}/deactivate`, { method: "POST" });
    await adminFetch("/v1/api-keys", {
      method: "POST",
      body: JSON.stringify({ name: "Someone's laptop", scopes: ["read"] }),
    });

    const plan = await cli("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("Renamed by hand");
    expect(plan.stdout).toMatch(/edited_outside|edited outside/);
    expect(plan.stdout).toContain("Someone's laptop");

    const apply = await cli("apply", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const keys = await liveKeys();
    expect(keys.find((k) => k.id === crm!.id)?.name).toBe("CRM Integration");
    expect(keys.find((k) => k.id === pipeline!.id)?.status).toBe("active");
    // The unmanaged key is reported, not touched (policy unmanaged: report).
    expect(keys.find((k) => k.name === "Someone's laptop")?.status).toBe("active");
    const again = await cli("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("Someone's laptop");
  });
});

describe("replace", () => {
  it("a scopes change plans -/+ and ends with exactly one active key with the new scopes", async () => {
    work.write(manifest({ scopes: ["read", "conversations", "agents"] }));
    const plan = await cli("plan");
    expect(plan.stdout).toContain("-/+");
    expect(plan.stdout).toContain("1 to replace");
    const apply = await cli("apply", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    // The successor is current; the old key drains (still active until its consumers moved).
    emulator.clock.advance(8 * 86_400 + 60); // past the longest grace
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const crmKeys = (await liveKeys()).filter((k) => k.description.includes("[tk:crm#"));
    const active = crmKeys.filter((k) => k.status === "active");
    expect(active).toHaveLength(1);
    expect(active[0]!.scopes.sort()).toEqual(["agents", "conversations", "read"]);
  });
});

describe("saved plans", () => {
  it("applies a fresh saved plan exactly, and refuses a stale one", async () => {
    work.write(manifest({ scopes: ["read", "conversations", "agents"], description: "Syncs contacts and deals." }));
    const saved = join(work.dir, "plan.json");
    expect((await cli("plan", "--out", saved)).code).toBe(0);
    const staleSaved = join(work.dir, "stale.json");
    expect((await cli("plan", "--out", staleSaved)).code).toBe(0);

    const apply = await cli("apply", saved);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const before = mutations(emulator);
    const stale = await cli("apply", staleSaved);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale/);
    expect(mutations(emulator)).toBe(before);
  });

  it("refuses a saved plan that was edited", async () => {
    const saved = join(work.dir, "edited.json");
    expect((await cli("plan", "--out", saved)).code).toBe(0);
    const text = readFileSync(saved, "utf8").replace("acme-prod", "acme-prox");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(saved, text);
    const run = await cli("apply", saved);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/modified/);
  });
});

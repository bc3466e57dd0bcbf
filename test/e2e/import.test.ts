// import adopts an existing workspace: import 30 live keys, apply (writes the markers), plan: no changes.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, secretsOf, startTestEmulator, testSeed } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

let emulator: Emulator;
let work: Workdir;

beforeAll(async () => {
  const seed = testSeed();
  seed.workspaces![0]!.keys = Array.from({ length: 30 }, (_, i) => ({
    name: i === 7 ? "Zapier" : `Integration ${String(i).padStart(2, "0")}`,
    description: i % 3 === 0 ? "" : `Used by team ${i}`,
    scopes: i % 2 === 0 ? ["read"] : ["read", "analytics"],
    ...(i % 4 === 0 ? {} : { expires_in_days: 30 + i }),
    ...(i === 5 ? { status: "inactive" as const } : {}),
  }));
  seed.workspaces![0]!.keys.push({
    name: "Zapier",
    scopes: ["read", "write"],
    description: "second key with the same name",
  });
  emulator = await startTestEmulator(seed);
  work = makeWorkdir("");
});

afterAll(async () => {
  expectNoLeaks({ transcript: transcript.join("\n"), ...filesUnder(work.dir) }, secretsOf(emulator));
  await emulator.close();
  work.cleanup();
});

it("import, apply, plan: no changes", async () => {
  const env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN };
  const out = join(work.dir, "imported.yaml");
  const imported = await runCli(["import", "--workspace", "acme-prod", "--token-env", "PROD_TOKEN", "--out", out], {
    env,
    cwd: work.dir,
  });
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toContain("Imported 31 keys");
  const text = readFileSync(out, "utf8");
  // The published schema of this version: no path of the machine that ran import.
  expect(text).toMatch(
    new RegExp(
      String.raw`^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/@timely-keys\/provisioner@\d+\.\d+\.\d+` +
        String.raw`\/schema\/manifest\.schema\.json\n`,
    ),
  );
  expect(text.match(/adopt: /g)).toHaveLength(31);
  expect(text).toContain("id: zapier-2");

  // Refuses to overwrite.
  const again = await runCli(["import", "--workspace", "acme-prod", "--token-env", "PROD_TOKEN", "--out", out], {
    env,
    cwd: work.dir,
  });
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("already exists");

  // Valid, with a warning on each enabled entry (30 of 31; one key is inactive) until it gets a deliver: sink.
  const validated = await runCli(["validate", "-f", out], { env, cwd: work.dir });
  expect(validated.code, validated.stderr).toBe(0);
  // Grouped: the first three in full, then one line with the count, where, and how to silence them.
  expect(
    validated.stderr.match(/: warning\[entry-without-sinks\]: entry "[a-z0-9-]+" has no deliver sinks: /g),
  ).toHaveLength(3);
  expect(validated.stderr).toMatch(
    new RegExp(
      String.raw`^\S*imported\.yaml: warning\[entry-without-sinks\]: 27 more like the above ` +
        String.raw`at lines \d+, \d+, \d+, \d+, \d+, … \(30 in all\); to silence it, set ` +
        String.raw`policy\.rules: \{ entry-without-sinks: off \}$`,
      "m",
    ),
  );
  // ...plus one duplicate-name and one write-without-expiry warning.
  expect(validated.stderr.trimEnd().split("\n"), validated.stderr).toHaveLength(6);
  expect(validated.stderr).not.toMatch(/error\[/);
  const plan = await runCli(["plan", "-f", out, "--detailed-exitcode"], { env, cwd: work.dir });
  expect(plan.code, plan.stdout + plan.stderr).toBe(2);
  const apply = await runCli(["apply", "-f", out, "--auto-approve"], { env, cwd: work.dir });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  const after = await runCli(["plan", "-f", out, "--detailed-exitcode"], { env, cwd: work.dir });
  expect(after.code, after.stdout + after.stderr).toBe(0);
  expect(after.stdout).toContain("No changes.");
  // Adoption changed no key's name, scopes or status.
  const keys = emulator.state().workspaces.find((w) => w.name === "acme-prod")!.keys;
  expect(keys).toHaveLength(31);
  expect(keys.filter((k) => k.status === "inactive")).toHaveLength(1);
});

it("import to green: keys due for rotation but without sinks are warnings, not failing actions", async () => {
  const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
  const seed = testSeed();
  seed.workspaces![0]!.keys = [
    { name: "Legacy CRM", scopes: ["read"], created_at: old },
    { name: "Legacy bot", scopes: ["read", "agents"], created_at: old },
    { name: "Fresh", scopes: ["read"] },
  ];
  const aged = await startTestEmulator(seed);
  const dir = makeWorkdir("");
  try {
    const env = { TIMELY_API_URL: aged.url, PROD_TOKEN: OWNER_TOKEN };
    const out = dir.manifest;
    rmSync(out);
    const imported = await runCli(["import", "--workspace", "acme-prod", "--token-env", "PROD_TOKEN", "--out", out], {
      env,
      cwd: dir.dir,
    });
    expect(imported.code, imported.stderr).toBe(0);

    const apply = await runCli(["apply", "--auto-approve"], { env, cwd: dir.dir });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).not.toMatch(/FAILED|Apply failed/);
    // The plan before apply names why the old keys are not rotated and how to fix that.
    expect(apply.stdout).toMatch(
      new RegExp(
        String.raw`legacy-crm is due for rotation \(max age: .*\) but has no deliver sinks, ` +
          String.raw`so it is not rotated: add a deliver: sink`,
      ),
    );

    const plan = await runCli(["plan", "--detailed-exitcode"], { env, cwd: dir.dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("legacy-bot is due for rotation");
    expect(plan.stdout).not.toContain("fresh is due");
    const json = await runCli(["plan", "--json"], { env, cwd: dir.dir });
    const entries = (
      JSON.parse(json.stdout) as { workspaces: { entries: { entryId: string; unrotatable?: string }[] }[] }
    ).workspaces[0]!.entries;
    expect(
      entries
        .filter((e) => e.unrotatable === "no_sinks")
        .map((e) => e.entryId)
        .sort(),
    ).toEqual(["legacy-bot", "legacy-crm"]);
  } finally {
    await aged.close();
    dir.cleanup();
  }
});

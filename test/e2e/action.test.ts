// The GitHub Action as the runner runs it: packages/github-action/dist/index.js under the Node 24
// binary, inputs in INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, a workspace folder
// holding the manifest, against the emulator (TIMELY_API_URL). The steps follow one repository's
// life: plan, first apply, a clean check, a missed rotation window, the rotation 91 days on, and
// the alarm when the schedule stops.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSinks, type FakeSinks } from "../../packages/github-action/test/support/fake-sinks.js";
import {
  actionEntry,
  ensureNode24,
  runAction,
  visibleLog,
  type ActionRun,
} from "../../packages/github-action/test/support/run-action.js";
import { OWNER_TOKEN, STAGING_TOKEN, mutations, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { crmEntry, entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

const GITHUB_TOKEN = "ghs_FakeGithubTokenForTheActionE2e000000000001";
const AWS_SECRET_ACCESS_KEY = "FakeAwsSecretAccessKeyForTheActionE2e0000001";
const DAY = 86_400;

/** `sinks`: the URL of the fake GitHub and AWS APIs. */
const manifest = (sinks: string) =>
  manifestYaml({
    workspaces: [
      workspace({
        tokenEnv: "TIMELY_ACME_PROD_TOKEN",
        keys: [
          crmEntry({
            expiresInDays: undefined,
            deliver: [
              fileSink("./secrets/crm.env"),
              { type: "githubSecret", repository: "acme/app", secretName: "TIMELY_CRM_KEY", apiUrl: sinks },
            ],
          }),
          entry("reports", {
            name: "Monthly Reports",
            scopes: ["read", "analytics"],
            expiresInDays: 60,
            deliver: [{ type: "awsSecretsManager", secretId: "timely/reports", region: "us-east-1", endpoint: sinks }],
          }),
        ],
      }),
      workspace({
        name: "acme-staging",
        tokenEnv: "TIMELY_ACME_STAGING_TOKEN",
        keys: [entry("qa", { name: "QA Smoke Tests", deliver: [fileSink("./secrets/qa.key", { format: "raw" })] })],
      }),
    ],
  });

let emulator: Emulator;
let sinks: FakeSinks;
let work: Workdir;
const runs: ActionRun[] = [];

const stepEnv = (): NodeJS.ProcessEnv => ({
  TIMELY_API_URL: emulator.url,
  TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN,
  TIMELY_ACME_STAGING_TOKEN: STAGING_TOKEN,
  GITHUB_TOKEN,
  AWS_ACCESS_KEY_ID: "AKIAFAKEFORTHEACTIONE2E",
  AWS_SECRET_ACCESS_KEY,
  AWS_EC2_METADATA_DISABLED: "true",
});

async function action(inputs: Record<string, string>, env: NodeJS.ProcessEnv = stepEnv()): Promise<ActionRun> {
  const run = await runAction(inputs, { workspace: work.dir, env });
  runs.push(run);
  return run;
}

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((line) => line.includes(needle)) + 1;
}

interface LiveKey {
  id: string;
  description: string;
  status: string;
  created_at: string;
}

async function liveKeys(token: string): Promise<LiveKey[]> {
  const answer = await fetch(`${emulator.url}/v1/api-keys?per_page=100`, { headers: { "x-api-key": token } });
  return ((await answer.json()) as { data: LiveKey[] }).data;
}

/** Every token's add-mask line comes before any line that is not an add-mask line. */
function expectMasksFirst(run: ActionRun, tokens: readonly string[]): void {
  const lines = run.stdout.split("\n");
  const firstOther = lines.findIndex((line) => line !== "" && !line.startsWith("::add-mask::"));
  const firstWorkspace = lines.findIndex(
    (line) => !line.startsWith("::add-mask::") && /acme-(prod|staging)/.test(line),
  );
  for (const token of tokens) {
    const at = lines.indexOf(`::add-mask::${token}`);
    expect(at, `add-mask of ${token.slice(0, 8)}…`).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(firstOther === -1 ? lines.length : firstOther);
    if (firstWorkspace !== -1) expect(at).toBeLessThan(firstWorkspace);
  }
}

/**
 * Each secret minted in this run was registered with the runner before anything about its key was
 * printed: its add-mask line comes before the `created key <id>` line (the key found by asking
 * GET /v1/me with the secret itself).
 */
async function expectMintedMaskedFirst(run: ActionRun, minted: readonly string[]): Promise<void> {
  expect(minted.length).toBeGreaterThan(0);
  const lines = run.stdout.split("\n");
  for (const secret of minted) {
    const me = await fetch(`${emulator.url}/v1/me`, { headers: { "x-api-key": secret } });
    expect(me.status).toBe(200);
    const keyId = ((await me.json()) as { data: { key_id: string } }).data.key_id;
    const masked = lines.indexOf(`::add-mask::${secret}`);
    const firstMention = lines.findIndex((l) => l.includes(keyId));
    expect(masked).toBeGreaterThan(0);
    expect(firstMention).toBeGreaterThan(masked);
    expect(lines[firstMention]).toMatch(new RegExp(`: created key ${keyId}$`));
  }
}

beforeAll(async () => {
  ensureNode24();
  expect(existsSync(actionEntry), "packages/github-action/dist/index.js is built").toBe(true);
  emulator = await startTestEmulator();
  sinks = await startFakeSinks();
  work = makeWorkdir(manifest(sinks.url));
}, 180_000);

afterAll(async () => {
  // Nothing the runner would show, no summary, output or plan file, and nothing written in the
  // workspace outside the sinks' own files holds a secret or a token. GitHub only ever got sealed values.
  const secrets = [...secretsOf(emulator), GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY];
  const texts: Record<string, string> = { github: sinks.githubBodies() };
  runs.forEach((run, i) => {
    texts[`run ${i} log`] = visibleLog(run.stdout);
    texts[`run ${i} stderr`] = run.stderr;
    texts[`run ${i} summary`] = run.summary;
    texts[`run ${i} outputs`] = run.outputFile;
    const planFile = run.outputs["plan-json"];
    if (planFile && existsSync(planFile)) texts[`run ${i} plan.json`] = readFileSync(planFile, "utf8");
  });
  Object.assign(texts, filesUnder(work.dir, [join(work.dir, "secrets/crm.env"), join(work.dir, "secrets/qa.key")]));
  expectNoLeaks(texts, secrets);
  // In the raw stdout, a secret appears only in the add-mask command that registers it.
  for (const run of runs) {
    for (const line of run.stdout.split("\n").filter((l) => !l.startsWith("::add-mask::"))) {
      for (const secret of secrets) expect(line.includes(secret)).toBe(false);
    }
  }
  expect(emulator.contractViolations().filter((v) => v.kind === "response")).toEqual([]);
  await sinks.close();
  await emulator.close();
  work.cleanup();
});

describe("the action's bundle under Node 24, against the emulator", () => {
  it(
    "plan: sets the outputs and writes the job summary, changes nothing, and succeeds with changes " + "pending",
    async () => {
      const run = await action({ command: "plan" });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({
        changes: "true",
        "to-create": "3",
        "to-update": "0",
        "to-rotate": "0",
        "to-retire": "0",
        rotated: "",
        overdue: "",
      });
      const plan = JSON.parse(readFileSync(run.outputs["plan-json"] as string, "utf8")) as {
        format_version: number;
        changes: boolean;
        workspaces: Array<{ name: string; actions: Array<{ kind: string }> }>;
      };
      expect(plan.format_version).toBe(2);
      expect(plan.workspaces.map((w) => [w.name, w.actions.map((a) => a.kind)])).toEqual([
        ["acme-prod", ["create", "create"]],
        ["acme-staging", ["create"]],
      ]);
      expect(run.summary).toContain("## timely-keys plan");
      expect(run.summary).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to retire.");
      expect(run.summary).toContain("| Workspace | Key | Action | Reason | Rotation |");
      expect(run.summary).toMatch(/\| acme-prod \| `crm` \| \+ create \| missing \| new 1\/6 \|/);
      expect(run.stdout).toContain("Plan: 3 to create");
      expect(mutations(emulator)).toBe(0);
      expectMasksFirst(run, [OWNER_TOKEN, STAGING_TOKEN, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY]);
    },
  );

  it(
    "apply: creates, delivers (file, GitHub sealed box, AWS Secrets Manager from the bundle) and verifies " +
      "every key",
    async () => {
      const run = await action({ command: "apply" });
      expect(run.stderr).toBe("");
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain("Apply complete! 3 done, 0 failed, 0 skipped.");
      expect(run.outputs).toMatchObject({ changes: "true", "to-create": "3", rotated: "" });
      expect(run.summary).toContain("## timely-keys apply");
      expectMasksFirst(run, [OWNER_TOKEN, STAGING_TOKEN, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY]);

      const minted = emulator.mintedSecrets();
      expect(minted).toHaveLength(3);
      await expectMintedMaskedFirst(run, minted);
      // The lazily imported SDKs work from the single bundled file.
      expect(sinks.githubPuts).toHaveLength(1);
      expect(sinks.githubPuts[0]?.path).toBe("/repos/acme/app/actions/secrets/TIMELY_CRM_KEY");
      expect(sinks.githubPuts[0]?.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
      expect(Buffer.from(sinks.githubPuts[0]?.body.encrypted_value ?? "", "base64").length).toBeGreaterThan(48);
      expect(sinks.awsPuts.map((p) => [p.target, p.body.SecretId])).toEqual([
        ["secretsmanager.PutSecretValue", "timely/reports"],
      ]);
      expect(minted).toContain(sinks.awsPuts[0]?.body.SecretString);
      expect(readFileSync(join(work.dir, "secrets/qa.key"), "utf8").trim()).toMatch(/^tml_/);
      // A key only a file receives would be lost with a hosted runner's disk: said where it is written.
      const qaLine = lineOf(readFileSync(work.manifest, "utf8"), "- id: qa");
      expect(run.stdout).toMatch(
        new RegExp(
          `^::warning title=timely-keys file sink on a ` +
            `runner,file=timely-keys.yaml,line=${qaLine},col=\\d+::acme-staging/qa: the new key is delivered only to ` +
            `files`,
          "m",
        ),
      );
      expect(run.stdout).not.toMatch(/^::warning.*acme-prod\/crm: the new key is delivered only to files/m);
    },
  );

  it("check: passes when every key is fresh", async () => {
    const run = await action({ command: "check" });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.overdue).toBe("");
    expect(run.stdout).not.toMatch(/^::error/m);
    expect(run.summary).toContain("No findings: every key is fresh");
  });

  it("check: fails on a key expiring soon when no apply ran, with an annotation on its manifest line", async () => {
    emulator.clock.advance(50 * DAY); // reports expires in 10 days; it rotates 14 days before
    const run = await action({ command: "check" });
    expect(run.code).toBe(1);
    expect(run.outputs.overdue).toBe("reports");
    const line = lineOf(readFileSync(work.manifest, "utf8"), "- id: reports");
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error title=timely-keys key expiring ` +
          `soon,file=timely-keys.yaml,line=${line},col=\\d+::acme-prod/reports: key #1 .* expires on`,
        "m",
      ),
    );
    expect(run.stdout).toMatch(/^::error::check: 1 finding at error or above \(fail-on error\): reports$/m);
    expect(run.summary).toContain("## timely-keys check");
  });

  it("apply on keys aged 91 days starts their rotation and reports the rotated ids", async () => {
    emulator.clock.advance(41 * DAY);
    const before = await liveKeys(OWNER_TOKEN);
    const mintedBefore = new Set(emulator.mintedSecrets());
    const run = await action({ command: "apply" });
    await expectMintedMaskedFirst(
      run,
      emulator.mintedSecrets().filter((secret) => !mintedBefore.has(secret)),
    );
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs["to-rotate"]).toBe("3");
    expect(run.outputs.rotated?.split(",").sort()).toEqual(["crm", "qa", "reports"]);
    // The CLI's log lines: a key's steps, no separate "done" once they were printed.
    expect(run.stdout).toMatch(/^acme-prod\/crm: promoted key [0-9a-f-]+ to current$/m);
    // The rotation is under way: #2 is current, #1 is still active while it drains.
    const crm = (await liveKeys(OWNER_TOKEN)).filter((k) => k.description.includes("[tk:crm#"));
    expect(crm).toHaveLength(2);
    expect(crm.every((k) => k.status === "active")).toBe(true);
    expect(crm.some((k) => /\[tk:crm#2 @\d+/.test(k.description))).toBe(true);
    expect(before.filter((k) => k.description.includes("[tk:crm#"))).toHaveLength(1);
    expect(run.summary).toMatch(/\| acme-prod \| `crm` \| ↻ rotate \| max_age \|/);
    expect(run.summary).toMatch(
      new RegExp(
        String.raw`## Rotation status after this run\n[\s\S]*` +
          String.raw`\| acme-prod \| ${"`"}crm${"`"} \| draining 4\/6 \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|`,
      ),
    );
    expect(sinks.githubPuts).toHaveLength(2);
    expectMasksFirst(run, [OWNER_TOKEN, STAGING_TOKEN, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY]);
  });

  it("plan after the rotation shows each key's rotation phase in the summary", async () => {
    const run = await action({ command: "plan", workspace: "acme-prod" });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toMatch(/`crm` .*draining 4\/6/);
    expect(run.summary).not.toContain("acme-staging");
  });

  it("fail-on-drift fails a plan when an unmanaged key exists; without it the plan succeeds", async () => {
    const created = await fetch(`${emulator.url}/v1/api-keys`, {
      method: "POST",
      headers: { "x-api-key": STAGING_TOKEN, "content-type": "application/json", "idempotency-key": "e2e-unmanaged-1" },
      body: JSON.stringify({ name: "Made by hand", scopes: ["read"], expires_in_days: 30 }),
    });
    expect(created.status).toBe(201);
    const lenient = await action({ command: "plan", workspace: "acme-staging" });
    expect(lenient.code).toBe(0);
    const strict = await action({ command: "plan", workspace: "acme-staging", "fail-on-drift": "true" });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^::error title=timely-keys drift::acme-staging: unmanaged key Made by hand$/m);
    expect(strict.stdout).toMatch(/^::error::fail-on-drift: 1 key drifted/m);
  });

  it("check fails with exit code 1 on keys whose rotation is overdue once the schedule stopped", async () => {
    // An hour past the 100 days: the Action reads "now" from the answers' Date header, which has
    // one-second resolution, so a key made less than a second before the last step would read 99.
    emulator.clock.advance(100 * DAY + 3_600);
    const run = await action({ command: "check", "max-overdue-days": "7" });
    expect(run.code).toBe(1);
    expect(run.outputs.overdue?.split(",").sort()).toEqual(["crm", "qa", "reports"]);
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^::error title=timely-keys rotation overdue,file=timely-keys.yaml,line=\d+,col=\d+::acme-prod\/` +
          String.raw`crm: key #2 .* is 100 days old, past maxAgeDays 90 \+ max-overdue-days ` +
          String.raw`7`,
        "m",
      ),
    );
    expect(run.stdout).toMatch(/^::error::check: \d+ findings at error or above \(fail-on error\): /m);
    expect(run.summary).toMatch(/\*\*\d+ errors, \d+ warnings?, 0 info\.\*\*/);
    expectMasksFirst(run, [OWNER_TOKEN, STAGING_TOKEN]);
    // A larger allowance silences the age alarm (reports stays: it has expired).
    const lenient = await action({ command: "check", "max-overdue-days": "200", target: "crm" });
    expect(lenient.code, lenient.stdout).toBe(0);
    expect(lenient.outputs.overdue).toBe("");
  });
});

describe("the action's failures", () => {
  it("apply fails the step when an action fails, and says what was and was not done", async () => {
    sinks.refuseGithubWrites();
    const run = await action({ command: "apply" });
    expect(run.code).toBe(1);
    // crm's new key reached the file but not GitHub: its rotation stops there; the others go on.
    expect(run.stdout).toContain("Apply failed. 3 done, 1 failed, 1 skipped.");
    // The CLI's closing lines (apply/progress.ts): which failed, what was skipped and why.
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^ {2}failed \(reasons above\): acme-prod\/crm rotate\n {2}skipped: 1 action ` +
          String.raw`\(an earlier action of the same key failed\)$`,
        "m",
      ),
    );
    expect(run.stdout).toMatch(/^acme-prod\/crm: rotate FAILED: .*HTTP 403/m);
    expect(run.stdout).toMatch(/^::error title=timely-keys apply::acme-prod\/crm: rotate FAILED: .*HTTP 403/m);
    expect(run.stdout).toMatch(/^::error::apply: 1 action failed, 1 skipped \(Plan: /m);
    expect(run.outputs.rotated?.split(",").sort()).toEqual(["qa", "reports"]);
    expect(run.summary).toContain("**Apply failed. 3 done, 1 failed, 1 skipped.**");
    expect(run.summary).toMatch(/\| acme-prod \| `crm` \| rotate \| \*\*failed\*\* \| .*HTTP 403/);
  });

  it("a bad input fails the step with one clear message and reads nothing", async () => {
    const before = emulator.requests().length;
    const run = await action({ command: "destroy" });
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([
      '::error::input command: "destroy" is not a command; use plan, apply, check, rotate or matrix',
    ]);
    expect(emulator.requests().length).toBe(before);
  });

  it("manifest findings become annotations on the manifest's file and line", async () => {
    const env = stepEnv();
    delete env.TIMELY_ACME_STAGING_TOKEN;
    const run = await action({ command: "plan" }, env);
    expect(run.code).toBe(1);
    const line = lineOf(readFileSync(work.manifest, "utf8"), "tokenEnv: TIMELY_ACME_STAGING_TOKEN");
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error title=timely-keys missing-env,file=timely-keys.yaml,line=${line},col=\\d+::environment variable ` +
          `TIMELY_ACME_STAGING_TOKEN is not set`,
        "m",
      ),
    );
    expect(run.stdout).toMatch(/^::error::timely-keys.yaml: 1 error in the manifest/m);
  });

  it(
    "rotate with compromised: true (workflow_dispatch) replaces the target's key and revokes the old one in the " +
      "same run",
    async () => {
      const qaKeys = async () => (await liveKeys(STAGING_TOKEN)).filter((k) => k.description.includes("[tk:qa#"));
      const old = (await qaKeys())
        .filter((k) => k.status === "active" && !/ (pending|delivering)/.test(k.description))
        .sort((a, b) => a.created_at.localeCompare(b.created_at))
        .at(-1);
      const oldSecret = readFileSync(join(work.dir, "secrets/qa.key"), "utf8").trim();
      const run = await action({ command: "rotate", target: "qa", compromised: "true" });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/! qa: rotation 1\/6: compromised: rotate "QA Smoke Tests"/);
      expect(run.stdout).toMatch(/! Compromised: 1 key get a new secret now/);
      expect((await qaKeys()).some((k) => k.id === old?.id)).toBe(false);
      expect((await fetch(`${emulator.url}/v1/me`, { headers: { "x-api-key": oldSecret } })).status).toBe(401);
      const fresh = readFileSync(join(work.dir, "secrets/qa.key"), "utf8").trim();
      expect((await fetch(`${emulator.url}/v1/me`, { headers: { "x-api-key": fresh } })).status).toBe(200);
      // Without a target or exposed-to there is nothing to rotate: one clear input error.
      const bad = await action({ command: "rotate", compromised: "true" });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        /^::error::command rotate: name the keys to rotate in target, or who was exposed in exposed-to$/m,
      );
    },
  );

  it("an unknown workspace in the filter is a clear input error", async () => {
    const run = await action({ command: "plan", workspace: "acme-prod, acme-nope" });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^::error::input workspace acme-nope: no such workspace in timely-keys.yaml ` +
          String.raw`\(it has: acme-prod, acme-staging\)$`,
        "m",
      ),
    );
  });
});

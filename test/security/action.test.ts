// The security review's reproductions (issue 12) through the GitHub Action's dist/ under Node 24,
// with the runner's own variables set (ACTIONS_RUNTIME_TOKEN, GITHUB_TOKEN, RUNNER_*), as a runner
// would run it: stdout is what the runner parses for workflow commands.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  actionEntry,
  ensureNode24,
  runAction,
  visibleLog,
  type ActionRun,
} from "../../packages/github-action/test/support/run-action.js";
import { OWNER_TOKEN, mutations, secretsOf } from "../support/emulator.js";
import { findLeaks } from "../support/leaks.js";
import { manifestYaml } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";
import {
  captureServer,
  securityManifests,
  startHostileEmulator,
  outputProblems,
  type CaptureServer,
} from "./support.js";

const RUNNER_ENV = {
  ACTIONS_RUNTIME_TOKEN: "ActionsRuntimeTokenThatMustNeverLeave0000000001",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "ActionsIdTokenRequestTokenNeverLeaves000000001",
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.example/idtoken",
  GITHUB_TOKEN: "ghs_RunnerGithubTokenThatMustNeverLeave00000001",
  RUNNER_OS: "Linux",
  RUNNER_NAME: "security-suite",
  GITHUB_REPOSITORY: "acme/app",
};
/** The workflow commands the Action itself emits. */
const OWN_COMMANDS = ["add-mask", "error", "warning", "notice", "debug"];

let emulator: Emulator;
let work: Workdir;
const servers: CaptureServer[] = [];

beforeAll(() => {
  ensureNode24();
  expect(existsSync(actionEntry), "packages/github-action/dist/index.js is built").toBe(true);
}, 180_000);
beforeEach(async () => {
  emulator = await startHostileEmulator();
});
afterEach(async () => {
  await emulator.close();
  work?.cleanup();
  for (const server of servers.splice(0)) await server.close();
});

const { prod, manifest, paymentsDev } = securityManifests("TIMELY_ACME_PROD_TOKEN", "TIMELY_DEV_TOKEN");

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...RUNNER_ENV,
  TIMELY_API_URL: emulator.url,
  TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN,
  ...extra,
});

function action(inputs: Record<string, string>, stepEnv: NodeJS.ProcessEnv = env()): Promise<ActionRun> {
  return runAction(inputs, { workspace: work.dir, env: stepEnv });
}

function everySecret(): string[] {
  return [
    ...secretsOf(emulator),
    ...Object.values(RUNNER_ENV).filter((v) => v.length >= 32),
    "tml_PastedSecretInAKeyName000000000000001",
  ];
}

describe("1. hostile names cannot switch off masking", () => {
  it(
    "apply: every line inert, no ::stop-commands::, each new secret masked by a real ::add-mask:: and printed " +
      "nowhere else",
    async () => {
      work = makeWorkdir(manifest());
      const mintedBefore = new Set(emulator.mintedSecrets());
      const run = await action({ command: "apply" });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(outputProblems(run.stdout, OWN_COMMANDS)).toEqual([]);
      expect(outputProblems(run.stderr)).toEqual([]);
      expect(run.stdout).not.toMatch(/::stop-commands::(?!zz)/);
      const minted = emulator.mintedSecrets().filter((secret) => !mintedBefore.has(secret));
      expect(minted.length).toBeGreaterThan(0);
      const lines = run.stdout.split("\n");
      for (const secret of minted) {
        expect(lines).toContain(`::add-mask::${secret}`);
        expect(lines.filter((line) => line.includes(secret))).toEqual([`::add-mask::${secret}`]);
      }
      // The names are shown, escaped.
      expect(run.stdout).toContain("x\\n::stop-commands::zz");
      expect(run.stdout).toContain("evil\\u202etxt.exe");
      // The job summary (markdown) is inert too, and nothing leaks anywhere the runner shows.
      expect(outputProblems(run.summary)).toEqual([]);
      expect(
        findLeaks({ log: visibleLog(run.stdout), stderr: run.stderr, summary: run.summary }, everySecret()),
      ).toEqual([]);
    },
  );

  it("an exec sink's output with newlines, commands and escapes stays inert in the log and annotations", async () => {
    const program =
      "process.stderr.write('bad\\n::stop-commands::zz\\n::add-mask::x\\n" +
      "\\x1b]0;pwned\\x07\\x1b[2J\\u202Eend\\n');process.exit(3)";
    work = makeWorkdir(manifest({}, { type: "exec", command: [process.execPath, "-e", program] }));
    const run = await action({ command: "apply" });
    expect(run.code).not.toBe(0);
    expect(outputProblems(run.stdout, OWN_COMMANDS)).toEqual([]);
    expect(run.stdout).toContain("exited with code 3");
    // Only the Action's own add-mask commands: none with the program's `x`.
    expect(run.stdout.split("\n").filter((line) => line === "::add-mask::x")).toEqual([]);
    expect(findLeaks({ log: visibleLog(run.stdout), summary: run.summary }, everySecret())).toEqual([]);
  });
});

describe("2. the runner's and the manifest's tokens go only where the operator allowed", () => {
  it("a manifest apiUrl pointing at a capture server: the step fails before any request", async () => {
    const server = await captureServer();
    servers.push(server);
    work = makeWorkdir(manifest({ apiUrl: server.url }));
    const { TIMELY_API_URL: _ignored, ...withoutOverride } = env();
    const run = await action({ command: "plan" }, withoutOverride);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("api-url-not-allowed");
    expect(server.requests).toEqual([]);
  });

  it("tokenEnv ACTIONS_RUNTIME_TOKEN: refused, the runtime token is sent nowhere", async () => {
    const server = await captureServer();
    servers.push(server);
    work = makeWorkdir(manifest({ apiUrl: server.url, tokenEnv: "ACTIONS_RUNTIME_TOKEN" }));
    const run = await action(
      { command: "plan" },
      env({ TIMELY_API_URL: undefined, TIMELY_KEYS_ALLOWED_API_URLS: server.url }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("forbidden-token-env");
    expect(server.requests).toEqual([]);
  });
});

describe("3. exec sinks on a runner", () => {
  it("the program never sees the runner's tokens, the management token or GITHUB_TOKEN", async () => {
    const program = "require('fs').writeFileSync('env.json',JSON.stringify(process.env))";
    work = makeWorkdir(manifest({}, { type: "exec", command: [process.execPath, "-e", program] }));
    const run = await action({ command: "apply" });
    expect(run.code, run.stdout).toBe(0);
    const seen = readFileSync(join(work.dir, "env.json"), "utf8");
    for (const value of [...Object.values(RUNNER_ENV).filter((v) => v.length >= 32), OWNER_TOKEN])
      expect(seen).not.toContain(value);
    const names = Object.keys(JSON.parse(seen) as object).filter((name) => !name.startsWith("TIMELY_KEYS_"));
    expect(names.every((name) => ["PATH", "HOME", "LANG"].includes(name))).toBe(true);
  });
});

describe("4. workspace identity", () => {
  it("payments-dev holding prod's token: the step fails with zero mutating requests", async () => {
    work = makeWorkdir(manifestYaml({ workspaces: [prod(), paymentsDev] }));
    const before = mutations(emulator);
    const run = await action({ command: "apply", workspace: "payments-dev" }, env({ TIMELY_DEV_TOKEN: OWNER_TOKEN }));
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/resolve to the same live workspace/);
    expect(mutations(emulator)).toBe(before);
  });
});

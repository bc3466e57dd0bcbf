// The CLI and the GitHub Action say the same failure in the same words: both print the apply log of
// the provisioner library (apply/progress.ts) and every error through its describeError. Each side
// runs as users run it (the built CLI; the Action's dist/ under Node 24) against its own emulator,
// started from the same seed, so both meet exactly the same failure.
import { existsSync } from "node:fs";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionEntry,
  type ActionRun,
  ensureNode24,
  runAction,
} from "../../packages/github-action/test/support/run-action.js";
import { type CliRun, runCli } from "../support/cli.js";
import { OWNER_TOKEN, startTestEmulator } from "../support/emulator.js";
import { crmEntry, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

// A program that refuses the key: the only sink failed, and may have taken it before it did.
const refusing = "console.error('upstream refused the key');process.exit(3)";
const manifest = manifestYaml({
  workspaces: [
    workspace({
      tokenEnv: "TIMELY_ACME_PROD_TOKEN",
      keys: [
        crmEntry({
          scopes: ["read"],
          expiresInDays: undefined,
          deliver: [{ type: "exec", command: ["node", "-e", refusing] }],
        }),
      ],
    }),
  ],
});

/** Key ids differ between the two emulators; everything else must not. */
const withoutIds = (text: string) =>
  text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID");

/** The lines from the first FAILED line to the end of the closing lines. */
function applyTail(log: string): string[] {
  const lines = log.split("\n");
  const from = lines.findIndex((line) => line.includes(": create FAILED: "));
  const to = lines.findIndex((line) => line.startsWith("Fix the failures above"));
  return lines.slice(from, to + 1).map(withoutIds);
}

const emulators: Emulator[] = [];
const workdirs: Workdir[] = [];

/** The same command, as the CLI and as the Action, each against its own emulator and folder. */
async function bothSides(command: "plan" | "apply", token: string): Promise<{ cli: CliRun; action: ActionRun }> {
  const [cliEmulator, actionEmulator] = [await startTestEmulator(), await startTestEmulator()];
  const [cliWork, actionWork] = [makeWorkdir(manifest), makeWorkdir(manifest)];
  emulators.push(cliEmulator, actionEmulator);
  workdirs.push(cliWork, actionWork);
  const cli = await runCli(command === "apply" ? ["apply", "--auto-approve"] : [command], {
    cwd: cliWork.dir,
    env: { TIMELY_API_URL: cliEmulator.url, TIMELY_ACME_PROD_TOKEN: token },
  });
  const action = await runAction(
    { command },
    { workspace: actionWork.dir, env: { TIMELY_API_URL: actionEmulator.url, TIMELY_ACME_PROD_TOKEN: token } },
  );
  return { cli, action };
}

beforeAll(() => {
  ensureNode24();
  expect(existsSync(actionEntry), "packages/github-action/dist/index.js is built").toBe(true);
}, 180_000);

afterAll(async () => {
  for (const emulator of emulators) await emulator.close();
  for (const work of workdirs) work.cleanup();
});

describe("the same failure, the same line", () => {
  it("an apply whose only sink refuses the key: the FAILED line, the annotation and the closing lines", async () => {
    const { cli, action } = await bothSides("apply", OWNER_TOKEN);
    expect(cli.code, cli.stdout + cli.stderr).toBe(1);
    expect(action.code, action.stdout).toBe(1);

    const failed = cli.stdout.split("\n").find((line) => line.startsWith("acme-prod/crm: create FAILED: "));
    expect(failed, cli.stdout).toBeDefined();
    // describeError's line: the sink, the key, the program's output (inert), what became of the key.
    expect(withoutIds(failed ?? "")).toBe(
      `acme-prod/crm: create FAILED: exec sink exec:["node","-e",${JSON.stringify(refusing)}] ` +
        "did not receive key CRM Integration (ID) " +
        "of entry crm: node exited with code 3; last output:\\nupstream refused the key; " +
        `key #1 (ID) is in no sink for sure; maybe in exec:["node","-e",${JSON.stringify(refusing)}] ` +
        "(it failed after taking the key). It stays active and drains later; there is no current key yet. " +
        "The next run (no need to wait) makes key #2 and delivers it to every sink.",
    );
    const tail = applyTail(cli.stdout);
    expect(tail).toEqual([
      withoutIds(failed ?? ""),
      "",
      "Apply failed. 0 done, 1 failed, 0 skipped.",
      "  failed (reasons above): acme-prod/crm create",
      "Fix the failures above and re-run apply: completed steps are not repeated.",
    ]);
    // The Action's log holds the very same lines; its error annotation is the FAILED line itself.
    expect(applyTail(action.stdout).filter((line) => line !== "")).toEqual(tail.filter((line) => line !== ""));
    const annotation = action.stdout
      .split("\n")
      .find((line) => line.startsWith("::error title=timely-keys apply::"))
      ?.slice("::error title=timely-keys apply::".length);
    expect(withoutIds(annotation ?? "")).toBe(withoutIds(failed ?? ""));
    // Two emulators, two applies, the exec sink's retries: slow on a loaded machine.
  }, 120_000);

  it("a rejected management token: the CLI's error: line is the Action's failure", async () => {
    const wrong = "tkm_WrongTokenForTheSameWordsTest000000009";
    const { cli, action } = await bothSides("plan", wrong);
    const line =
      "workspace acme-prod: the management token in TIMELY_ACME_PROD_TOKEN was rejected (401 UNAUTHORIZED): " +
      "it is invalid, revoked or expired";
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(`error: ${line}\n`);
    expect(action.code).toBe(1);
    expect(action.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([`::error::${line}`]);
  }, 60_000);
});

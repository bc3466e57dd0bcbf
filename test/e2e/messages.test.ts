// Messages a newcomer meets (issue 13, item 3 and 4), through the CLI as a subprocess against the
// emulator: each says what is wrong in the user's own terms, once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli, transcript } from "../support/cli.js";
import {
  mutations,
  OWNER_TOKEN,
  secretsOf,
  STAGING_TOKEN,
  startTestEmulator,
  VIEWER_TOKEN,
} from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

/** An entry named after its id in capitals, 90 days, a dotenv file ./<id>.env. */
const keyOf = (id: string) =>
  entry(id, { name: id.toUpperCase(), expiresInDays: 90, deliver: [fileSink(`./${id}.env`)] });
const manifest = (prodKeys: string[]) =>
  manifestYaml({
    workspaces: [
      workspace({ keys: prodKeys.map(keyOf) }),
      workspace({ name: "acme-staging", tokenEnv: "STAGING_TOKEN", keys: [keyOf("stg")] }),
    ],
  });

let emulator: Emulator;
let work: Workdir;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startTestEmulator();
  work = makeWorkdir(manifest(["crm", "bot"]));
  env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN, STAGING_TOKEN };
  const first = await runCli(["apply", "--auto-approve"], { env, cwd: work.dir });
  expect(first.code, first.stdout + first.stderr).toBe(0);
});

afterAll(async () => {
  // Nothing printed or written (outside the sinks' own files) holds a secret or a token.
  const sinks = ["crm.env", "bot.env", "stg.env", "extra.env"].map((f) => join(work.dir, f));
  expectNoLeaks({ transcript: transcript.join("\n"), ...filesUnder(work.dir, sinks) }, secretsOf(emulator));
  await emulator.close();
  work.cleanup();
});

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: work.dir });

describe("ids given as arguments", () => {
  it.each([
    [["rotate", "nope", "--auto-approve"], "error: rotate nope: no key with this id in timely-keys.yaml\n"],
    [["rollback", "nope", "--auto-approve"], "error: rollback nope: no key with this id in timely-keys.yaml\n"],
    [["usage", "nope"], "error: usage nope: no key with this id in timely-keys.yaml\n"],
    [["plan", "--target", "nope"], "error: --target nope: no key with this id in timely-keys.yaml\n"],
  ])("%j names the argument as typed", async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(message);
    expect(run.stdout).toBe("");
  });

  it("rotate without an id says what is missing", async () => {
    const run = await cli(["rotate", "--auto-approve"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: which key? Give the id of each key to rotate (its keys[].id in the manifest), e.g. 'timely-keys rotate " +
        "crm', or who was exposed: --exposed-to WHO\nRun 'timely-keys rotate --help' for usage.\n",
    );
  });

  it("rollback with nothing to restore prints no plan, one error, and changes nothing", async () => {
    const before = mutations(emulator);
    const run = await cli(["rollback", "crm", "--auto-approve"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "error: rollback crm: there is no previous key in quarantine to restore (it was revoked, or the entry never " +
        "rotated); nothing was changed\n",
    );
    expect(mutations(emulator)).toBe(before);
  });
});

describe("plans and applies", () => {
  it("a plan filtered by --target shows only the workspaces that hold the targets", async () => {
    const run = await cli(["plan", "--target", "crm"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Workspace acme-prod");
    expect(run.stdout).not.toContain("acme-staging");
    expect(run.stdout).not.toContain("0 keys in the manifest");
  });

  it("client-side problems are not worded as the API's answer", async () => {
    const badUrl = await cli(["plan"], { TIMELY_API_URL: "notaurl" });
    expect(badUrl.stderr).toBe(
      `error: invalid API setting: baseUrl is not a URL: "notaurl" (check TIMELY_API_URL, the workspace's apiUrl and ` +
        `TIMELY_API_TIMEOUT)\n`,
    );
    const refused = await cli(["plan"], { TIMELY_API_URL: "http://127.0.0.1:1" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: could not reach the API: GET \/v1\/(?:me|api-keys\S*) failed: .* \(4 attempts\)\. Check the API URL/,
    );
    for (const run of [badUrl, refused]) expect(run.stderr).not.toContain("the API answered");
  });

  it("a viewer's token is refused once, with no advice to re-run", async () => {
    const before = mutations(emulator);
    work.write(manifest(["crm", "bot", "extra"]));
    try {
      const run = await cli(["apply", "--auto-approve"], { PROD_TOKEN: VIEWER_TOKEN });
      expect(run.code).toBe(1);
      const output = run.stdout + run.stderr;
      expect(output.match(/belongs to a member with role viewer/g)).toHaveLength(1);
      expect(output).toContain("(1 action not run)");
      expect(output).not.toContain("Re-run apply");
      expect(mutations(emulator)).toBe(before);
    } finally {
      work.write(manifest(["crm", "bot"]));
    }
  });

  it(
    "a key put back in the manifest after timely-keys retired it is not said to be deactivated outside " +
      "timely-keys",
    async () => {
      work.write(manifest(["crm"]));
      const retire = await cli(["apply", "--auto-approve"]);
      expect(retire.code, retire.stdout + retire.stderr).toBe(0);
      expect(retire.stdout).toMatch(/acme-prod\/bot: deactivated key/);
      work.write(manifest(["crm", "bot"]));
      const back = await cli(["plan"]);
      expect(back.stdout).toMatch(/~ bot: enable "BOT" #1\n/);
      expect(back.stdout).not.toContain("outside timely-keys");
      const apply = await cli(["apply", "--auto-approve"]);
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    },
  );

  it(
    "apply prints the plan once, then one line per step with each sink once, then a summary; --quiet only the " +
      "changes",
    async () => {
      const run = await cli(["rotate", "crm", "--auto-approve"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout.match(/Workspace acme-prod/g)).toHaveLength(1);
      expect(run.stdout.match(/^Plan: /gm)).toHaveLength(1);
      const lines = run.stdout.split("\n").filter((l) => l.startsWith("acme-prod/crm: "));
      expect(lines.map((l) => l.replace(/[0-9a-f-]{36}/g, "ID"))).toEqual([
        "acme-prod/crm: created key ID",
        `acme-prod/crm: delivered to file:${join(work.dir, "crm.env")}#TIMELY_API_KEY`,
        "acme-prod/crm: verified key ID (GET /v1/me: scopes and workspace match)",
        "acme-prod/crm: promoted key ID to current",
      ]);
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("Apply complete! 1 done, 0 failed, 0 skipped.");

      const quiet = await cli(["rotate", "bot", "--auto-approve", "--quiet"]);
      expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0);
      expect(
        quiet.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => l.replace(/[0-9a-f-]{36}/g, "ID")),
      ).toEqual([
        "acme-prod/bot: created key ID",
        `acme-prod/bot: delivered to file:${join(work.dir, "bot.env")}#TIMELY_API_KEY`,
        "acme-prod/bot: verified key ID (GET /v1/me: scopes and workspace match)",
        "acme-prod/bot: promoted key ID to current",
      ]);
    },
  );
});

describe("help", () => {
  const commands = async () => {
    const main = await runCli(["--help"]);
    return [...main.stdout.matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((m) => m[1]!).filter((c) => c !== "h");
  };

  it("every command has a usage line and an options section, and 'help CMD' equals 'CMD --help'", async () => {
    const list = await commands();
    expect(list).toEqual(
      expect.arrayContaining([
        "validate",
        "plan",
        "apply",
        "rotate",
        "rollback",
        "init",
        "import",
        "usage",
        "emulator",
      ]),
    );
    for (const command of list) {
      const viaFlag = await runCli([command, "--help"]);
      const viaHelp = await runCli(["help", command]);
      expect(viaFlag.code, command).toBe(0);
      expect(viaFlag.stdout, command).toMatch(new RegExp(`^Usage: timely-keys ${command}( |\\n)`));
      expect(viaFlag.stdout, command).toMatch(/\n\nOptions:\n {2}-/);
      expect(viaHelp.stdout, command).toBe(viaFlag.stdout);
      expect(viaHelp.code).toBe(0);
    }
  }, 120_000);

  it("the README's CLI synopsis is each command's usage line", async () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const block = /## The CLI\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const synopsis = new Map(
      block
        .trim()
        .split("\n")
        .map((line) => {
          const [, command, rest] = /^timely-keys (\S+)\s+(.*)$/.exec(line) ?? [];
          return [command, rest?.replace(/\s+/g, " ")] as const;
        }),
    );
    const list = await commands();
    expect([...synopsis.keys()].sort()).toEqual([...list].sort());
    for (const command of list) {
      const usage = /^Usage: timely-keys \S+ (.*)$/m.exec((await runCli([command, "--help"])).stdout)?.[1];
      expect(synopsis.get(command), command).toBe(usage?.replace(/\s+/g, " "));
    }
  }, 60_000);
});

// Management-token trouble stops the workspace with a message naming the env var, never its value,
// and changes nothing.
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, VIEWER_TOKEN, mutations, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

let emulator: Emulator;
let work: Workdir;

beforeAll(async () => {
  emulator = await startTestEmulator();
  work = makeWorkdir(`version: 1
workspaces:
  - name: acme-prod
    tokenEnv: PROD_TOKEN
    keys:
      - id: crm
        name: CRM
        scopes: [read]
        deliver: [{ type: file, path: ./crm.env }]
`);
});

afterAll(async () => {
  expectNoLeaks({ transcript: transcript.join("\n") }, [
    ...secretsOf(emulator),
    "tkm_NotARealTokenButShapedLikeOne0000000000",
  ]);
  await emulator.close();
  work.cleanup();
});

const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  runCli(args, { env: { TIMELY_API_URL: emulator.url, ...env }, cwd: work.dir });

it("a missing or empty token env var is named, with file:line:col", async () => {
  for (const env of [{}, { PROD_TOKEN: "" }]) {
    const run = await cli(env, "plan");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^timely-keys\.yaml:4:15: error\[missing-env\]: environment variable PROD_TOKEN is (not set|empty)/,
    );
  }
  expect(mutations(emulator)).toBe(0);
});

it("a rejected token (401) names the variable, not the value", async () => {
  const run = await cli({ PROD_TOKEN: "tkm_NotARealTokenButShapedLikeOne0000000000" }, "plan");
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    "error: workspace acme-prod: the management token in PROD_TOKEN was rejected (401 UNAUTHORIZED): it is invalid, " +
      "revoked or expired\n",
  );
});

it("a token without the role (403) stops the workspace's apply and changes nothing", async () => {
  const run = await cli({ PROD_TOKEN: VIEWER_TOKEN }, "apply", "--auto-approve");
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    "the token in PROD_TOKEN belongs to a member with role viewer; only owners and managers may",
  );
  expect(mutations(emulator)).toBe(0);
  expect(emulator.state().workspaces.find((w) => w.name === "acme-prod")!.keys).toHaveLength(0);
});

it("apply without --auto-approve outside a terminal is refused before any call", async () => {
  const before = emulator.requests().length;
  const run = await cli({ PROD_TOKEN: OWNER_TOKEN }, "apply");
  expect(run.code).toBe(1);
  expect(run.stderr).toBe("error: apply needs --auto-approve when not run in a terminal (nothing was changed)\n");
  expect(emulator.requests().length).toBe(before);
});

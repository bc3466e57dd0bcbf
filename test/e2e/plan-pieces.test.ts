// `timely-keys plan` writes a long text plan in pieces, waiting whenever the pipe is full. Through a
// real pipe, with and without colour, its stdout is byte for byte what it printed as one string
// before: the library's renderText of the same plan (same live state), through the terminal guard.
import type { Emulator } from "@timely-keys/emulator";
import { clientsFromEnv, readAndPlan, renderText, validateFile } from "@timely-keys/provisioner";
import { guardTerminalOutput } from "@timely-keys/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { cliBin, runCli } from "../support/cli.js";
import { OWNER_TOKEN, startTestEmulator } from "../support/emulator.js";
import { manifestYaml } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

/** Two lines each: several pieces, and far more than a pipe's buffer. */
const UNMANAGED = 3_000;

let emulator: Emulator;
let work: Workdir;

beforeAll(async () => {
  emulator = await startTestEmulator(
    {
      workspaces: [
        {
          name: "acme-prod",
          members: [{ name: "Ana Owner", role: "owner", token: OWNER_TOKEN }],
          generated_keys: UNMANAGED,
        },
      ],
    },
    { rateLimit: 100_000 },
  );
  work = makeWorkdir(manifestYaml());
});

afterAll(async () => {
  await emulator.close();
  work.cleanup();
});

/** The header's server time is the only part that differs between two runs. */
const withoutServerTime = (text: string) => text.replace(/server time [0-9T:.Z-]+/g, "server time (now)");

/** The text plan as the CLI printed it before: rendered whole, one write. */
async function wholeText(env: NodeJS.ProcessEnv, color: boolean): Promise<string> {
  const { desired } = await validateFile(work.manifest, { env, requireEnv: true });
  if (!desired) throw new Error("the test manifest is invalid");
  const { plan } = await readAndPlan(desired, clientsFromEnv(env), { workspaces: [], targets: [] }, {}, env);
  return guardTerminalOutput(`${renderText(plan, { color })}\n`);
}

describe("a text plan of thousands of unmanaged keys, written in pieces", () => {
  it.each([
    ["without colour", false, {}],
    ["with colour", true, { NO_COLOR: "", FORCE_COLOR: "1" }],
  ])("is byte for byte the whole text (%s)", async (_label, color, colour) => {
    const env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN, ...colour };
    const run = await runCli(["plan"], { env, cwd: work.dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(300_000);
    expect(run.stdout.split("\n").filter((line) => line.includes("not in the manifest (policy: report)"))).toHaveLength(
      UNMANAGED,
    );
    expect(withoutServerTime(run.stdout)).toBe(withoutServerTime(await wholeText(env, color)));
  });
});

describe("a reader that stops early (`timely-keys plan | head`)", () => {
  it("closes the pipe: the plan ends as it would have, with no error about the pipe", async () => {
    const env = { ...process.env, TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN, NO_COLOR: "1" };
    const child = spawn(process.execPath, [cliBin, "plan"], { cwd: work.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Like `head`: read the first chunk, then close the read end.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

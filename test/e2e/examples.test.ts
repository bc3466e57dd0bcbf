// The README's demo and the SDK quickstart run as users run them, exit 0, and print no secret.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

// A full secret or management token: the shapes the API mints. Masked values (tml_ab12…) do not match.
const SECRET_SHAPE = /(tml|tkm)_[A-Za-z0-9]{20,}/;

function runExample(file: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ["--conditions=@timely-keys/source", "--import", "tsx", file], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

it("the demo runs from validate to a finished rotation, without printing a secret", () => {
  const { status, output } = runExample("examples/demo.ts");
  expect(status, output).toBe(0);
  for (const step of ["valid (2 workspaces", "Plan: 5 to create", "No changes.", "-/+", "5 to rotate", "deactivate previous key", "revoke previous key", "Demo complete."]) {
    expect(output).toContain(step);
  }
  expect(output).not.toMatch(SECRET_SHAPE);
}, 150_000);

it("the SDK quickstart runs against the embedded emulator", () => {
  const { status, output } = runExample("examples/sdk-quickstart.ts");
  expect(status, output).toBe(0);
  expect(output).toContain("after deactivate, the key gets 401 UNAUTHORIZED");
  expect(output).not.toMatch(SECRET_SHAPE);
}, 150_000);

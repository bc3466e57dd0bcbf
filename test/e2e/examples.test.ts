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

it("the demo runs daily scheduled runs to day 77: every key rotates before it expires, without printing a " +
  "secret", () => {
  const { status, output } = runExample("examples/demo.ts");
  expect(status, output).toBe(0);
  for (const step of [
    "valid (2 workspaces",
    "Plan: 5 to create",
    "No changes.",
    "-/+",
    "deactivate previous key",
    "revoke previous key",
    "Demo complete.",
  ]) {
    expect(output).toContain(step);
  }
  // Each key rotated on the day it was due (the 30-day staging keys 14 days before expiry, the
  // 90-day Salesforce key on day 76), so none expired: the demo itself fails on an "expired" line.
  expect(output).toMatch(
    /━━ Day 16: the scheduled run applies what is due\n[\s\S]*?acme-staging\/salesforce-crm: promoted key/,
  );
  expect(output).toMatch(
    /━━ Day 76: the scheduled run applies what is due\n[\s\S]*?acme-prod\/salesforce-crm: promoted key/,
  );
  expect(output).not.toMatch(/expired/);
  expect(output).not.toMatch(SECRET_SHAPE);
  // NO_COLOR and a pipe: no escape codes anywhere, the demo's own headers included.
  expect(output).not.toContain("\u001b[");
}, 150_000);

it("the demo's output has no colour when it is not a terminal, even without NO_COLOR", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  expect(`${run.stdout}${run.stderr}`).not.toContain("\u001b[");
}, 150_000);

it("the SDK quickstart runs against the embedded emulator", () => {
  const { status, output } = runExample("examples/sdk-quickstart.ts");
  expect(status, output).toBe(0);
  expect(output).toContain("after deactivate, the key gets 401 UNAUTHORIZED");
  expect(output).not.toMatch(SECRET_SHAPE);
}, 150_000);

// `timely-keys check` end to end: the CLI (a subprocess) against the emulator seeded with one key of
// each finding kind names exactly those, with the right exit codes and its markdown output.
import { createServer } from "node:http";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, mutations, secretsOf } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";
import { EXPECTED, startWorld, worldManifest } from "./check-world.js";

let emulator: Emulator;
let work: Workdir;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: work.dir });

beforeAll(async () => {
  emulator = await startWorld();
  work = makeWorkdir(worldManifest());
  env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN };
});

afterAll(async () => {
  expectNoLeaks({ transcript: transcript.join("\n") }, secretsOf(emulator));
  await emulator?.close();
  work?.cleanup();
});

interface JsonFinding {
  kind: string;
  severity: string;
  workspace: string;
  entryId?: string;
  key?: { id: string; name: string; generation?: number };
  evidence: Record<string, unknown>;
  fix: string;
}

describe("timely-keys check", () => {
  it("--json: an entry's findings say where the entry is written (positions are read only for them)", async () => {
    const run = await cli("check", "--json", "--fail-on", "never");
    expect(run.code, run.stderr).toBe(0);
    const lines = worldManifest().split("\n");
    const managed = (JSON.parse(run.stdout) as { findings: Array<JsonFinding & { source?: unknown }> }).findings.filter(
      (f) => f.entryId !== undefined,
    );
    expect(managed.length).toBeGreaterThan(0);
    for (const finding of managed) {
      const line = lines.findIndex((text) => text.trimStart() === `- id: ${finding.entryId}`);
      expect(finding.source).toMatchObject({ line: line + 1, col: lines[line]!.indexOf("id:") + 1 });
    }
  });

  it("--json names exactly one finding per seeded key, of the kind that key was made for", async () => {
    const before = mutations(emulator);
    const run = await cli("check", "--json", "--fail-on", "never");
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      format_version: number;
      now: string;
      findings: JsonFinding[];
      counts: Record<string, number>;
    };
    expect(report.format_version).toBe(1);
    const managed = report.findings.filter((f) => f.entryId !== undefined).map((f) => [f.entryId, f.kind]);
    expect(Object.fromEntries(managed)).toEqual(EXPECTED);
    expect(managed).toHaveLength(Object.keys(EXPECTED).length);
    const unmanaged = report.findings.filter((f) => f.entryId === undefined);
    expect(unmanaged.map((f) => [f.kind, f.key?.name])).toEqual([["unmanaged", "Made by hand <b>"]]);
    // Evidence is data, and each finding names its key and its fix.
    const byEntry = new Map(report.findings.map((f) => [f.entryId, f]));
    expect(byEntry.get("old-key")).toMatchObject({
      severity: "error",
      fix: "run-apply",
      evidence: { ageDays: 120, maxAgeDays: 90, maxOverdueDays: 7 },
    });
    expect(byEntry.get("stuck-key")).toMatchObject({
      severity: "error",
      key: { generation: 2 },
      evidence: { phase: "pending", leaseSeconds: 600 },
    });
    expect(byEntry.get("denied-key")).toMatchObject({
      severity: "warning",
      fix: "review-scopes",
      evidence: { forbiddenRequests: 1, recentRequests: 20, paths: ["GET /v1/agents"] },
    });
    expect(byEntry.get("failing-key")?.evidence).toMatchObject({ recentRequests: 12, minSuccessRate: 0.9 });
    expect(byEntry.get("roaming-key")?.evidence).toMatchObject({ endpoints: ["GET /v1/conversations"] });
    expect(byEntry.get("moved-key")).toMatchObject({ key: { generation: 1 }, fix: "update-consumer" });
    expect(byEntry.get("sinkless-key")).toMatchObject({ fix: "add-sink" });
    expect(report.counts).toEqual({ error: 4, warning: 8, info: 0 });
    // check reads; it never changes anything.
    expect(mutations(emulator)).toBe(before);
    // Usage is asked for recently used keys only (one request each): not for the idle key.
    const usagePaths = emulator
      .requests()
      .filter((r) => r.path.endsWith("/usage"))
      .map((r) => r.path);
    expect(usagePaths.some((p) => p.includes(byEntry.get("idle-key")!.key!.id))).toBe(false);
    expect(usagePaths.some((p) => p.includes(byEntry.get("burst-key")!.key!.id))).toBe(true);
  });

  it("exits 1 when a finding reaches --fail-on (default error), 0 otherwise", async () => {
    expect((await cli("check")).code).toBe(1);
    expect((await cli("check", "--fail-on", "never")).code).toBe(0);
    // Only warnings in these keys: passes at error, fails at warning.
    expect((await cli("check", "--target", "idle-key", "--target", "burst-key")).code).toBe(0);
    expect((await cli("check", "--target", "idle-key,burst-key", "--fail-on", "warning")).code).toBe(1);
    // Nothing wrong with the current key of moved-key (its straggler is a warning), nothing at info.
    const bad = await cli("check", "--fail-on", "severe");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--fail-on must be one of error, warning, info or never, got 'severe'");
    expect(bad.stdout).toBe("");
  });

  it("prints one line per finding with its evidence and fix, names filtered by --target", async () => {
    const run = await cli("check", "--target", "old-key");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^error {3}rotation overdue: acme-prod\/old-key: key #1 "Key old-key" \([0-9a-f-]+\) ` +
          String.raw`is 120 days old, past maxAgeDays 90 \+ max-overdue-days 7: its rotation is overdue\. ` +
          "Fix: run `timely-keys apply`",
        "m",
      ),
    );
    expect(run.stdout).toContain("check: 1 error, 0 warnings, 0 info.");
    expect(run.stdout).not.toContain("soon-key");
  });

  it("--markdown is a table with every finding, key names escaped", async () => {
    const run = await cli("check", "--markdown");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^## timely-keys check\n\n\*\*4 errors, 8 warnings, 0 info\.\*\*\n\n\| ` +
          String.raw`Severity \| Workspace \| Entry \| Key \| Finding \| Evidence \| Fix \|`,
      ),
    );
    for (const id of Object.keys(EXPECTED)) expect(run.stdout).toContain(`\`${id}\``);
    expect(run.stdout).toContain("Made by hand &lt;b&gt;");
    expect(run.stdout).not.toContain("<b>");
    expect(run.stdout.split("\n").filter((l) => l.startsWith("| :")).length).toBe(12);
  });

  it("sends one check.finding per finding to a webhook, the finding as data, never a secret", async () => {
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8").on("data", (d: string) => (body += d));
      request.on("end", () => {
        bodies.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const port = (receiver.address() as { port: number }).port;
      work.write(
        worldManifest({
          notify: [{ type: "webhook", url: `http://127.0.0.1:${port}/hook`, events: ["check.finding"] }],
        }),
      );
      const run = await cli("check", "--fail-on", "never");
      expect(run.code, run.stderr).toBe(0);
      const events = bodies.map(
        (b) =>
          JSON.parse(b) as { type: string; entryId?: string; finding: { kind: string; fix: string }; text: string },
      );
      expect(events.every((e) => e.type === "check.finding")).toBe(true);
      expect(Object.fromEntries(events.filter((e) => e.entryId).map((e) => [e.entryId, e.finding.kind]))).toEqual(
        EXPECTED,
      );
      expect(events).toHaveLength(Object.keys(EXPECTED).length + 1);
      expect(events.find((e) => e.entryId === "old-key")?.text).toMatch(
        /^timely-keys check: error rotation overdue: acme-prod\/old-key: key #1/,
      );
      expectNoLeaks(Object.fromEntries(bodies.map((b, i) => [`notification ${i}`, b])), secretsOf(emulator));
    } finally {
      work.write(worldManifest());
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

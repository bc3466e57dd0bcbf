// A short chaos run in the test command: applies under faults (5xx, 429, dropped connections,
// latency), killed at random steps or after random delays, sometimes two at once, with the clock
// moving across rotation windows; every invariant after every run, then convergence with faults
// off. Some runs are `rotate ID --compromised`, and one entry has probes. The long run (>= 200
// applies) is test/chaos/long-run.ts. CHAOS_SEED=N replays a schedule.
import { describe, expect, it } from "vitest";
import { formatReport, runChaos } from "./harness.js";

const seed = Number(process.env.CHAOS_SEED ?? 20261123);
const runs = 14;

describe("chaos", () => {
  it(`${runs} applies under faults and kills keep every invariant and converge (seed ${seed})`, async () => {
    const lines: string[] = [];
    const report = await runChaos({ seed, runs, log: (line) => lines.push(line) });
    const context = [
      `chaos seed ${seed} failed; run it again with CHAOS_SEED=${seed} npx vitest run test/chaos/chaos.test.ts`,
      `or: node --import tsx test/chaos/long-run.ts --runs ${runs} --seed ${seed} --no-docs`,
      formatReport(report),
      ...lines,
    ].join("\n");
    expect(report.violations, context).toEqual([]);
    // The run did what it is for: it crashed runs, injected faults and completed rotations.
    expect(report.crashes.afterStep + report.crashes.afterDelay, context).toBeGreaterThan(0);
    expect(
      Object.values(report.faults).reduce((a, b) => a + b, 0),
      context,
    ).toBeGreaterThan(0);
    expect(report.rotations, context).toBeGreaterThan(0);
    // Incidents too: compromised rotations (whose old keys go without a drain) among the runs.
    expect(report.compromised, context).toBeGreaterThan(0);
  }, 300_000);
});

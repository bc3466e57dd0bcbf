// The long chaos run: node --import tsx test/chaos/long-run.ts --runs 200 --seed N [--no-docs] [--quiet]
//
// Runs the chaos harness (harness.ts) for `--runs` applies, prints its figures and every violation,
// and records the figures in docs/reliability.md between <!-- chaos:begin --> and <!-- chaos:end -->
// (with the machine, the Node version and the date). Exits 1 when any invariant was violated; the
// seed it printed replays the same schedule.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../support/cli.js";
import { CRASH_STEPS, formatReport, runChaos, type ChaosReport } from "./harness.js";

const DOC = join(repoRoot, "docs", "reliability.md");
const BEGIN = "<!-- chaos:begin -->";
const END = "<!-- chaos:end -->";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    seed: { type: "string" },
    "no-docs": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
  },
  strict: true,
});

const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write("usage: node --import tsx test/chaos/long-run.ts --runs N --seed N [--no-docs] [--quiet]\n");
  process.exit(1);
}

process.stdout.write(`chaos long run: ${runs} applies, seed ${seed} (replay with --seed ${seed})\n`);
const report = await runChaos({
  seed,
  runs,
  log: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n${formatReport(report)}\n`);
for (const v of report.violations) process.stdout.write(`VIOLATION ${v.invariant} at ${v.at}: ${v.detail}\n`);
if (!values["no-docs"]) {
  recordInDocs(report);
  process.stdout.write(`figures written to ${DOC}\n`);
}
if (report.violations.length > 0) {
  process.stdout.write(
    `\nchaos seed ${seed} found ${report.violations.length} violation(s); replay: node --import tsx ` +
      `test/chaos/long-run.ts --runs ${runs} --seed ${seed}\n`,
  );
  process.exitCode = 1;
}

function recordInDocs(r: ChaosReport): void {
  const text = readFileSync(DOC, "utf8");
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${BEGIN} ... ${END} section`);
  const faults = Object.entries(r.faults).sort(([a], [b]) => a.localeCompare(b));
  const totalFaults = faults.reduce((sum, [, n]) => sum + n, 0);
  const cpu = cpus();
  const rows: Array<[string, string]> = [
    ["date", new Date().toISOString().slice(0, 10)],
    [
      "machine",
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
        `${platform()} ${release()}`,
    ],
    ["Node", process.version],
    ["command", `\`node --import tsx test/chaos/long-run.ts --runs ${r.runs} --seed ${r.seed}\``],
    ["apply runs under faults", `${r.runs} (${r.concurrentPairs} pairs started at once)`],
    ["apply processes in all", `${r.applies} (with ${r.convergenceRuns} clean convergence runs)`],
    [
      "exit codes",
      Object.entries(r.exits)
        .map(([exit, n]) => `${exit}: ${n}`)
        .join(", "),
    ],
    [
      "crashes (crash hook, right after a step)",
      `${r.crashes.afterStep} (${
        CRASH_STEPS.filter((s) => r.crashesByStep[s])
          .map((s) => `${s}: ${r.crashesByStep[s]}`)
          .join(", ") || "none"
      })`,
    ],
    ["crashes (SIGKILL after a random delay)", String(r.crashes.afterDelay)],
    ["requests the CLI made", String(r.requests)],
    ["faults injected", `${totalFaults} (${faults.map(([kind, n]) => `${kind}: ${n}`).join(", ") || "none"})`],
    ["emulated time", `${r.emulatedDays} days`],
    ["keys created / rotations completed", `${r.keysCreated} / ${r.rotations}`],
    ["consumer calls (none may get a 401)", String(r.consumerCalls)],
    ["wall time", `${Math.round(r.durationMs / 1000)} s`],
    ["**invariant violations**", `**${r.violations.length}**`],
  ];
  const table = ["| | |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
  const section = `${BEGIN}\n${table}\n${END}`;
  writeFileSync(DOC, text.slice(0, start) + section + text.slice(end + END.length));
}

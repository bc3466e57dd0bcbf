// `pnpm bench [name...]`: runs the benchmarks (all, or the named ones), prints one line per figure
// with its target and PASS/MISS, and rewrites bench/RESULTS.md (from bench/results.json, which keeps
// the latest outcome of every benchmark).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyRate } from "./apply-rate.js";
import { coldStart } from "./cold-start.js";
import { ensureBuilt } from "./lib/cli.js";
import { describeMachine } from "./lib/machine.js";
import { formatLine, mergeResults, readResults, writeResults, type RecordedBenchmark } from "./lib/report.js";
import type { BenchContext, Benchmark } from "./lib/types.js";
import { memory } from "./memory.js";
import { planFunction } from "./plan-function.js";
import { multiWorkspace } from "./plan-managed.js";
import { planScale } from "./plan-scale.js";
import { terraform } from "./terraform.js";
import { sdkOverhead } from "./sdk-overhead.js";

const multiWorkspaceBench: Benchmark = {
  name: "multi-workspace",
  title: "plan of 10 workspaces x 1,000 managed keys vs one workspace's listing",
  run: async (ctx) => {
    await ensureBuilt(ctx.root);
    return multiWorkspace(ctx);
  },
};

const SUITE: Benchmark[] = [
  planScale,
  planFunction,
  applyRate,
  sdkOverhead,
  coldStart,
  memory,
  multiWorkspaceBench,
  terraform,
];

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

function selected(argv: string[]): Benchmark[] {
  const names = argv.filter((a) => a !== "--");
  if (names.length === 0) return SUITE;
  const unknown = names.filter((n) => !SUITE.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(", ")}. Known: ${SUITE.map((b) => b.name).join(", ")}\n`,
    );
    process.exit(1);
  }
  return SUITE.filter((b) => names.includes(b.name));
}

async function main(): Promise<void> {
  const benchmarks = selected(process.argv.slice(2));
  const machine = describeMachine();
  process.stderr.write(
    `timely-keys benchmarks on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load ` +
      `${machine.loadAverage}\n`,
  );
  const recorded: RecordedBenchmark[] = [];
  let failed = false;
  for (const benchmark of benchmarks) {
    const started = performance.now();
    const date = new Date().toISOString();
    const ctx: BenchContext = {
      root,
      print: (line) => process.stdout.write(`${formatLine(benchmark.name, line)}\n`),
      progress: (message) => process.stderr.write(`  … ${message}\n`),
    };
    try {
      const outcome = await benchmark.run(ctx);
      recorded.push({
        name: benchmark.name,
        title: benchmark.title,
        date,
        seconds: (performance.now() - started) / 1000,
        machine,
        ...outcome,
      });
    } catch (error) {
      // A benchmark that cannot run is a failure of the run, not a figure.
      failed = true;
      process.stderr.write(`${benchmark.name}: failed: ${(error as Error).stack ?? String(error)}\n`);
    }
  }
  const jsonPath = join(here, "results.json");
  const merged = mergeResults(
    readResults(jsonPath),
    recorded,
    SUITE.map((b) => b.name),
  );
  writeResults(jsonPath, join(here, "RESULTS.md"), merged);
  process.stderr.write(`wrote ${join("bench", "RESULTS.md")}\n`);
  if (failed) process.exitCode = 1;
}

await main();

// 5. Memory: peak resident set size of `timely-keys plan` at 10,000 keys (a subprocess of the
// built CLI against an in-process emulator), from GNU time's %M when /usr/bin/time is there, else
// from a preload that records process.resourceUsage().maxRSS at exit.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cliPath, ensureBuilt } from "./lib/cli.js";
import { manifestYaml, startBenchEmulator, tempDir, TOKEN_ENV, type TempDir } from "./lib/fixtures.js";
import { childEnv, mustRun, timedRun } from "./lib/spawn.js";
import { count, median, mib } from "./lib/stats.js";
import type { BenchLine, BenchOutcome, Benchmark } from "./lib/types.js";

const KEYS = 10_000;
const RUNS = 3;
const GNU_TIME = "/usr/bin/time";

/** Measures the peak RSS, in bytes, of `node ...args`. */
type Meter = {
  name: string;
  measure(args: string[], env: NodeJS.ProcessEnv, cwd: string, dir: TempDir): Promise<number>;
};

/** GNU time is there and reports a peak RSS (BusyBox's time, for one, has no -f/-o). */
async function gnuTimeWorks(dir: TempDir): Promise<boolean> {
  if (!existsSync(GNU_TIME)) return false;
  const out = join(dir.path, "probe.rss");
  const run = await timedRun(GNU_TIME, ["-f", "%M", "-o", out, process.execPath, "-e", "0"], { env: childEnv() });
  return run.code === 0 && existsSync(out) && Number(readFileSync(out, "utf8").trim()) > 0;
}

const gnuTime: Meter = {
  name: "`/usr/bin/time -f %M` (GNU time, peak RSS of the node process)",
  async measure(args, env, cwd, dir) {
    const out = join(dir.path, "run.rss");
    await mustRun(GNU_TIME, ["-f", "%M", "-o", out, process.execPath, ...args], { env, cwd });
    return Number(readFileSync(out, "utf8").trim().split("\n").at(-1)) * 1024;
  },
};

function preloadMeter(root: string): Meter {
  return {
    name:
      "a `node --import` preload writing `process.resourceUsage().maxRSS` at exit " +
      "(bench/scripts/maxrss-preload.mjs)",
    async measure(args, env, cwd, dir) {
      const out = join(dir.path, "run.rss");
      const preload = join(root, "bench", "scripts", "maxrss-preload.mjs");
      await mustRun(process.execPath, ["--import", preload, ...args], {
        env: { ...env, TIMELY_BENCH_MAXRSS_FILE: out },
        cwd,
      });
      return Number(readFileSync(out, "utf8").trim());
    },
  };
}

export const memory: Benchmark = {
  name: "memory",
  title: "peak RSS of timely-keys plan at 10,000 keys",
  async run(ctx): Promise<BenchOutcome> {
    await ensureBuilt(ctx.root);
    const dir = tempDir("memory");
    const world = await startBenchEmulator(KEYS, 1_000_000);
    try {
      const meter = (await gnuTimeWorks(dir)) ? gnuTime : preloadMeter(ctx.root);
      const manifest = dir.file("timely-keys.yaml", manifestYaml([{ id: "new-integration", name: "New Integration" }]));
      const env = childEnv({ [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url });
      const plan: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        plan.push(await meter.measure([cliPath(ctx.root), "plan", "-f", manifest], env, dir.path, dir));
        bare.push(await meter.measure(["-e", "0"], env, dir.path, dir));
      }
      const line: BenchLine = {
        label: `peak RSS of timely-keys plan @ ${count(KEYS)} keys`,
        figure: `${mib(median(plan))} (node -e 0: ${mib(median(bare))})`,
        target: "(reported)",
        verdict: "INFO",
      };
      ctx.print(line);
      return {
        lines: [line],
        notes: [
          `Measured with ${meter.name}; median of ${RUNS} runs (all: ${plan.map(mib).join(", ")}), each next to a ` +
            `\`node -e 0\` for ` +
            `the runtime's own footprint. The emulator (in the bench process) holds ${count(KEYS)} keys in one ` +
            `workspace; the ` +
            `manifest has one entry that matches none of them, so the plan reads ${count(Math.ceil(KEYS / 100))} ` +
            `pages and ` +
            `reports ${count(KEYS)} unmanaged keys, one text line each.`,
        ],
      };
    } finally {
      dir.remove();
      await world.emulator.close();
    }
  },
};

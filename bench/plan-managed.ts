// plan-scale, all-managed: `timely-keys plan` over a workspace whose every key is the current key of
// a manifest entry and nothing is due (a no-change plan), at 1,000 / 10,000 / 100,000 keys; a
// 100,000-key workspace of unmanaged keys; and 10 workspaces x 1,000 managed keys. Each against the
// bare listing (bench/scripts/raw-list.mjs) measured side by side, with the peak RSS of both.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type Emulator, type SeedWorkspace } from "@timely-keys/emulator";
import { cliPath } from "./lib/cli.js";
import { mintToken, OWNER, tempDir, TOKEN_ENV, WORKSPACE } from "./lib/fixtures.js";
import { managedManifestYaml, managedSeedKeys, managedWorkspaceYaml } from "./lib/managed.js";
import { profilePlanStages, stageText } from "./lib/profile.js";
import { childEnv, mustRun } from "./lib/spawn.js";
import { count, median, mib, ms, ratio } from "./lib/stats.js";
import { verdict, type BenchContext, type BenchLine } from "./lib/types.js";

const RATE_LIMIT = 1_000_000;

interface Measured {
  cli: number[];
  raw: number[];
  cliRss: number[];
  rawRss: number[];
  summary: string;
}

async function sideBySide(
  ctx: BenchContext,
  emulator: Emulator,
  manifest: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  rounds: number,
  expectKeys: number,
): Promise<Measured> {
  const preload = join(ctx.root, "bench", "scripts", "maxrss-preload.mjs");
  const rssFile = join(cwd, "maxrss");
  const rss = () => Number(readFileSync(rssFile, "utf8"));
  const withRss = { ...env, TIMELY_BENCH_MAXRSS_FILE: rssFile, TIMELY_MANIFEST_MAX_MIB: "64" };
  const out: Measured = { cli: [], raw: [], cliRss: [], rawRss: [], summary: "" };
  const runCli = async () => {
    const run = await mustRun(process.execPath, ["--import", preload, cliPath(ctx.root), "plan", "-f", manifest], {
      env: withRss,
      cwd,
    });
    out.summary = run.stdout.trim().split("\n").at(-1) ?? "";
    return run.ms;
  };
  const runRaw = async () => {
    const run = await mustRun(
      process.execPath,
      ["--import", preload, join(ctx.root, "bench", "scripts", "raw-list.mjs")],
      { env: withRss, cwd },
    );
    if (Number(run.stdout.trim()) !== expectKeys)
      throw new Error(`raw-list read ${run.stdout.trim()} keys, expected ${expectKeys}`);
    return run.ms;
  };
  if (rounds > 1) {
    await runCli();
    await runRaw();
  }
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    for (const which of first ? ["cli", "raw"] : ["raw", "cli"]) {
      if (which === "cli") {
        out.cli.push(await runCli());
        out.cliRss.push(rss());
      } else {
        out.raw.push(await runRaw());
        out.rawRss.push(rss());
      }
    }
  }
  void emulator;
  return out;
}

async function world(workspaces: SeedWorkspace[]): Promise<Emulator> {
  return startEmulator({ seed: { workspaces }, rateLimit: RATE_LIMIT });
}

export async function planManaged(ctx: BenchContext): Promise<{ lines: BenchLine[]; notes: string[] }> {
  const lines: BenchLine[] = [];
  const notes: string[] = [
    "**All-managed, no change.** One workspace whose N keys are each the current key of a manifest entry (marker " +
      "with its hash, " +
      "as timely-keys writes it; created now, so nothing is due) and a manifest of exactly those N entries, each " +
      "with a file sink: " +
      "the plan has nothing to do. The CLI (`timely-keys plan`) and the bare listing (`raw-list.mjs`, same token, " +
      "same emulator) run " +
      "one after the other in alternating order; the figure is the median ratio, and the peak RSS of each comes from " +
      "`process.resourceUsage().maxRSS` at exit (bench/scripts/maxrss-preload.mjs). The 100,000 sizes run once each " +
      "(manifest 19 MiB: `TIMELY_MANIFEST_MAX_MIB=64`).",
  ];
  const sizes = [
    { keys: 1_000, rounds: 5, target: 1.3 },
    { keys: 10_000, rounds: 3, target: 1.5 },
    { keys: 100_000, rounds: 1, target: undefined },
  ];
  for (const { keys, rounds, target } of sizes) {
    const token = mintToken();
    const emulator = await world([
      { name: WORKSPACE, members: [{ name: OWNER, role: "owner", token }], keys: managedSeedKeys(WORKSPACE, keys) },
    ]);
    const dir = tempDir("managed");
    try {
      const manifest = dir.file("timely-keys.yaml", managedManifestYaml(WORKSPACE, keys));
      const env = childEnv({ [TOKEN_ENV]: token, TIMELY_API_URL: emulator.url });
      const m = await sideBySide(ctx, emulator, manifest, env, dir.path, rounds, keys);
      const value = median(m.cli) / median(m.raw);
      const rssRatio = median(m.cliRss) / median(m.rawRss);
      const line: BenchLine = {
        label: `plan e2e, all managed, no change @ ${count(keys)} keys`,
        figure:
          `${ratio(value)} (CLI ${ms(median(m.cli))} / raw fetch ${ms(median(m.raw))}); peak RSS ` +
          `${mib(median(m.cliRss))} vs ${mib(median(m.rawRss))} (${ratio(rssRatio)})`,
        target: target === undefined ? "completes; peak RSS <= 2x the bare listing's" : `<= ${target}x`,
        verdict: verdict(
          target === undefined
            ? rssRatio <= 2 && /No changes/.test(m.summary)
            : value <= target && /No changes/.test(m.summary),
        ),
      };
      ctx.print(line);
      lines.push(line);
      notes.push(`${count(keys)} managed keys, ${m.cli.length} round(s): the CLI printed \`${m.summary}\`.`);
      if (line.verdict === "MISS" && keys <= 10_000) {
        const stages = await profilePlanStages([cliPath(ctx.root), "plan", "-f", manifest], { env, cwd: dir.path });
        notes.push(
          `**Missed at ${count(keys)}:** where one CLI run's time went (\`node --cpu-prof\`, each sample to the ` +
            `innermost ` +
            `stage on its stack): ${stageText(stages)}. The bare listing's own run is node start-up, the same ` +
            `${count(Math.ceil(keys / 100))} answers parsed, and idle time.`,
        );
      }
    } finally {
      dir.remove();
      await emulator.close();
    }
  }

  // 100,000 unmanaged keys, a 3-entry manifest (the report shape of plan-scale).
  {
    const token = mintToken();
    const emulator = await world([
      { name: WORKSPACE, members: [{ name: OWNER, role: "owner", token }], generated_keys: 100_000 },
    ]);
    const dir = tempDir("unmanaged");
    try {
      const manifest = dir.file("timely-keys.yaml", managedManifestYaml(WORKSPACE, 3));
      const env = childEnv({ [TOKEN_ENV]: token, TIMELY_API_URL: emulator.url });
      const m = await sideBySide(ctx, emulator, manifest, env, dir.path, 1, 100_000);
      const rssRatio = median(m.cliRss) / median(m.rawRss);
      const line: BenchLine = {
        label: "plan e2e, 100,000 unmanaged keys",
        figure:
          `${ratio(median(m.cli) / median(m.raw))} (CLI ${ms(median(m.cli))} / raw fetch ` +
          `${ms(median(m.raw))}); peak RSS ${mib(median(m.cliRss))} vs ${mib(median(m.rawRss))} (${ratio(rssRatio)})`,
        target: "completes; peak RSS <= 2x the bare listing's",
        verdict: verdict(rssRatio <= 2 && m.summary.includes("unmanaged")),
      };
      ctx.print(line);
      lines.push(line);
      notes.push(`100,000 unmanaged keys: the CLI printed \`${m.summary}\`.`);
    } finally {
      dir.remove();
      await emulator.close();
    }
  }
  notes.push(WHY_MANAGED_MISSES);
  return { lines, notes };
}

/**
 * Why the all-managed targets are missed, from profiles and heap measurements taken while they were
 * being worked on (2026-12-07, on the shared 2-core machine; figures in the notes above are this run's).
 */
const WHY_MANAGED_MISSES =
  "**Why the all-managed ratios miss, and what would reach them.** The bare listing does three things: start node, " +
  "make ceil(N/100) requests, parse each answer. The CLI makes the same reads (page 1, then 4 pages at a time, " +
  "through " +
  "the SDK's transport: a per-request AbortSignal and timer, the capped body reader, pacing) and does per-entry work " +
  "the listing has none of. Profile of one CLI run at 10,000 before this round's changes (1,838 ms sampled): " +
  "validating the manifest 389 ms (ajv schema, secret scan, policy lint, building the Desired), `plan()` 336 ms, " +
  "the HTTP client 299 ms, parsing the manifest (js-yaml) 192 ms, idle 180 ms, garbage collection 155 ms, " +
  "fingerprinting the live keys 27 ms. Validation then took about half its time in an interleaved A/B of the same " +
  "manifest in one process (no token-shape regexes per string, no entropy split of strings shorter than a secret, no " +
  "structuredClone per sink, one shared getter for the entries' lazy positions instead of two closures per entry, " +
  "which had also turned every Desired key into a dictionary-mode object). What is left per entry: js-yaml with the " +
  "listener that keeps multi-line scalars out of the fast path (the listener alone is about a quarter of the parse), " +
  "the schema, `path.resolve` per file sink in the shared-destination lint, and in `plan()` (plan/, not this " +
  "benchmark's code) `planWorkspace`, `rotationTriggers`, `isoOrNull`/`ms` date parsing, marker parsing and the " +
  "per-key view. At 1,000 entries the CLI's own work is small next to node start-up and module loading, so 1.3x " +
  "needs start-up to shrink too; at 10,000, 1.5x needs the per-entry cost of parsing, validating and planning cut " +
  "to about a third: a manifest parser without per-node callbacks, validation in one pass over the entries " +
  "(schema, secrets, lint and Desired together), and a `plan()` that parses each marker and date once. " +
  "**Memory at 100,000** (heap measured after each stage, in one process): the parsed manifest is about 86 MiB " +
  "(now collected once the Desired is built; the entries' lazy positions kept it alive before), the Desired about " +
  "48 MiB, the manifest text 19 MiB (kept so that an annotation can find an entry's line later), the live keys about " +
  "40 MiB (as the listing holds them), the plan about 25 MiB. Within 2x of the listing needs the Desired built " +
  "without the intermediate parsed tree (a streaming parse of the entries) and a plan that keeps no per-key view " +
  "for keys with nothing to do.";

/** 10 workspaces x 1,000 managed keys, each with its own token, vs one workspace's bare listing. */
export async function multiWorkspace(ctx: BenchContext): Promise<{ lines: BenchLine[]; notes: string[] }> {
  const workspaces: SeedWorkspace[] = [];
  const tokens: Record<string, string> = {};
  const yaml = ["version: 1", "workspaces:"];
  for (let w = 0; w < 10; w++) {
    const name = `team-${w}`;
    const token = mintToken();
    tokens[`TEAM_${w}_TOKEN`] = token;
    workspaces.push({
      name,
      members: [{ name: `Owner ${w}`, role: "owner", token }],
      keys: managedSeedKeys(name, 1_000),
    });
    yaml.push(...managedWorkspaceYaml(name, `TEAM_${w}_TOKEN`, 1_000));
  }
  const emulator = await world(workspaces);
  const dir = tempDir("multi");
  try {
    const manifest = dir.file("timely-keys.yaml", `${yaml.join("\n")}\n`);
    const env = childEnv({ ...tokens, [TOKEN_ENV]: tokens.TEAM_0_TOKEN, TIMELY_API_URL: emulator.url });
    const m = await sideBySide(ctx, emulator, manifest, env, dir.path, 3, 1_000);
    const value = median(m.cli) / median(m.raw);
    const line: BenchLine = {
      label: "plan e2e, 10 workspaces x 1,000 managed keys / one workspace's listing",
      figure: `${ratio(value)} (CLI ${ms(median(m.cli))} / raw fetch of one workspace ${ms(median(m.raw))})`,
      target: "<= 2x",
      verdict: verdict(value <= 2 && /No changes/.test(m.summary)),
    };
    ctx.print(line);
    const notes = [
      "10 workspaces of 1,000 all-managed keys each (own member token each) in one emulator, one manifest of " +
        "10,000 entries; " +
        "the CLI reads the workspaces side by side (at most 8 at once, each through its own client and rate " +
        "limit, each " +
        "workspace's pages after the first 4 at a time), against the bare listing of one workspace's 1,000 keys, " +
        `alternating, median of ${m.cli.length} rounds. The CLI printed \`${m.summary}\`.`,
    ];
    if (line.verdict === "MISS") {
      const stages = await profilePlanStages([cliPath(ctx.root), "plan", "-f", manifest], { env, cwd: dir.path });
      notes.push(
        `**Missed:** where one CLI run's time went (\`node --cpu-prof\`): ${stageText(stages)}. The reads overlap ` +
          "(10 workspaces cost about what one does on the wire); what does not overlap is the work per entry, " +
          "done for " +
          "10,000 entries against a listing of 1,000 keys: parsing and validating the manifest and `plan()`, as " +
          "in the " +
          "all-managed rows of plan-scale. 2x needs that per-entry cost cut to about a third (see plan-scale).",
      );
    }
    return { lines: [line], notes };
  } finally {
    dir.remove();
    rmSync(join(dir.path), { recursive: true, force: true });
    await emulator.close();
  }
}

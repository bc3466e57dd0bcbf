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
 * being worked on (2026-12-07 and 2026-12-08, on the shared 2-core machine; figures in the notes
 * above are this run's).
 */
const WHY_MANAGED_MISSES =
  "**Why the all-managed ratios miss, and what would reach them.** The bare listing does three things: start " +
  "node, make ceil(N/100) requests, parse each answer. The CLI makes the same reads (page 1, then 4 pages at a " +
  "time, through the SDK's transport on node:http: a per-request AbortSignal and timer, the capped body reader, " +
  "pacing) and does per-entry work the listing has none of: parsing the manifest, validating it (schema, secret " +
  "scan, policy lint, building the Desired), `plan()` and fingerprinting the live keys for the saved plan. " +
  "Profiles of one CLI run at 10,000 entries, before these rounds (1,838 ms sampled) and now (see above): the " +
  "manifest was parsed by js-yaml with a per-node listener (192 ms); the plainest manifests (block mappings and " +
  "lists of one-line values, what generated and hand-kept manifests are made of) are now read line by line " +
  "(validate/line-yaml.ts, which gives up on anything else and is checked against `yaml` by property tests). " +
  "Validation (389 ms) builds a smaller Desired (one getter per workspace for the entries' lazy positions, " +
  "shared settings and scope lists) and lints without `path.resolve` per sink. `plan()` (336 ms) reads each " +
  "key's marker and times once and builds nothing for an entry with nothing to do. The HTTP client (299 ms, " +
  "undici's WebAssembly parser, which also made every run wait for V8 at exit) is node:http. What is left is " +
  "spread thin over the same stages, each still paid per entry and mostly in code that runs once per process " +
  "before V8 has optimised it (`plan()` takes about half as long in the warm plan-function benchmark): the " +
  "description each current key should carry (its marker and the SHA-256 hash of its text), the schema, the " +
  "secret scan of the manifest's text, the line parser, and the garbage they leave. At 1,000 entries much of " +
  "the difference is loading the bundle (1.1 MiB in one chunk). Loading the `yaml` and js-yaml parsers (about " +
  "370 KiB of it) only when the line parser gives up or a finding needs its line saved 7-9 ms a run, but kept " +
  "about 60 MiB more heap at 100,000 entries for a reason not yet found, so it was reverted. 1.5x at 10,000 " +
  "needs about 100 ms less per 10,000 entries: a validator that checks an entry's " +
  "schema, secrets and lint in one pass over the parsed values, and a `plan()` that compares a key's " +
  "description without building the wanted one (its hash first). **Memory at 100,000** (heap measured after " +
  "each stage, in one process): the parsed manifest about 64 MiB (collected once the Desired is built), the " +
  "Desired about 25 MiB, the manifest text 19 MiB (kept so that an annotation can find an entry's line later), " +
  "the live keys about 40 MiB (as the listing holds them). The 100,000 unmanaged keys' text plan (17 million " +
  "characters) was built as one string, stored two bytes a character and copied once more for the write (357 " +
  "MiB peak); the CLI now writes it in pieces of 2,000 lines, waiting whenever the pipe is full.";

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

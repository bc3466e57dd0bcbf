// 1. plan at scale, end to end: `timely-keys plan` (a subprocess of the built CLI) against an
// emulator holding 100, 1,000 and 10,000 keys, versus a bare loop listing the same keys with
// raw fetch (also a subprocess, node start-up included). The emulator's request log proves the
// CLI reads with ceil(N/100) list calls, one GET /v1/me (the workspace identity check) and nothing per key.
import { join } from "node:path";
import { cliPath, ensureBuilt } from "./lib/cli.js";
import {
  clearRequestLog,
  manifestYaml,
  startBenchEmulator,
  tempDir,
  TOKEN_ENV,
  type ManifestEntry,
} from "./lib/fixtures.js";
import { hotList, profileProcess } from "./lib/profile.js";
import { planManaged } from "./plan-managed.js";
import { childEnv, mustRun } from "./lib/spawn.js";
import { count, median, ms, ratio } from "./lib/stats.js";
import { verdict, type BenchContext, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

const SIZES = [
  { keys: 100, repeats: 7 },
  { keys: 1_000, repeats: 11 },
  { keys: 10_000, repeats: 3 },
];
const TARGET_KEYS = 1_000;
const TARGET_RATIO = 1.3;
const RATE_LIMIT = 1_000_000;
/** Functions of the provisioner (names survive bundling) whose inclusive time tells the phases apart. */
const PROFILE_PHASES: ReadonlyArray<[string, string]> = [
  ["compileSchema", "ajv compiling the manifest's JSON Schema"],
  ["parseManifest", "YAML parsing"],
  ["validateFile", "all of validation"],
  ["plan", "the plan function"],
  ["renderText", "rendering the plan"],
];

interface SizeResult {
  keys: number;
  cli: number[];
  raw: number[];
  version: number[];
  validate: number[];
  listCalls: number[];
  /** GET /v1/me: the workspace identity check, exactly one per workspace. */
  meCalls: number[];
  otherCalls: number[];
  summaryLine: string;
  /** The request log of CLI runs whose counts were not the expected ones. */
  anomalies: string[];
}

function generatedName(index: number): string {
  return `generated-key-${String(index).padStart(5, "0")}`;
}

async function measureSize(
  ctx: BenchContext,
  keys: number,
  repeats: number,
): Promise<SizeResult & { profileNote?: string }> {
  const world = await startBenchEmulator(keys, RATE_LIMIT);
  const dir = tempDir("plan");
  try {
    const live = world.emulator.state().workspaces[0]?.keys ?? [];
    const first = live.find((k) => k.name === generatedName(1));
    const middle = live.find((k) => k.name === generatedName(Math.ceil(keys / 2)));
    if (!first || !middle || live.length !== keys)
      throw new Error(`the emulator was seeded with ${live.length} keys, expected ${keys}`);
    const entries: ManifestEntry[] = [
      { id: "adopted-first", name: first.name, adopt: first.id },
      { id: "adopted-middle", name: middle.name, adopt: middle.id },
      { id: "new-integration", name: "New Integration" },
    ];
    const manifest = dir.file("timely-keys.yaml", manifestYaml(entries));
    const env = childEnv({ [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url });
    const cli = cliPath(ctx.root);
    const rawScript = join(ctx.root, "bench", "scripts", "raw-list.mjs");
    const expectedLists = Math.max(1, Math.ceil(keys / 100));

    const result: SizeResult = {
      keys,
      cli: [],
      raw: [],
      version: [],
      validate: [],
      listCalls: [],
      meCalls: [],
      otherCalls: [],
      summaryLine: "",
      anomalies: [],
    };
    const runCli = async () => {
      await clearRequestLog(world.emulator);
      const run = await mustRun(process.execPath, [cli, "plan", "-f", manifest], { env, cwd: dir.path });
      const log = world.emulator.requests();
      const lists = log.filter((e) => e.method === "GET" && e.path === "/v1/api-keys").length;
      const me = log.filter((e) => e.method === "GET" && e.path === "/v1/me").length;
      result.listCalls.push(lists);
      result.meCalls.push(me);
      result.otherCalls.push(log.length - lists - me);
      if (lists !== expectedLists || me !== 1 || log.length !== lists + me) {
        const byKind = new Map<string, number>();
        for (const e of log) {
          const kind = `${e.method} ${e.path} -> ${e.status}${e.faulted ? ` (${e.faulted})` : ""}`;
          byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        }
        result.anomalies.push([...byKind].map(([kind, n]) => `${n}x ${kind}`).join(", "));
      }
      result.summaryLine = run.stdout.split("\n").find((l) => l.startsWith("Plan:")) ?? "(no summary line)";
      return run.ms;
    };
    const runRaw = async () => {
      const run = await mustRun(process.execPath, [rawScript], { env, cwd: dir.path });
      if (Number(run.stdout.trim()) !== keys)
        throw new Error(`raw-list read ${run.stdout.trim()} keys, expected ${keys}`);
      return run.ms;
    };
    const withPhases = keys === TARGET_KEYS;
    const runVersion = async () => (await mustRun(process.execPath, [cli, "--version"], { env, cwd: dir.path })).ms;
    const runValidate = async () =>
      (await mustRun(process.execPath, [cli, "validate", "-f", manifest], { env, cwd: dir.path })).ms;

    // Warm-up (file cache, emulator JIT), then interleaved rounds with a rotating order.
    // (The warm-up run's requests are checked like every other run's.)
    await runCli();
    await runRaw();
    for (let round = 0; round < repeats; round++) {
      const steps: Array<() => Promise<void>> = [
        async () => void result.cli.push(await runCli()),
        async () => void result.raw.push(await runRaw()),
      ];
      if (withPhases) {
        steps.push(async () => void result.version.push(await runVersion()));
        steps.push(async () => void result.validate.push(await runValidate()));
      }
      for (let i = 0; i < steps.length; i++) await (steps[(round + i) % steps.length] as () => Promise<void>)();
    }
    ctx.progress(`plan-scale: ${count(keys)} keys: CLI ${ms(median(result.cli))}, raw ${ms(median(result.raw))}`);

    let profileNote: string | undefined;
    if (withPhases && median(result.cli) / median(result.raw) > TARGET_RATIO) {
      const summary = await profileProcess([cli, "plan", "-f", manifest], { env, cwd: dir.path });
      const phases = PROFILE_PHASES.map(
        ([name, what]) => `${what} \`${name}\` ${summary.inclusiveMs(name).toFixed(0)} ms`,
      ).join("; ");
      const validation = median(result.validate) - median(result.version);
      const rest = median(result.cli) - median(result.validate);
      const schemaShare = summary.inclusiveMs("compileSchema") / Math.max(1, summary.inclusiveMs("validateFile"));
      const proposal =
        validation >= rest && schemaShare >= 0.5
          ? `Validating the manifest is the larger part, and ${(schemaShare * 100).toFixed(0)}% of it is ajv ` +
            `compiling the manifest's ` +
            "JSON Schema, on every start. Proposed fix (packages/provisioner): compile the schema at build time " +
            "with ajv's standalone " +
            "code (`ajv/dist/standalone`, generated next to schema/manifest.schema.json) and load that module, so " +
            "validation costs a function call."
          : validation >= rest
            ? "Validating the manifest is the larger part (see the profile for what dominates it)."
            : "Reading, planning and rendering is the larger part; the plan-function benchmark shows the plan's " +
              "own cost per key.";
      profileNote =
        `CPU profile of one \`plan\` at ${count(keys)} keys (\`node --cpu-prof\`): ${summary.totalMs.toFixed(0)} ` +
        `ms sampled, of which ` +
        `${summary.idleMs.toFixed(0)} ms idle (waiting for the emulator's answers) and ${summary.gcMs.toFixed(0)} ` +
        `ms garbage collection. ` +
        `Synchronous time inside: ${phases}. Hottest functions by self time (names from the ` +
        `bundle):\n\n${hotList(summary, 8)}\n\n${proposal}`;
    }
    return { ...result, ...(profileNote ? { profileNote } : {}) };
  } finally {
    dir.remove();
    await world.emulator.close();
  }
}

export const planScale: Benchmark = {
  name: "plan-scale",
  title:
    "timely-keys plan end to end at 100 / 1,000 / 10,000 keys (3 entries), and all-managed at 1,000 / 10,000 / 100,000",
  async run(ctx): Promise<BenchOutcome> {
    await ensureBuilt(ctx.root);
    const lines: BenchLine[] = [];
    const notes: string[] = [
      "Each size gets its own in-process emulator (rate limit raised to 1,000,000 per minute) seeded with " +
        "`generated_keys: N` in one workspace. The manifest has 3 entries: `adopted-first` and `adopted-middle` " +
        "adopt (`adopt: <id>`) the seeded keys `generated-key-00001` and the middle one, `new-integration` " +
        "matches no key; the other N-2 seeded keys are unmanaged and reported (policy `report`), one plan line each. " +
        "`timely-keys plan -f timely-keys.yaml` runs as a subprocess of `packages/cli/bin/timely-keys.js` " +
        "(the esbuild bundle), and the baseline `bench/scripts/raw-list.mjs` as a subprocess too: a bare loop of " +
        "`fetch` over `GET /v1/api-keys?per_page=100` that parses each page and counts the keys. Both include node's " +
        "start-up. Figures are medians of interleaved rounds after one warm-up run each; the request log is cleared " +
        "before every CLI run and read after it: a run must make exactly ceil(N/100) list calls and one `GET /v1/me` " +
        "(the workspace identity check: the token's workspace against the manifest's pin), and nothing else, so " +
        "any per-key request is a MISS. The CLI reads page 1, then the other pages 4 at a time (the API pages by " +
        "number); the raw loop reads them one after the other.",
    ];
    for (const { keys, repeats } of SIZES) {
      const r = await measureSize(ctx, keys, repeats);
      const expectedLists = Math.max(1, Math.ceil(keys / 100));
      const countsOk =
        r.listCalls.every((c) => c === expectedLists) &&
        r.meCalls.every((c) => c === 1) &&
        r.otherCalls.every((c) => c === 0);
      const listText = [...new Set(r.listCalls)].join("/");
      const meText = [...new Set(r.meCalls)].join("/");
      const otherText = [...new Set(r.otherCalls)].join("/");
      const cliMs = median(r.cli);
      const rawMs = median(r.raw);
      const value = cliMs / rawMs;
      const isTarget = keys === TARGET_KEYS;
      const line: BenchLine = {
        label: `plan e2e @ ${count(keys)} keys`,
        figure:
          `${ratio(value)} (CLI ${ms(cliMs)} / raw fetch ${ms(rawMs)}); ${listText} list calls, ${meText} GET ` +
          `/v1/me, ` +
          `${otherText} other requests`,
        target: isTarget
          ? `<= ${TARGET_RATIO}x; list calls = ${expectedLists}, GET /v1/me = 1, 0 per-key`
          : `list calls = ${expectedLists}, GET /v1/me = 1, 0 per-key (ratio reported)`,
        verdict: verdict(countsOk && (!isTarget || value <= TARGET_RATIO)),
      };
      ctx.print(line);
      lines.push(line);
      notes.push(
        `${count(keys)} keys, ${r.cli.length} rounds: the CLI printed \`${r.summaryLine}\`; its ` +
          `${r.listCalls.length} runs (warm-up included) ` +
          `made ${listText} list call(s) each (expected ${expectedLists}), ${meText} GET /v1/me (the workspace ` +
          `identity ` +
          `check, expected 1) and ${otherText} other request(s) (expected 0).`,
      );
      if (r.anomalies.length > 0)
        notes.push(`Request logs of the runs with other counts: ${r.anomalies.map((a) => `[${a}]`).join("; ")}.`);
      if (isTarget) {
        const version = median(r.version);
        const validate = median(r.validate);
        notes.push(
          `Where the CLI's ${ms(cliMs)} at ${count(keys)} keys goes (medians of the same rounds): node start-up ` +
            `plus the bundle's entry ` +
            `(\`timely-keys --version\`) ${ms(version)}; loading and validating the manifest (\`validate\` minus ` +
            `\`--version\`) ` +
            `${ms(validate - version)}; reading ${expectedLists} pages, planning and rendering (the rest) ` +
            `${ms(cliMs - validate)}. ` +
            `The raw loop takes ${ms(rawMs)} in all, of which node start-up is about the \`--version\` figure.`,
        );
        if (value > TARGET_RATIO) {
          notes.push(
            `**Missed: ${ratio(value)} > ${TARGET_RATIO}x.** The raw loop is node start-up plus ${expectedLists} ` +
              `round trips; the CLI adds ` +
              `the work above on top of the same reads. ${r.profileNote ?? ""}`,
          );
        }
      }
    }
    const managed = await planManaged(ctx);
    lines.push(...managed.lines);
    notes.push(...managed.notes);
    return { lines, notes };
  },
};

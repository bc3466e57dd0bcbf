// 1b. The pure `plan` function at 1,000 / 10,000 / 100,000 synthetic live keys, in-process (each
// size in its own node process, so one size's heap does not weigh on the next), and whether it
// grows linearly: the time per key should stay flat as N grows tenfold (N log N allows ~1.3x).
import { join } from "node:path";
import { hotList, profileProcess, type ProfileSummary } from "./lib/profile.js";
import { childEnv, timedRun } from "./lib/spawn.js";
import { count, median, ms, ratio, us } from "./lib/stats.js";
import { shapes, type Shape } from "./lib/synthetic.js";
import { verdict, type BenchContext, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

const SIZES = [
  { keys: 1_000, warmups: 5, runs: 9 },
  { keys: 10_000, warmups: 3, runs: 7 },
  { keys: 100_000, warmups: 1, runs: 5 },
];
const TARGET_MS_AT_10K = 100;
/** Per-key time may grow this much per tenfold N: N log N gives ~1.25-1.33, quadratic 10. */
const MAX_PER_KEY_GROWTH = 1.5;
/** A size that has not finished within this is stopped (a quadratic plan at 100,000 keys takes minutes). */
const WORKER_BUDGET_MS = 40_000;

interface SizeTiming {
  keys: number;
  times: number[];
  /** GC pauses inside each run. */
  gcTimes: number[];
  /** Stopped at the budget before all runs finished. */
  stopped: boolean;
  actions: number;
  summary: string;
}

function workerArgs(root: string, shape: Shape, keys: number, warmups: number, runs: number, extra: string[] = []): string[] {
  return ["--expose-gc", ...extra, "--import", "tsx", join(root, "bench", "plan-function-worker.ts"), shape, String(keys), String(warmups), String(runs)];
}

async function timeSize(ctx: BenchContext, shape: Shape, keys: number, warmups: number, runs: number): Promise<SizeTiming> {
  const run = await timedRun(process.execPath, workerArgs(ctx.root, shape, keys, warmups, runs), { cwd: ctx.root, env: childEnv(), timeoutMs: WORKER_BUDGET_MS });
  const records = run.stdout
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as { ms: number; gcMs: number; actions: number; summary: Record<string, number> });
  if (run.code !== 0 && run.signal !== "SIGKILL") throw new Error(`plan worker (${shape}, ${keys}) failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const last = records.at(-1);
  return {
    keys,
    times: records.map((r) => r.ms),
    gcTimes: records.map((r) => r.gcMs),
    stopped: run.signal === "SIGKILL",
    actions: last?.actions ?? 0,
    summary: last ? Object.entries(last.summary).map(([k, v]) => `${k} ${v}`).join(", ") : "",
  };
}

function profileSize(ctx: BenchContext, shape: Shape, keys: number): Promise<ProfileSummary> {
  // Only what runs inside plan() counts (the worker's set-up and the TS loader stay out).
  return profileProcess(workerArgs(ctx.root, shape, keys, 1, 2), { cwd: ctx.root, env: childEnv(), timeoutMs: WORKER_BUDGET_MS }, 10, "plan");
}

/**
 * What the hottest functions of a profile do, named when the profile shows them. `growth`: a scan over
 * the entries inside a loop over keys or entries, superlinear only when the entries grow with N (the
 * managed shape), so named only there and only when growth missed; `cost`: work per key, named for any miss.
 */
const HOT_SPOT_HINTS: Record<string, { kind: "growth" | "cost"; text: string }> = {
  summarize: {
    kind: "growth",
    text:
      "`summarize` (plan/summary.ts) runs `ws.actions.some(a => a.entryId === entry.entryId …)` for every entry: O(entries × actions). " +
      "Fix: one pass over the actions collecting the busy entry ids in a Set, then one lookup per entry.",
  },
  planWorkspace: {
    kind: "growth",
    text:
      "`planWorkspace` (plan.ts) runs `entries.find(e => e.name === view.key.name …)` for every unmanaged key (the namesake warning): " +
      "O(unmanaged keys × entries); `adoptions` likewise runs `views.find(…)` over every key for each `adopt`. " +
      "Fix: index the entries by name (Map<string, DesiredKey[]>) and the views by key id (Map) once per workspace.",
  },
  "(garbage collector)": {
    kind: "cost",
    text:
      "Garbage collection is a large share: the plan allocates several objects and strings per key (a view per key, an " +
      "action per unmanaged key, its redacted copy and its compacted copy, and one JSON string of every key for the " +
      "fingerprint); the larger the heap, the more each collection has to mark, so GC's share grows with N (see the table).",
  },
  update: {
    kind: "cost",
    text:
      "`Hash.update` is SHA-256 work: the workspace fingerprint hashes one JSON string of every live key (plan/fingerprint.ts, " +
      "~40 MB at 100,000 keys) and every managed entry gets `markerHash`es (plan/marker.ts).",
  },
  fingerprintKeys: {
    kind: "cost",
    text:
      "`fingerprintKeys` (plan/fingerprint.ts) copies, sorts and serializes every live key for the live-state fingerprint. " +
      "Fix: feed the hash key by key (one `hash.update` per key, in id order) instead of building one huge string.",
  },
  redactText: {
    kind: "cost",
    text:
      "`redactText` (plan/redact.ts) runs the secret-shape regular expression over every display string of every action. " +
      "Fix: a cheap pre-check (`text.includes(\"_\")`, since every secret shape has one) before the replace.",
  },
  compact: { kind: "cost", text: "`compact` (plan/compact.ts) copies every action once more to drop its undefined fields." },
  currentDescription: {
    kind: "cost",
    text:
      "`currentDescription` (plan/describe.ts) builds the description timely-keys would write (fitting the text, formatting " +
      "the marker, and a SHA-256 `markerHash` through `createHash`); for each managed entry the plan builds it several times " +
      "(plan/current.ts: `wanted` and `keepingOff`, plus plan/entry.ts) and hashes the live text once more for `editedOutside`. " +
      "Fix: build `keepingOff` only when the description differs and the live marker's `off` flag differs from the wanted one, " +
      "and compute each entry's wanted description once per plan.",
  },
};

/** Provisioner functions whose inclusive time (names survive in the profile) tells the plan's phases apart. */
const PHASES = ["planEntry", "currentDescription", "markerHash", "viewOf", "fingerprintKeys", "planUnmanagedKey", "redactAction", "compact", "summarize"];

function perKeyUs(t: SizeTiming): number {
  return (median(t.times) / t.keys) * 1000;
}

export const planFunction: Benchmark = {
  name: "plan-function",
  title: "the pure plan function at 1,000 / 10,000 / 100,000 synthetic keys",
  async run(ctx): Promise<BenchOutcome> {
    const lines: BenchLine[] = [];
    const notes: string[] = [
      "`plan(desired, live, now)` called in-process on Desired/Live objects built directly (bench/lib/synthetic.ts, " +
        "as the plan tests build them), one node process per shape and size, `gc()` before each run, median of the runs " +
        "after warm-up runs. Two shapes: **report** — 10 manifest entries with their current keys, every other key " +
        "unmanaged (a big workspace, a small manifest); **managed** — N/2 entries each with its current key (one in ten " +
        "due for rotation by age) plus N/2 unmanaged keys. Linear growth keeps the time per key flat from one size to " +
        `the next (x10); N log N would show ~1.25-1.33x per step; the target allows ${MAX_PER_KEY_GROWTH}x. A size still running ` +
        `after ${WORKER_BUDGET_MS / 1000} s is stopped. "Well under ${TARGET_MS_AT_10K} ms" passes below ${TARGET_MS_AT_10K} ms (median); ` +
        "the min column shows the same runs with the least interference from other load on the machine.",
    ];
    for (const shape of shapes) {
      const timings: SizeTiming[] = [];
      for (const { keys, warmups, runs } of SIZES) {
        const timing = await timeSize(ctx, shape, keys, warmups, runs);
        timings.push(timing);
        ctx.progress(`plan-function ${shape} ${count(keys)}: ${timing.times.length ? ms(median(timing.times)) : "stopped"}`);
        if (timing.times.length === 0) break; // the next size would only be slower
      }
      const at10k = timings.find((t) => t.keys === 10_000);
      const tenK = at10k && at10k.times.length > 0 ? median(at10k.times) : Number.NaN;
      const timeLine: BenchLine = {
        label: `plan() @ 10,000 keys (${shape})`,
        figure: ms(tenK),
        target: `well under ${TARGET_MS_AT_10K} ms`,
        verdict: verdict(tenK < TARGET_MS_AT_10K),
      };
      ctx.print(timeLine);

      const growth: string[] = [];
      let worst = 0;
      for (let i = 1; i < SIZES.length; i++) {
        const prev = timings[i - 1];
        const size = SIZES[i] as (typeof SIZES)[number];
        const cur = timings[i];
        if (!prev || prev.times.length === 0) break;
        if (!cur || cur.times.length === 0) {
          // Not one run finished within the budget: the per-key time grew at least this much.
          const lowerBound = (WORKER_BUDGET_MS / size.keys) * 1000 / perKeyUs(prev);
          growth.push(`${count(prev.keys)}→${count(size.keys)}: > ${ratio(lowerBound)} (no run finished in ${WORKER_BUDGET_MS / 1000} s)`);
          worst = Math.max(worst, lowerBound);
          break;
        }
        const step = perKeyUs(cur) / perKeyUs(prev);
        growth.push(`${count(prev.keys)}→${count(cur.keys)}: ${ratio(step)}`);
        worst = Math.max(worst, step);
      }
      const perKey = timings.filter((t) => t.times.length > 0).map((t) => `${us(perKeyUs(t) / 1000)}/key @ ${count(t.keys)}`);
      const growthLine: BenchLine = {
        label: `plan() growth per key, x10 keys (${shape})`,
        figure: `${growth.join(", ")} (${perKey.join(", ")})`,
        target: `linear (N log N at worst): <= ${MAX_PER_KEY_GROWTH}x per step`,
        verdict: verdict(growth.length === SIZES.length - 1 && worst <= MAX_PER_KEY_GROWTH),
      };
      ctx.print(growthLine);
      lines.push(timeLine, growthLine);

      const rows = timings.map((t) =>
        t.times.length === 0
          ? `| ${shape} | ${count(t.keys)} | stopped after ${WORKER_BUDGET_MS / 1000} s | — | — | — | 0 | — |`
          : `| ${shape} | ${count(t.keys)} | ${ms(median(t.times))} | ${ms(Math.min(...t.times))} | ${ms(median(t.gcTimes))} | ${us(perKeyUs(t) / 1000)} | ${t.times.length} | ${t.summary} |`,
      );
      notes.push(
        ["| shape | keys | median | min | GC (median) | per key | runs | plan summary |", "| --- | --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n"),
      );

      if (timeLine.verdict === "MISS" || growthLine.verdict === "MISS") {
        // For growth, the largest size that finished shows best what grows; for time, the size of the target.
        const largest = [...timings].reverse().find((t) => t.times.length > 0)?.keys ?? 1_000;
        const profiled = growthLine.verdict === "MISS" ? largest : Math.min(10_000, largest);
        const summary = await profileSize(ctx, shape, profiled);
        const grew = growthLine.verdict === "MISS";
        // Self time names the leaves; the inclusive phases name the parts above them.
        const heavyPhases = PHASES.filter((n) => summary.inclusiveMs(n) > summary.inclusiveMs("plan") * 0.2);
        const hints = [...new Set([...summary.top.slice(0, 8).map((f) => f.name), ...heavyPhases])]
          .map((n) => HOT_SPOT_HINTS[n])
          .filter((h): h is { kind: "growth" | "cost"; text: string } => h !== undefined && (h.kind === "cost" || (grew && shape === "managed")))
          .map((h) => h.text);
        // How much of the growth is collection: the same step with the GC pauses taken out.
        const finished = timings.filter((t) => t.times.length > 0);
        const exGc = finished.slice(1).map((cur, i) => {
          const prev = finished[i] as SizeTiming;
          const perKey = (t: SizeTiming) => (median(t.times) - median(t.gcTimes)) / t.keys;
          return `${count(prev.keys)}→${count(cur.keys)} ${ratio(perKey(cur) / perKey(prev))}`;
        });
        const fastest = finished.slice(1).map((cur, i) => {
          const prev = finished[i] as SizeTiming;
          const perKey = (t: SizeTiming) => Math.min(...t.times) / t.keys;
          return `${count(prev.keys)}→${count(cur.keys)} ${ratio(perKey(cur) / perKey(prev))}`;
        });
        const gcNote =
          grew && exGc.length > 0
            ? ` Per-key growth with the GC pauses taken out: ${exGc.join(", ")}; from the fastest run of each size (least disturbed ` +
              `by other load on the machine): ${fastest.join(", ")}.`
            : "";
        notes.push(
          `**Missed (${shape}):** ${[timeLine, growthLine].filter((l) => l.verdict === "MISS").map((l) => l.label).join("; ")}.${gcNote} ` +
            `CPU profile of the worker at ${count(profiled)} keys (\`node --cpu-prof\`, 3 calls of plan(); samples inside plan() ` +
            `plus all GC). Inclusive time of the plan's parts: ${PHASES.map((n) => `\`${n}\` ${summary.inclusiveMs(n).toFixed(0)} ms`).join(", ")} ` +
            `(of ${summary.inclusiveMs("plan").toFixed(0)} ms in \`plan\`). Hottest functions by self time:\n\n${hotList(summary, 8)}\n\n${hints.join("\n\n")}`,
        );
      }
    }
    return { lines, notes };
  },
};

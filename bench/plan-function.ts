// 1b. The pure `plan` function at 1,000 / 10,000 / 100,000 synthetic live keys, in-process (each
// size in its own node process, so one size's heap does not weigh on the next), and whether it
// grows linearly: the time per key should stay flat as N grows tenfold (N log N allows ~1.3x).
// Growth is judged by the exponent k of T ∝ N^k fitted over the sizes, on the plan's own time (GC
// pauses taken out; with them, reported): N log N has k ≈ 1.11 over 1,000-100,000, linear 1, quadratic 2.
import { join } from "node:path";
import { hotList, profileProcess, type ProfileSummary } from "./lib/profile.js";
import { exportBaseline, resolveCommit } from "./plan-function-baseline.js";
import { childEnv, timedRun } from "./lib/spawn.js";
import { count, median, ms, ratio, us } from "./lib/stats.js";
import { shapes, type Shape } from "./lib/synthetic.js";
import { verdict, type BenchContext, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

// Warm-ups until V8 has optimized the plan: a small size needs many (each run is short).
const SIZES = [
  { keys: 1_000, warmups: 50, runs: 9 },
  { keys: 10_000, warmups: 10, runs: 7 },
  { keys: 100_000, warmups: 1, runs: 5 },
];
const TARGET_MS_AT_10K = 100;
/** The exponent N log N has over the sizes: log(T) grows by log10(N) + log10(log N) per decade. */
const N_LOG_N_EXPONENT = fittedExponent(SIZES.map((s) => ({ keys: s.keys, ms: s.keys * Math.log(s.keys) })));
/**
 * Issue 14: plan() must stay within 10% of its time before the plan-as-data refactor. 39bcd01 is the
 * last commit before that work; its plan() takes the same Desired, Live and clock (only its output
 * differs: words instead of facts), so both run on the same synthetic state.
 */
const BASELINE = { rev: "39bcd01", what: "before the plan-as-data refactor" };
const BASELINE_KEYS = 10_000;
const BASELINE_WARMUPS = 5;
const BASELINE_ROUNDS = 15;
const BASELINE_TARGET = 1.1;
/** A size that has not finished within this is stopped (a quadratic plan at 100,000 keys takes minutes). */
const WORKER_BUDGET_MS = 40_000;
/** Least-squares slope of log(ms) over log(keys): T ∝ N^k. */
function fittedExponent(points: ReadonlyArray<{ keys: number; ms: number }>): number {
  const xs = points.map((p) => Math.log(p.keys));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxy = xs.reduce((sum, x, i) => sum + (x - mx) * ((ys[i] as number) - my), 0);
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

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

function workerArgs(
  root: string,
  shape: Shape,
  keys: number,
  warmups: number,
  runs: number,
  extra: string[] = [],
): string[] {
  return [
    "--expose-gc",
    ...extra,
    "--conditions=@timely-keys/source",
    "--import",
    "tsx",
    join(root, "bench", "plan-function-worker.ts"),
    shape,
    String(keys),
    String(warmups),
    String(runs),
  ];
}

async function timeSize(
  ctx: BenchContext,
  shape: Shape,
  keys: number,
  warmups: number,
  runs: number,
): Promise<SizeTiming> {
  const run = await timedRun(process.execPath, workerArgs(ctx.root, shape, keys, warmups, runs), {
    cwd: ctx.root,
    env: childEnv(),
    timeoutMs: WORKER_BUDGET_MS,
  });
  const records = run.stdout
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as { ms: number; gcMs: number; actions: number; summary: Record<string, number> });
  if (run.code !== 0 && run.signal !== "SIGKILL")
    throw new Error(`plan worker (${shape}, ${keys}) failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const last = records.at(-1);
  return {
    keys,
    times: records.map((r) => r.ms),
    gcTimes: records.map((r) => r.gcMs),
    stopped: run.signal === "SIGKILL",
    actions: last?.actions ?? 0,
    summary: last
      ? Object.entries(last.summary)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")
      : "",
  };
}

function profileSize(ctx: BenchContext, shape: Shape, keys: number): Promise<ProfileSummary> {
  // Only what runs inside plan() counts (the worker's set-up and the TS loader stay out).
  return profileProcess(
    workerArgs(ctx.root, shape, keys, 1, 2),
    { cwd: ctx.root, env: childEnv(), timeoutMs: WORKER_BUDGET_MS },
    10,
    "plan",
  );
}

/**
 * What the hottest functions of a profile do, named when the profile shows them. `growth`: a scan over
 * the entries inside a loop over keys or entries, superlinear only when the entries grow with N (the
 * managed shape), so named only there and only when growth missed; `cost`: work per key, named for any miss.
 */
const HOT_SPOT_HINTS: Record<string, { kind: "growth" | "cost"; text: string }> = {
  planWorkspace: {
    kind: "growth",
    text:
      "`planWorkspace` (plan.ts) reads each live key once into a view (its marker, and for a marked key its " +
      "created and expiry times), hands a marked key to its entry by the entry's position (one Map lookup per " +
      "key), and sorts the unmanaged keys by name, then id, for the listing: that sort (Array.prototype.sort, " +
      "whose time V8 books to its caller) is the plan's one N log N step.",
  },
  "(garbage collector)": {
    kind: "cost",
    text:
      "Garbage collection: the plan keeps a view per key, a state per entry and an action per unmanaged key (its " +
      "result), and builds the JSON text of every key for the fingerprint (an entry with nothing to do gets no " +
      "lists of its own: its roles, triggers and actions are shared frozen empties). Up to some 10,000 keys that " +
      "fits V8's young generation; beyond, the surviving objects are copied out of it and later marked by full " +
      "collections, so collection time per key grows with the heap while the plan's own work per key does not " +
      "(compare the GC column and the two growth lines).",
  },
  update: {
    kind: "cost",
    text:
      "`Hash.update` is SHA-256 work: the workspace fingerprint hashes the JSON text of every live key " +
      "(plan/fingerprint.ts, about 300 bytes a key).",
  },
  hash: {
    kind: "cost",
    text:
      "`hash` is node:crypto's one-shot SHA-256: every managed entry gets one `markerHash` (src/marker.ts), the " +
      "4 hex digits that tell whether its key was edited outside timely-keys.",
  },
  fingerprintKeys: {
    kind: "cost",
    text:
      "`fingerprintKeys` (plan/fingerprint.ts) sorts the live keys by id (not when they come in that order) and " +
      "hashes their canonical JSON, 128 keys per `hash.update`; saved plans compare its bytes, so its input " +
      "format is fixed, and JSON.stringify's time is booked to it.",
  },
  sanitize: {
    kind: "cost",
    text:
      "`sanitize` (the SDK's one sanitizer) redacts secrets and makes inert every display string of every " +
      "action (the key's name, the attributes' values): one drift action per unmanaged key, one rotation per " +
      "key due.",
  },
  currentDescription: {
    kind: "cost",
    text:
      "`currentDescription` (plan/describe.ts) builds the description timely-keys would write (fitting the text, " +
      "formatting the marker, one SHA-256 `markerHash`), once per managed entry, to see whether its key already " +
      "carries it.",
  },
};

/** Provisioner functions whose inclusive time (names survive in the profile) tells the plan's phases apart. */
const PHASES = [
  "planEntry",
  "currentDescription",
  "markerHash",
  "viewOf",
  "fingerprintKeys",
  "planUnmanagedKey",
  "redactAction",
  "rotationTriggers",
  "planCurrentKey",
  "summarize",
];

function perKeyUs(t: SizeTiming): number {
  return (median(t.times) / t.keys) * 1000;
}

/** This tree's plan() against the baseline commit's, interleaved in one worker process (plan-function-ab-worker.ts). */
async function baselineRows(ctx: BenchContext): Promise<{ lines: BenchLine[]; note: string }> {
  const label = (shape: Shape) =>
    `plan() now / ${BASELINE.what} (${BASELINE.rev}) @ ${count(BASELINE_KEYS)} keys (${shape}), median, GC in`;
  const target = `<= ${BASELINE_TARGET.toFixed(2)}x`;
  const commit = await resolveCommit(ctx.root, BASELINE.rev);
  if ("reason" in commit) {
    const lines = shapes.map(
      (shape): BenchLine => ({
        label: label(shape),
        figure: `skipped: ${commit.reason}`,
        target,
        verdict: "NOT MEASURED",
      }),
    );
    for (const line of lines) ctx.print(line);
    return { lines, note: `**Against ${BASELINE.rev}:** skipped, ${commit.reason}.` };
  }
  await exportBaseline(ctx.root, commit.sha);
  const lines: BenchLine[] = [];
  for (const shape of shapes) {
    const args = [
      "--expose-gc",
      "--conditions=@timely-keys/source",
      "--import",
      "tsx",
      join(ctx.root, "bench", "plan-function-ab-worker.ts"),
      commit.sha,
      shape,
      String(BASELINE_KEYS),
      String(BASELINE_WARMUPS),
      String(BASELINE_ROUNDS),
    ];
    const run = await timedRun(process.execPath, args, {
      cwd: ctx.root,
      env: childEnv(),
      timeoutMs: WORKER_BUDGET_MS * 2,
    });
    if (run.code !== 0)
      throw new Error(`plan A/B worker (${shape}) failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
    const rounds = run.stdout
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l) as { head: number; base: number });
    const head = median(rounds.map((r) => r.head));
    const base = median(rounds.map((r) => r.base));
    const line: BenchLine = {
      label: label(shape),
      figure:
        `${ratio(head / base)} (now ${ms(head)}, ${BASELINE.rev} ${ms(base)}; ` +
        `${rounds.length} interleaved rounds)`,
      target,
      verdict: verdict(head / base <= BASELINE_TARGET),
    };
    ctx.print(line);
    lines.push(line);
  }
  const note =
    `**Against ${BASELINE.rev}** (${BASELINE.what}, issue 14): that commit's packages/provisioner/src is exported ` +
    "with `git archive` into bench/.baseline/ (gitignored, inside the repository so that its imports of the SDK " +
    "resolve), and its plan() runs in one worker process next to this tree's on the same synthetic state at " +
    `${count(BASELINE_KEYS)} keys: ${BASELINE_WARMUPS} warm-up calls of each, then ${BASELINE_ROUNDS} rounds of one ` +
    "call of each, which goes first alternating, `gc()` before every call and the call's own collections in its " +
    "time. The figure is the ratio of the two medians. Both use this tree's SDK (the secret redaction of the " +
    "actions' display fields). Without git or that commit in the clone the rows are skipped, not failed.";
  return { lines, note };
}

export const planFunction: Benchmark = {
  name: "plan-function",
  title: "the pure plan function at 1,000 / 10,000 / 100,000 synthetic keys",
  async run(ctx): Promise<BenchOutcome> {
    const lines: BenchLine[] = [];
    const notes: string[] = [
      "`plan(desired, live, now)` called in-process on Desired/Live objects built directly (bench/lib/synthetic.ts, " +
        "as the plan tests build them), one node process per shape and size, `gc()` before each run, median of the " +
        "runs " +
        "after warm-up runs. Two shapes: **report** — 10 manifest entries with their current keys, every other key " +
        "unmanaged (a big workspace, a small manifest); **managed** — N entries each with its current key (one " +
        "in ten " +
        "due for rotation by age), no unmanaged key: its growth is judged with GC pauses included (k <= 1.1). Linear " +
        "growth keeps the time per key flat from one size to " +
        "the next (x10). Growth is judged by the exponent k of T ∝ N^k, fitted (least squares, log-log) over the " +
        "sizes on " +
        `the plan's own time: each run's garbage-collection pauses (node's \`gc\` performance entries) taken out. ` +
        `Linear is ` +
        `k = 1; N log N over these sizes gives k = ${N_LOG_N_EXPONENT.toFixed(2)}, the target; quadratic 2. With the ` +
        `pauses ` +
        "included k is reported too, and so is the time per key at each tenfold step: at 100,000 keys the working " +
        "set no " +
        "longer fits the CPU caches nor V8's young generation, so the time per key steps up once (surviving " +
        "objects are " +
        "promoted and marked by old-generation collections). A size still running " +
        `after ${WORKER_BUDGET_MS / 1000} s is stopped. "Well under ${TARGET_MS_AT_10K} ms" passes below ` +
        `${TARGET_MS_AT_10K} ms (median); ` +
        "the min column shows the same runs with the least interference from other load on the machine.",
      "What plan() does per key (packages/provisioner/src/plan.ts and plan/): each live key is read once, its " +
        "trailing marker parsed (src/marker.ts: one regular expression, then the tokens read in place) and, for a " +
        "marked key, its created and expiry times (plan/time.ts reads the API's timestamp shape by arithmetic, " +
        "Date.parse anything else); a marked key goes to its manifest entry by the entry's position. An entry whose " +
        "one key is current and due for nothing then costs its rotation triggers (no record made unless one fires), " +
        "the description timely-keys would write compared with the key's (one SHA-256 `markerHash`) and its state, " +
        "whose next rotation time is written by arithmetic too (toISOString for years outside 0000-9999); its role " +
        "lists, triggers, rollback and actions are shared frozen empties. Per workspace: the fingerprint (the JSON " +
        "text of every key, SHA-256) and the redaction of every action's display strings.",
    ];
    for (const shape of shapes) {
      const timings: SizeTiming[] = [];
      for (const { keys, warmups, runs } of SIZES) {
        const timing = await timeSize(ctx, shape, keys, warmups, runs);
        timings.push(timing);
        ctx.progress(
          `plan-function ${shape} ${count(keys)}: ${timing.times.length ? ms(median(timing.times)) : "stopped"}`,
        );
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

      const finishedSizes = timings.filter((t) => t.times.length > 0);
      const complete = finishedSizes.length === SIZES.length;
      const ownMs = (t: SizeTiming) => median(t.times) - median(t.gcTimes);
      const kOwn = fittedExponent(finishedSizes.map((t) => ({ keys: t.keys, ms: ownMs(t) })));
      const kAll = fittedExponent(finishedSizes.map((t) => ({ keys: t.keys, ms: median(t.times) })));
      const steps = (time: (t: SizeTiming) => number) =>
        finishedSizes
          .slice(1)
          .map((cur, i) => {
            const prev = finishedSizes[i] as SizeTiming;
            return `${count(prev.keys)}→${count(cur.keys)} ${ratio(time(cur) / cur.keys / (time(prev) / prev.keys))}`;
          })
          .join(", ");
      const gcIncluded = shape === "managed";
      const growthLine: BenchLine = gcIncluded
        ? {
            label: `plan() growth, k in T ∝ N^k over 1,000-100,000 keys, GC pauses in (${shape}, all managed)`,
            figure: complete
              ? `k = ${kAll.toFixed(2)} (GC pauses out: k = ${kOwn.toFixed(2)})`
              : "not measured: a size did not finish",
            target: "k <= 1.1",
            verdict: verdict(complete && kAll <= 1.1),
          }
        : {
            label: `plan() growth, k in T ∝ N^k over 1,000-100,000 keys, GC pauses out (${shape})`,
            figure: complete
              ? `k = ${kOwn.toFixed(2)} (per key: ` +
                `${finishedSizes.map((t) => `${us(ownMs(t) / t.keys)} @ ${count(t.keys)}`).join(", ")})`
              : `not measured: ${count(SIZES[finishedSizes.length]?.keys ?? 0)} keys did not finish in ` +
                `${WORKER_BUDGET_MS / 1000} s`,
            target: `linear (N log N at worst): k <= ${N_LOG_N_EXPONENT.toFixed(2)}`,
            verdict: verdict(complete && kOwn <= N_LOG_N_EXPONENT),
          };
      const wholeLine: BenchLine = {
        label: `plan() growth with GC pauses in (${shape})`,
        figure:
          `k = ${kAll.toFixed(2)}; time per key, x10 steps: ${steps((t) => median(t.times))} (GC pauses out: ` +
          `${steps(ownMs)})`,
        target: "(reported)",
        verdict: "INFO",
      };
      ctx.print(growthLine);
      ctx.print(wholeLine);
      lines.push(timeLine, growthLine, wholeLine);

      const rows = timings.map((t) =>
        t.times.length === 0
          ? `| ${shape} | ${count(t.keys)} | stopped after ${WORKER_BUDGET_MS / 1000} s | — | — | — | 0 | — |`
          : `| ${shape} | ${count(t.keys)} | ${ms(median(t.times))} | ${ms(Math.min(...t.times))} | ` +
            `${ms(median(t.gcTimes))} | ${us(perKeyUs(t) / 1000)} | ${t.times.length} | ${t.summary} |`,
      );
      notes.push(
        [
          "| shape | keys | median | min | GC (median) | per key | runs | plan summary |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |",
          ...rows,
        ].join("\n"),
      );

      const missed = [timeLine, growthLine].filter((l) => l.verdict === "MISS");
      const wholeGrew = kAll > N_LOG_N_EXPONENT;
      if (missed.length > 0 || wholeGrew) {
        // For growth, the largest size that finished shows best what grows; for time, the size of the target.
        const largest = [...timings].reverse().find((t) => t.times.length > 0)?.keys ?? 1_000;
        const grew = growthLine.verdict === "MISS" || wholeGrew;
        const profiled = grew ? largest : Math.min(10_000, largest);
        const summary = await profileSize(ctx, shape, profiled);
        // Self time names the leaves; the inclusive phases name the parts above them.
        const heavyPhases = PHASES.filter((n) => summary.inclusiveMs(n) > summary.inclusiveMs("plan") * 0.2);
        const hints = [...new Set([...summary.top.slice(0, 8).map((f) => f.name), ...heavyPhases])]
          .map((n) => HOT_SPOT_HINTS[n])
          .filter((h): h is { kind: "growth" | "cost"; text: string } => h !== undefined && (h.kind === "cost" || grew))
          .map((h) => h.text);
        const fastest = finishedSizes.slice(1).map((cur, i) => {
          const prev = finishedSizes[i] as SizeTiming;
          const perKey = (t: SizeTiming) => Math.min(...t.times) / t.keys;
          return `${count(prev.keys)}→${count(cur.keys)} ${ratio(perKey(cur) / perKey(prev))}`;
        });
        const heading =
          missed.length > 0
            ? `**Missed (${shape}):** ${missed.map((l) => l.label).join("; ")}.`
            : `**Why k with GC pauses in exceeds ${N_LOG_N_EXPONENT.toFixed(2)} (${shape}):** without the pauses k = ` +
              `${kOwn.toFixed(2)}; the rest is V8's old-generation collections once the plan outgrows the young ` +
              `generation (the GC column).`;
        notes.push(
          `${heading} From the fastest run of each size (least disturbed by other load on the machine): ` +
            `${fastest.join(", ")}. ` +
            `CPU profile of the worker at ${count(profiled)} keys (\`node --cpu-prof\`, 3 calls of plan(); samples ` +
            `inside plan() ` +
            `plus all GC). Inclusive time of the plan's parts: ` +
            `${PHASES.map((n) => `\`${n}\` ${summary.inclusiveMs(n).toFixed(0)} ms`).join(", ")} ` +
            `(of ${summary.inclusiveMs("plan").toFixed(0)} ms in \`plan\`). Hottest functions by self ` +
            `time:\n\n${hotList(summary, 8)}\n\n${hints.join("\n\n")}`,
        );
      }
    }
    const baseline = await baselineRows(ctx);
    lines.push(...baseline.lines);
    notes.push(baseline.note);
    return { lines, notes };
  },
};

// Reads a V8 .cpuprofile (from `node --cpu-prof`) and tells where the time went: self time per
// function, the share of garbage collection, and time spent waiting (idle).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { timedRun, type RunOptions } from "./spawn.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  /** file:line (file without its folders). */
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  top: HotFunction[];
  /** Inclusive time of functions by name (a function counted once per sample). */
  inclusiveMs(name: string): number;
}

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"}\u0000${url ? `${basename(url)}:${lineNumber + 1}` : ""}`;
}

/**
 * With `within`, self times count only samples whose stack holds a function of that name (e.g.
 * "plan"), so a loader's or a set-up's work stays out; idle and GC are always whole-profile figures.
 */
export function summarizeProfile(source: string | CpuProfile, topCount = 12, within?: string): ProfileSummary {
  const profile = typeof source === "string" ? (JSON.parse(readFileSync(source, "utf8")) as CpuProfile) : source;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const node = byId.get(id);
    if (!node) return;
    const key = frameKey(node);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = byId.get(current)?.callFrame.functionName ?? "";
      if (name && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
      }
    }
    const special = key.startsWith("(idle)") || key.startsWith("(garbage collector)");
    if (within === undefined || special || seen.has(within)) self.set(key, (self.get(key) ?? 0) + delta);
  });
  const named = (prefix: string) =>
    [...self].filter(([k]) => k.startsWith(`${prefix}\u0000`)).reduce((sum, [, v]) => sum + v, 0);
  const idleMs = named("(idle)");
  const gcMs = named("(garbage collector)");
  const top = [...self]
    .filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("(program)") && !k.startsWith("(root)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount)
    .map(([k, v]) => {
      const [name = "", where = ""] = k.split("\u0000");
      return { name, where, selfMs: v, share: total > 0 ? v / total : 0 };
    });
  return { totalMs: total, idleMs, gcMs, top, inclusiveMs: (name) => inclusive.get(name) ?? 0 };
}

/** Runs `node ...nodeArgs` once more under `--cpu-prof` and summarizes its profile. */
export async function profileProcess(
  nodeArgs: readonly string[],
  options: RunOptions,
  topCount = 12,
  within?: string,
  node = process.execPath,
): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), "timely-bench-prof-"));
  try {
    await timedRun(node, ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...nodeArgs], options);
    return summarizeProfile(profileIn(dir), topCount, within);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Profiles `work` inside this process (the inspector's sampling profiler). */
export async function profileHere(work: () => Promise<void>, topCount = 12): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    await work();
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    return summarizeProfile(profile, topCount);
  } finally {
    session.disconnect();
  }
}

/** The first .cpuprofile in a folder (node names them itself). */
export function profileIn(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, file);
}

/** A markdown list of the hottest functions. */
export function hotList(summary: ProfileSummary, count = 8): string {
  return summary.top
    .slice(0, count)
    .map(
      (f) =>
        `- ${f.selfMs.toFixed(0)} ms (${(f.share * 100).toFixed(0)}%) \`${f.name}\`${f.where ? ` ${f.where}` : ""}`,
    )
    .join("\n");
}

/**
 * Where a `timely-keys plan` run's time went, by stage: each sample goes to the innermost stage
 * function on its stack (names survive bundling), else to node's module loading, the HTTP client
 * (node:http, which the CLI uses, or undici, the platform's fetch), garbage collection, idle (waiting for
 * answers) or the rest.
 */
const PLAN_STAGES: ReadonlyArray<[string, readonly string[]]> = [
  ["parsing the manifest", ["parseManifest"]],
  ["validating it", ["validateDocument"]],
  [
    "reading pages (read.ts and the SDK's transport)",
    [
      "readWorkspace",
      "listAllKeys",
      "listPage",
      "#fetchPage",
      "#send",
      "#attempt",
      "parseJson",
      "readBodyBytes",
      "httpFetch",
      "bufferResponse",
      "readCapped",
      "readCappedBody",
      "expectPage",
      "coreFetch",
    ],
  ],
  ["the identity check", ["checkWorkspaceIdentity"]],
  ["fingerprinting the live keys", ["fingerprintKeys"]],
  ["plan()", ["plan"]],
  ["rendering", ["renderText", "renderJson", "renderMarkdown"]],
];

/** Node's HTTP client and sockets, and undici (the platform's fetch). */
const HTTP_CLIENT_URL = /undici|^node:(?:_http_\w+|http|https|net|tls)$/;

export interface StageTimes {
  totalMs: number;
  stages: Array<[string, number]>;
}

export function planStages(source: string | CpuProfile): StageTimes {
  const profile = typeof source === "string" ? (JSON.parse(readFileSync(source, "utf8")) as CpuProfile) : source;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageOf = new Map<string, string>();
  for (const [label, names] of PLAN_STAGES) for (const name of names) stageOf.set(name, label);
  const times = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const leaf = byId.get(id)?.callFrame.functionName ?? "";
    let stage: string | undefined;
    if (leaf === "(garbage collector)") stage = "garbage collection";
    else if (leaf === "(idle)") stage = "idle (waiting for answers)";
    else {
      let http = false;
      let loading = false;
      for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
        const frame = byId.get(current)?.callFrame;
        if (!frame) break;
        stage = stageOf.get(frame.functionName);
        if (stage) break;
        if (HTTP_CLIENT_URL.test(frame.url)) http = true;
        if (/compile|loadAndTranslate|ModuleJob|requireBuiltin|realm/.test(frame.functionName + frame.url))
          loading = true;
      }
      stage ??= http
        ? "HTTP client (node:http or undici)"
        : loading
          ? "loading modules"
          : "the rest (start-up, event loop)";
    }
    times.set(stage, (times.get(stage) ?? 0) + delta);
  });
  return { totalMs: total, stages: [...times].sort((a, b) => b[1] - a[1]) };
}

/** Runs `node --cpu-prof ...nodeArgs` once and tells where its time went by stage. */
export async function profilePlanStages(nodeArgs: readonly string[], options: RunOptions): Promise<StageTimes> {
  const dir = mkdtempSync(join(tmpdir(), "timely-bench-prof-"));
  try {
    await timedRun(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...nodeArgs], options);
    return planStages(profileIn(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "12 ms parsing the manifest, 30 ms validating it, ..." */
export function stageText(times: StageTimes): string {
  return (
    `${times.totalMs.toFixed(0)} ms sampled: ` +
    times.stages.map(([label, value]) => `${label} ${value.toFixed(0)} ms`).join(", ")
  );
}

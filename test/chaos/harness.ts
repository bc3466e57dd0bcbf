// The chaos harness: `apply --auto-approve` again and again against an emulator that injects faults
// (5xx, 429, dropped connections, latency), while runs are killed at random points (the CLI's
// crash hook right after a random step, or SIGKILL after a random delay), sometimes two at once,
// with the emulated clock moving across rotation windows between runs. After every run it checks
// the invariants (invariants.ts), a consumer of every sink calls the API, and everything the CLI
// printed is scanned for secrets. At the end, with faults off, a few clean runs must converge the
// live state to the manifest: plan --detailed-exitcode exits 0, one active key per entry, held by
// every sink. A seed fixes the whole schedule (clock moves, kills, fault seeds), so a failing seed
// can be run again; only SIGKILL-after-a-delay depends on wall-clock timing.
import type { FaultConfig } from "@timely-keys/emulator";
import type { Plan } from "@timely-keys/provisioner";
import type { CliRun } from "../support/cli.js";
import { readSinkSecret } from "../support/consumer.js";
import { secretsOf } from "../support/emulator.js";
import { filesUnder, findLeaks } from "../support/leaks.js";
import { crmEntry, entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";
import { IN_FLIGHT_LEASE_MS, Observer, type Violation } from "./invariants.js";
import { seededRandom, type Random } from "./prng.js";
import { DAY, HOUR, MINUTE, World, type EntrySink } from "./world.js";

export const CHAOS_MANIFEST = manifestYaml({
  policy: {
    // Short windows so that a few emulated days hold many rotations; maxAgeDays stays above
    // drainWindow + quarantine so that every entry can settle with one key.
    rotation: { maxAgeDays: 1, rotateBeforeExpiryDays: 7, drainWindow: "3h", maxGrace: "1d", quarantine: "12h" },
  },
  workspaces: [
    workspace({
      keys: [
        crmEntry({ description: "Syncs contacts.", expiresInDays: 30 }),
        entry("pipeline", {
          name: "Data Pipeline",
          scopes: ["read", "analytics"],
          expiresInDays: 60,
          rotation: { maxAgeDays: 2 },
          deliver: [
            fileSink("./secrets/pipeline.json", { format: "json", variable: "apiKey" }),
            fileSink("./secrets/pipeline.key", { format: "raw" }),
          ],
        }),
        entry("bot", {
          name: "Support Bot",
          scopes: ["read", "write"],
          expiresInDays: 30,
          deliver: [fileSink("./secrets/bot.env", { variable: "BOT_KEY" })],
          // Probes run in every rotation of this entry, crashes and faults included.
          afterDeliver: [{ type: "exec", command: ["node", "-e", "require('fs').readFileSync(0)"] }],
          verify: [
            {
              type: "exec",
              command: ["node", "-e", "process.exit(require('fs').readFileSync(0, 'utf8').startsWith('tml_') ? 0 : 1)"],
            },
          ],
        }),
      ],
    }),
    workspace({
      name: "acme-staging",
      tokenEnv: "STAGING_TOKEN",
      keys: [entry("qa", { name: "QA Smoke Tests", deliver: [fileSink("./secrets/qa.key", { format: "raw" })] })],
    }),
  ],
});

export const CHAOS_SINKS: EntrySink[] = [
  { workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" },
  { workspace: "acme-prod", entryId: "pipeline", path: "secrets/pipeline.json", format: "json", variable: "apiKey" },
  { workspace: "acme-prod", entryId: "pipeline", path: "secrets/pipeline.key", format: "raw" },
  { workspace: "acme-prod", entryId: "bot", path: "secrets/bot.env", variable: "BOT_KEY" },
  { workspace: "acme-staging", entryId: "qa", path: "secrets/qa.key", format: "raw" },
];

/** Steps the crash hook can stop after (TIMELY_KEYS_TEST_CRASH_AFTER). */
export const CRASH_STEPS = [
  "create",
  "deliver",
  "verify",
  "promote",
  "update",
  "activate",
  "deactivate",
  "revoke",
] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

const CLOCK_MOVES: ReadonlyArray<readonly [number, number]> = [
  [0, 1], // at once: a successor another run left is still within its lease
  [5 * MINUTE, 1],
  [11 * MINUTE, 2], // past the in-flight lease
  [HOUR, 2],
  [3 * HOUR + 30 * MINUTE, 2], // past the drain window
  [13 * HOUR, 2], // past the quarantine
  [DAY + HOUR, 2], // past maxAge of the 1-day entries
  [2 * DAY, 1],
];

export interface ChaosOptions {
  seed: number;
  /** apply runs under faults and kills. */
  runs: number;
  /** Probability of each kind of fault per request (defaults: the issue's figures). */
  faults?: Pick<FaultConfig, "error_rates" | "drop_rate" | "latency_ms">;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  /** apply runs under faults (a pair started at once counts two). */
  runs: number;
  /** Every apply process, the clean convergence runs included. */
  applies: number;
  exits: Record<string, number>;
  /** Runs killed by the crash hook right after a step, and by SIGKILL after a random delay. */
  crashes: { afterStep: number; afterDelay: number };
  /** Crash-hook kills that landed, by step. */
  crashesByStep: Partial<Record<CrashStep, number>>;
  concurrentPairs: number;
  /** Runs that were `rotate ID --compromised` instead of a plain apply. */
  compromised: number;
  /** Emulated time the run covered, in days. */
  emulatedDays: number;
  /** Requests the CLI made, and the faults the emulator injected into them, by kind. */
  requests: number;
  faults: Record<string, number>;
  keysCreated: number;
  /** Keys promoted to current beyond each entry's first: completed rotations. */
  rotations: number;
  consumerCalls: number;
  /** Clean runs the final convergence took. */
  convergenceRuns: number;
  violations: Violation[];
  durationMs: number;
}

interface KillPlan {
  label: string;
  /** The command run (default `apply --auto-approve`). */
  args?: string[];
  step?: CrashStep;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The steps a plan's actions will announce, with how often (the crash hook counts completions). */
export function plannedSteps(plan: Plan): Map<CrashStep, number> {
  const steps = new Map<CrashStep, number>();
  const add = (step: CrashStep) => steps.set(step, (steps.get(step) ?? 0) + 1);
  for (const action of plan.workspaces.flatMap((w) => w.actions)) {
    if (!action.mutates) continue;
    if (action.kind === "create" || action.kind === "rotate") {
      for (const step of ["create", "deliver", "verify", "promote"] as const) add(step);
    }
    for (const operation of action.operations) add(operation.op === "update" ? "update" : operation.op);
    // A compromised rotation retires the old key right after the promote.
    if (action.kind === "rotate" && action.emergency) {
      if (!action.emergency.revokeFirst) add("deactivate");
      add("revoke");
    }
  }
  return steps;
}

/**
 * None, the crash hook right after one of the steps this run will make (the n-th of its kind), or
 * SIGKILL after a random delay (anywhere: while starting, reading, creating, writing a sink...).
 */
function drawKill(random: Random, steps: Map<CrashStep, number>): KillPlan {
  const kind = random.weighted([
    ["none", 4],
    ["hook", steps.size > 0 ? 5 : 0],
    ["delay", 2],
  ] as const);
  if (kind === "hook") {
    const step = random.pick([...steps.keys()].sort());
    const nth = random.int(1, steps.get(step) ?? 1);
    return { label: `crash after ${step}:${nth}`, env: { TIMELY_KEYS_TEST_CRASH_AFTER: `${step}:${nth}` }, step };
  }
  if (kind === "delay") {
    const ms = random.int(300, 4000);
    return { label: `SIGKILL after ${ms}ms`, timeoutMs: ms };
  }
  return { label: "no kill" };
}

function formatSeconds(seconds: number): string {
  if (seconds === 0) return "0";
  if (seconds % DAY === 0) return `${seconds / DAY}d`;
  if (seconds >= DAY) return `${(seconds / DAY).toFixed(1)}d`;
  if (seconds >= HOUR) return `${(seconds / HOUR).toFixed(1)}h`;
  return `${Math.round(seconds / MINUTE)}m`;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const world = await World.start(CHAOS_MANIFEST, { sinks: CHAOS_SINKS });
  const observer = new Observer(world);
  const clockStart = world.emulator.clock.now().getTime();
  const report: ChaosReport = {
    seed: options.seed,
    runs: 0,
    applies: 0,
    exits: {},
    crashes: { afterStep: 0, afterDelay: 0 },
    crashesByStep: {},
    concurrentPairs: 0,
    compromised: 0,
    emulatedDays: 0,
    requests: 0,
    faults: {},
    keysCreated: 0,
    rotations: 0,
    consumerCalls: 0,
    convergenceRuns: 0,
    violations: [],
    durationMs: 0,
  };
  const faults = options.faults ?? {
    error_rates: { "500": 0.1, "429": 0.05 },
    drop_rate: 0.02,
    latency_ms: { min: 0, max: 40 },
  };
  const record = (found: Violation[]) => {
    for (const v of found) log(`  VIOLATION ${v.invariant} at ${v.at}: ${v.detail}`);
    report.violations.push(...found);
  };

  /** One step: one or two apply processes (faults on while they work), then every check. */
  const step = async (at: string, kills: KillPlan[], faultSeed: number | undefined): Promise<CliRun[]> => {
    const { result: runs, violations } = await observer.around(
      at,
      () =>
        Promise.all(
          kills.map((kill) =>
            world.cli(kill.args ?? ["apply", "--auto-approve"], {
              ...(kill.env ? { env: kill.env } : {}),
              ...(kill.timeoutMs ? { timeoutMs: kill.timeoutMs } : {}),
            }),
          ),
        ),
      {
        start: () =>
          faultSeed !== undefined && world.emulator.faults.set({ ...faults, seed: faultSeed, when: "random" }),
        stop: () => world.emulator.faults.clear(),
      },
    );
    record(violations);
    report.applies += runs.length;
    for (const [index, run] of runs.entries()) {
      const exit = run.signal ?? String(run.code);
      report.exits[exit] = (report.exits[exit] ?? 0) + 1;
      if (run.code === 1) {
        // Why it failed (faults that outlasted the retries, a race lost to the other run...).
        const why = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => /FAILED|^error:/.test(line));
        for (const line of why.slice(0, 4)) log(`  ${at}: ${line.slice(0, 240)}`);
      }
      if (run.signal !== "SIGKILL") continue;
      const crashStep = kills[index]?.step;
      if (crashStep === undefined) {
        report.crashes.afterDelay += 1;
      } else {
        report.crashes.afterStep += 1;
        report.crashesByStep[crashStep] = (report.crashesByStep[crashStep] ?? 0) + 1;
      }
    }
    return runs;
  };

  try {
    log(`chaos seed ${options.seed}: ${options.runs} runs against ${world.emulator.url}`);
    // Every entry gets its first key under the same chaos as everything else.
    for (let index = 1; index <= options.runs; index += 1) {
      const at = `run ${index}`;
      const move = random.weighted(CLOCK_MOVES);
      world.advance(move);
      const pair = random.chance(0.12) && index < options.runs;
      // Now and then an incident: `rotate ID --compromised` instead of the scheduled apply.
      const compromised = random.chance(0.2) ? random.pick(["crm", "pipeline", "bot", "qa"]) : undefined;
      const planned = await world.planNow(
        compromised ? { forceRotate: [compromised], compromised: [compromised] } : {},
      );
      const first = drawKill(random, plannedSteps(planned));
      if (compromised) {
        first.args = ["rotate", compromised, "--compromised", "--auto-approve"];
        first.label = `rotate ${compromised} --compromised, ${first.label}`;
        report.compromised += 1;
      }
      const kills = [first, ...(pair ? [{ label: "no kill" }] : [])];
      const faultSeed = random.int(1, 2 ** 31 - 1);
      const runs = await step(at, kills, faultSeed);
      if (pair) {
        report.concurrentPairs += 1;
        index += 1;
      }
      report.runs += runs.length;
      log(
        `${at}: clock +${formatSeconds(move)}, ${kills.map((k) => k.label).join(" + ")} -> ` +
          `${runs.map((r) => r.signal ?? `exit ${r.code}`).join(", ")}`,
      );
    }
    await converge(world, observer, report, step, log, record);
    // Files the CLI wrote outside the sinks' targets (and none of its output) hold no secret.
    const files = filesUnder(
      world.work.dir,
      world.sinks.map((s) => s.path),
    );
    record(
      findLeaks(files, secretsOf(world.emulator)).map((l) => ({
        at: "end",
        invariant: "secret-leak" as const,
        detail: `${l.secret} in ${l.where}`,
      })),
    );
    const contract = world.emulator.contractViolations().filter((v) => v.kind === "response");
    record(
      contract.map((v) => ({
        at: "end",
        invariant: "emulator-contract" as const,
        detail: JSON.stringify(v).slice(0, 300),
      })),
    );
  } finally {
    report.requests = observer.history.length;
    for (const entry of observer.history) {
      if (entry.faulted) {
        const kind = entry.faulted.split(":")[0] ?? entry.faulted;
        report.faults[kind] = (report.faults[kind] ?? 0) + 1;
      }
    }
    report.keysCreated = observer.known.size;
    const entries = new Set([...observer.known.values()].map((k) => `${k.workspace}/${k.entryId}`));
    report.rotations = [...observer.known.values()].filter((k) => k.phases.has("current")).length - entries.size;
    report.consumerCalls = observer.consumerCalls;
    report.emulatedDays = Math.round(((world.emulator.clock.now().getTime() - clockStart) / (DAY * 1000)) * 10) / 10;
    report.durationMs = Date.now() - started;
    await world.emulator.close();
    world.work.cleanup();
  }
  return report;
}

type Step = (at: string, kills: KillPlan[], faultSeed: number | undefined) => Promise<CliRun[]>;

/**
 * Faults off, no kills, no more rotations due: apply, then move the clock to the next thing the
 * plan waits for (a lease, a drain window, a quarantine), until every entry is steady. Then the plan must be empty and
 * each
 * entry must have exactly one key, active, verified, held by every one of its sinks.
 */
async function converge(
  world: World,
  observer: Observer,
  report: ChaosReport,
  step: Step,
  log: (line: string) => void,
  record: (v: Violation[]) => void,
): Promise<void> {
  // The schedule stops: with keys due every day, some entry would always be mid-rotation. (Keys
  // rotate daily, so none is near 90 days old; nothing else in the manifest changes.)
  world.work.write(CHAOS_MANIFEST.replace(/maxAgeDays: \d+/g, "maxAgeDays: 90"));
  world.advance(IN_FLIGHT_LEASE_MS / 1000 + MINUTE);
  for (let round = 1; round <= 12; round += 1) {
    const at = `converge ${round}`;
    const [run] = await step(at, [{ label: "no kill" }], undefined);
    report.convergenceRuns += 1;
    if (run?.code !== 0)
      record([
        {
          at,
          invariant: "converged",
          detail: `apply with faults off exited ${run?.code}: ${(run?.stdout ?? "")
            .split("\n")
            .filter((l) => /FAILED|failed:/.test(l))
            .join(" | ")}`,
        },
      ]);
    const plan = await world.planNow();
    const waits = plan.workspaces
      .flatMap((w) => w.actions)
      .filter((a) => a.until !== undefined)
      .map((a) => Date.parse(a.until as string));
    const steady = !plan.changes && plan.workspaces.every((w) => w.entries.every((e) => e.phase === "steady"));
    log(`${at}: ${run?.signal ?? `exit ${run?.code}`}, ${steady ? "steady" : `${waits.length} waits`}`);
    if (steady) break;
    const now = world.emulator.clock.now().getTime();
    const next = waits.length > 0 ? Math.min(...waits) : now;
    world.advance(Math.max(0, Math.ceil((next - now) / 1000)) + MINUTE);
  }
  const final = await world.cli(["plan", "--detailed-exitcode"]);
  if (final.code !== 0)
    record([
      {
        at: "end",
        invariant: "converged",
        detail: `plan --detailed-exitcode exited ${final.code}:\n${final.stdout}${final.stderr}`,
      },
    ]);
  record(await observer.readSinks("end"));
  const live = observer.snapshot();
  const entries = new Set(world.sinks.map((s) => `${s.workspace}/${s.entryId}`));
  for (const entry of entries) {
    const [workspace = "", entryId = ""] = entry.split("/");
    const keys = live.filter((k) => k.workspace === workspace && k.marker?.entryId === entryId);
    const key = keys[0];
    const settled = keys.length === 1 && key?.status === "active" && key.marker?.phase === "current";
    // The one key left is the one every sink holds now.
    const held = observer
      .sinksOf(workspace, entryId)
      .every((sink) => key !== undefined && observer.keyIdOf(readSinkSecret(sink)) === key.id);
    if (!settled || !held) {
      record([
        {
          at: "end",
          invariant: "converged",
          detail:
            `${entry} did not settle on one active verified key held by every sink: ` +
            `${keys.map((k) => `${k.id} ${k.status} ${k.description}`).join("; ")}`,
        },
      ]);
    }
  }
}

/** The figures as a few lines of text (also what long-run.ts writes into docs/reliability.md). */
export function formatReport(report: ChaosReport): string {
  const kinds = Object.entries(report.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind}: ${n}`)
    .join(", ");
  const totalFaults = Object.values(report.faults).reduce((a, b) => a + b, 0);
  const exits = Object.entries(report.exits)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([exit, n]) => `${exit}: ${n}`)
    .join(", ");
  const byStep = CRASH_STEPS.filter((s) => report.crashesByStep[s])
    .map((s) => `${s}: ${report.crashesByStep[s]}`)
    .join(", ");
  return [
    `seed ${report.seed}: ${report.runs} apply runs under faults (${report.concurrentPairs} started two at once, ` +
      `${report.compromised} compromised rotations), ${report.applies} apply processes in all, ` +
      `${report.emulatedDays} emulated days`,
    `exits: ${exits}; crashes: ${report.crashes.afterStep} right after a step (${byStep || "none"}), ` +
      `${report.crashes.afterDelay} by SIGKILL after a random delay`,
    `requests: ${report.requests}; faults injected: ${totalFaults} (${kinds || "none"})`,
    `keys created: ${report.keysCreated}; rotations completed: ${report.rotations}; consumer calls: ` +
      `${report.consumerCalls}; convergence: ${report.convergenceRuns} clean runs`,
    `invariant violations: ${report.violations.length}`,
  ].join("\n");
}

// The safety invariants of rotation, checked against the live world after every CLI run:
//
//   one-current-one-successor  per entry, never two live keys of one generation (a duplicate
//                              successor) and never two pending successors
//   undelivered-active-key     no verified (current-phase) active key whose secret some sink of its
//                              entry never held; no abandoned pending key left active by a clean run
//   retired-before-verified    no deactivate or revoke of a key some sink held unless a newer key of
//                              the entry had reached every sink, answered GET /v1/me and was promoted
//   consumer-401               whoever uses the newest secret of a sink never gets a 401
//   torn-sink                  a sink file never reads as half-written
//   secret-leak                no secret or token in anything a run printed (and, at the end of a
//                              chaos run, in any file outside the sinks' targets)
//   converged                  (chaos) with faults off, clean runs settle every entry on one key
//   emulator-contract          (chaos) the emulator never answered outside its OpenAPI contract
//
// The observer tracks what the sinks held over time (the secret -> key mapping comes from GET
// /v1/me with the secret, made by the observer itself, faults off) and every key it ever saw (the
// emulator forgets revoked keys). Its own requests are told apart in the emulator's log by request id.
import type { RequestLogEntry } from "@timely-keys/emulator";
import type { CliRun } from "../support/cli.js";
import { callWithSecret, readSinkSecret } from "../support/consumer.js";
import { secretsOf } from "../support/emulator.js";
import { findLeaks } from "../support/leaks.js";
import type { EntrySink, LiveKey, World } from "./world.js";

export type InvariantName =
  | "one-current-one-successor"
  | "undelivered-active-key"
  | "retired-before-verified"
  | "consumer-401"
  | "torn-sink"
  | "secret-leak"
  | "converged"
  | "emulator-contract";

export interface Violation {
  /** Which run (e.g. "run 17") or check found it. */
  at: string;
  invariant: InvariantName;
  detail: string;
}

interface KnownKey {
  id: string;
  workspace: string;
  entryId: string;
  generation: number;
  /** Every phase a snapshot showed it in. */
  phases: Set<string>;
  status: "active" | "inactive" | "revoked";
}

export interface RunContext {
  at: string;
  /** Server time (ms) when the run started. */
  startedAt: number;
  /** Live keys just before the run. */
  before: LiveKey[];
  /** Exit 0, not killed, no other run at the same time: every due action was done. */
  clean: boolean;
}

/** Successors whose run stopped count as abandoned after this long (the planner's in-flight lease). */
export const IN_FLIGHT_LEASE_MS = 600_000;

export class Observer {
  readonly known = new Map<string, KnownKey>();
  /** Sink path -> ids of every key whose secret it ever held. */
  readonly delivered = new Map<string, Set<string>>();
  /** Request ids of the observer's own calls, left out of the CLI's request log. */
  readonly ownRequests = new Set<string>();
  /** Every request the CLI made, oldest first (the emulator's own log is capped, so it is moved here). */
  readonly history: RequestLogEntry[] = [];
  consumerCalls = 0;
  private readonly keyOfSecret = new Map<string, string>();
  /** Keys whose secret answered the CLI's GET /v1/me (in log order so far). */
  private readonly answered = new Set<string>();

  constructor(readonly world: World) {
    for (const sink of world.sinks) this.delivered.set(sink.path, new Set());
  }

  /**
   * Runs `work` (one CLI run, or several at once) with every check around it: consumers call
   * before and after, the sinks are watched while it works, the invariants are checked after, and
   * what the runs printed is scanned for secrets. `duringRun` brackets the work itself (e.g. faults
   * on, then off before the checks).
   */
  async around<T extends CliRun | CliRun[]>(
    at: string,
    work: () => Promise<T>,
    duringRun: { start?: () => void; stop?: () => void } = {},
  ): Promise<{ result: T; violations: Violation[] }> {
    const violations = await this.consumers(`${at} (before)`);
    const before = this.snapshot();
    const startedAt = this.world.emulator.clock.now().getTime();
    duringRun.start?.();
    const watch = this.watchSinks();
    let result: T;
    try {
      result = await work();
    } finally {
      duringRun.stop?.();
    }
    const runs: CliRun[] = Array.isArray(result) ? result : [result];
    const secrets = secretsOf(this.world.emulator);
    for (const run of runs) {
      for (const leak of findLeaks({ stdout: run.stdout, stderr: run.stderr }, secrets)) {
        violations.push({ at, invariant: "secret-leak", detail: `${leak.secret} in ${leak.where}` });
      }
    }
    violations.push(...(await watch.stop()), ...(await this.readSinks(at)));
    const clean = runs.length === 1 && runs[0]?.code === 0 && runs[0].signal === null;
    violations.push(...(await this.checkRun({ at, startedAt, before, clean })));
    violations.push(...(await this.consumers(`${at} (after)`)));
    return { result, violations };
  }

  /** Polls the sink files while a run works, so no secret a sink held goes unseen. */
  watchSinks(intervalMs = 10): { stop: () => Promise<Violation[]> } {
    const seen = new Map<string, Set<string>>();
    const torn: string[] = [];
    const poll = () => {
      for (const sink of this.world.sinks) {
        try {
          const secret = readSinkSecret(sink);
          if (secret !== undefined) seen.set(sink.path, (seen.get(sink.path) ?? new Set()).add(secret));
        } catch {
          torn.push(sink.path);
        }
      }
    };
    const timer = setInterval(poll, intervalMs);
    return {
      stop: async () => {
        clearInterval(timer);
        poll();
        const violations: Violation[] = torn.map((path) => ({
          at: "watch",
          invariant: "torn-sink",
          detail: `${path} could not be read as a whole file`,
        }));
        for (const [path, secrets] of seen) violations.push(...(await this.learn(path, secrets)));
        return violations;
      },
    };
  }

  /** Reads every sink now and records what it holds. */
  async readSinks(at: string): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const sink of this.world.sinks) {
      const secret = readSinkSecret(sink);
      if (secret !== undefined) violations.push(...(await this.learn(sink.path, new Set([secret]), at)));
    }
    return violations;
  }

  /** A consumer of every sink reads its newest secret and calls GET /v1/me with it. */
  async consumers(at: string): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const sink of this.world.sinks) {
      const secret = readSinkSecret(sink);
      if (secret === undefined) continue;
      const call = await this.call(secret);
      this.consumerCalls += 1;
      if (call.status === 401) {
        violations.push({
          at,
          invariant: "consumer-401",
          detail: `the secret in ${sink.path} (key ${this.keyOfSecret.get(secret) ?? "unknown"}) answered 401`,
        });
      }
    }
    return violations;
  }

  /** Records every live key (and which known ones are gone). */
  snapshot(): LiveKey[] {
    const live = this.world.keys();
    const liveIds = new Set(live.map((k) => k.id));
    for (const key of live) {
      if (key.marker === null) continue;
      const known = this.known.get(key.id) ?? {
        id: key.id,
        workspace: key.workspace,
        entryId: key.marker.entryId,
        generation: key.marker.generation,
        phases: new Set<string>(),
        status: key.status,
      };
      known.phases.add(key.marker.phase);
      known.status = key.status;
      this.known.set(key.id, known);
    }
    for (const known of this.known.values()) if (!liveIds.has(known.id)) known.status = "revoked";
    return live;
  }

  /** Every invariant, after a run. */
  async checkRun(run: RunContext): Promise<Violation[]> {
    const live = this.snapshot();
    return [
      ...this.checkGenerations(run.at, live),
      ...this.checkDelivered(run, live),
      ...(await this.checkRetirements(run.at)),
    ];
  }

  sinksOf(workspace: string, entryId: string): EntrySink[] {
    return this.world.sinks.filter((s) => s.workspace === workspace && s.entryId === entryId);
  }

  /** Whether every sink of the key's entry held its secret at some point. */
  reachedEverySink(key: { id: string; workspace: string; entryId: string }): boolean {
    const sinks = this.sinksOf(key.workspace, key.entryId);
    return sinks.length > 0 && sinks.every((s) => this.delivered.get(s.path)?.has(key.id));
  }

  /** The key a secret some sink held belongs to (known once the observer saw it in a sink). */
  keyIdOf(secret: string | undefined): string | undefined {
    return secret === undefined ? undefined : this.keyOfSecret.get(secret);
  }

  heldBySomeSink(keyId: string): boolean {
    return [...this.delivered.values()].some((ids) => ids.has(keyId));
  }

  private checkGenerations(at: string, live: LiveKey[]): Violation[] {
    const violations: Violation[] = [];
    const byEntry = groupBy(
      live.filter((k) => k.marker !== null),
      (k) => `${k.workspace}/${k.marker?.entryId}`,
    );
    for (const [entry, keys] of byEntry) {
      for (const [generation, same] of groupBy(keys, (k) => String(k.marker?.generation))) {
        if (same.length > 1) {
          violations.push({
            at,
            invariant: "one-current-one-successor",
            detail:
              `${entry}: ${same.length} live keys of generation #${generation} ` +
              `(${same.map((k) => k.id).join(", ")})`,
          });
        }
      }
      const pending = keys.filter((k) => k.status === "active" && k.marker?.phase === "pending");
      if (pending.length > 1) {
        violations.push({
          at,
          invariant: "one-current-one-successor",
          detail: `${entry}: ${pending.length} pending successors (${pending.map((k) => k.id).join(", ")})`,
        });
      }
    }
    return violations;
  }

  private checkDelivered(run: RunContext, live: LiveKey[]): Violation[] {
    const violations: Violation[] = [];
    for (const key of live) {
      if (key.marker === null || key.status !== "active" || key.marker.phase !== "current") continue;
      if (!this.reachedEverySink({ id: key.id, workspace: key.workspace, entryId: key.marker.entryId })) {
        violations.push({
          at: run.at,
          invariant: "undelivered-active-key",
          detail:
            `${key.workspace}/${key.marker.entryId}#${key.marker.generation} (${key.id}) is verified and ` +
            `active, but not every sink of its entry ever held it`,
        });
      }
    }
    if (run.clean) {
      // A clean run that started after a pending successor's lease ran out must have revoked it.
      const liveIds = new Set(live.filter((k) => k.status === "active").map((k) => k.id));
      for (const key of run.before) {
        if (key.marker?.phase !== "pending" || key.status !== "active") continue;
        const touched = Math.max(Date.parse(key.created_at), Date.parse(key.updated_at));
        if (touched + IN_FLIGHT_LEASE_MS <= run.startedAt && liveIds.has(key.id)) {
          violations.push({
            at: run.at,
            invariant: "undelivered-active-key",
            detail:
              `abandoned pending successor ${key.id} (${key.marker.entryId}#${key.marker.generation}) is still ` +
              `active after a clean run`,
          });
        }
      }
    }
    return violations;
  }

  /**
   * Moves the emulator's request log (capped in size) into `history`, keeping the CLI's requests
   * only, and checks every deactivation and revocation among them in order.
   */
  private async checkRetirements(at: string): Promise<Violation[]> {
    const fresh = this.world.emulator.requests().filter((e) => !this.ownRequests.has(e.request_id));
    await fetch(`${this.world.emulator.url}/_emulator/requests/clear`, { method: "POST" });
    const violations: Violation[] = [];
    for (const entry of fresh) {
      this.history.push(entry);
      if (
        entry.method === "GET" &&
        entry.path === "/v1/me" &&
        entry.status === 200 &&
        !entry.faulted &&
        entry.principal.startsWith("key:")
      ) {
        this.answered.add(entry.principal.slice("key:".length));
      }
      const keyId = retiredKeyId(entry);
      if (keyId === undefined || !this.heldBySomeSink(keyId)) continue; // no consumer can hold an undelivered key
      const key = this.known.get(keyId);
      if (key === undefined) {
        violations.push({
          at,
          invariant: "retired-before-verified",
          detail: `${entry.method} ${entry.path}: a delivered key the observer never saw live`,
        });
        continue;
      }
      const successor = [...this.known.values()].find(
        (s) =>
          s.workspace === key.workspace &&
          s.entryId === key.entryId &&
          s.generation > key.generation &&
          s.phases.has("current") &&
          this.reachedEverySink(s) &&
          this.answered.has(s.id),
      );
      if (successor === undefined) {
        violations.push({
          at,
          invariant: "retired-before-verified",
          detail:
            `${entry.method} ${entry.path} (${key.workspace}/${key.entryId}#${key.generation}): no newer key ` +
            `of the entry had reached every sink, answered GET /v1/me and been promoted`,
        });
      }
    }
    return violations;
  }

  private async learn(path: string, secrets: Set<string>, at = "watch"): Promise<Violation[]> {
    const violations: Violation[] = [];
    const ids = this.delivered.get(path) ?? new Set<string>();
    this.delivered.set(path, ids);
    for (const secret of secrets) {
      let keyId = this.keyOfSecret.get(secret);
      if (keyId === undefined) {
        const call = await this.call(secret);
        if (call.keyId === undefined) {
          // Delivered keys are never retired in the run that delivered them: this one should answer.
          violations.push({
            at,
            invariant: "consumer-401",
            detail: `a secret ${path} held answered ${call.status} right after the run`,
          });
          continue;
        }
        keyId = call.keyId;
        this.keyOfSecret.set(secret, keyId);
      }
      ids.add(keyId);
    }
    return violations;
  }

  private async call(secret: string) {
    const result = await callWithSecret(this.world.emulator.url, secret);
    if (result.requestId) this.ownRequests.add(result.requestId);
    return result;
  }
}

/** The key a deactivate or revoke request names. */
export function retiredKeyId(entry: Pick<RequestLogEntry, "method" | "path">): string | undefined {
  if (entry.method === "POST") return /^\/v1\/api-keys\/([^/]+)\/deactivate$/.exec(entry.path)?.[1];
  if (entry.method === "DELETE") return /^\/v1\/api-keys\/([^/]+)$/.exec(entry.path)?.[1];
  return undefined;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

// create / rotate: make the successor, deliver its secret to every sink, verify it, promote it,
// all in this run, because the secret exists only in this process's memory. Two requests of the
// management token per new key:
//
//   create (marker `delivering 0/n`)  ->  GET /v1/me  ->  every sink  ->  probes, GET /v1/me  ->  marker current
//                                        (the new key's own requests, not the token's)
//
// The key carries `delivering` from its first moment, so no edit is needed before the first sink:
// whatever happens after the create, the next run treats it as possibly held and never revokes it
// unannounced. Failures this run sees are settled here: a successor no sink received is revoked; one
// that some sinks may hold stays active, marked `delivering d/t failed`, and the next plan makes a
// newer successor and drains this one like any previous key.
import { NotFoundError, TimelyError, type ApiKey, type Me, type Secret } from "@timely-keys/sdk";
import { StepError } from "../errors.js";
import { createSink, deliverAll, type DeliveryContext, type DeliveryReport } from "../deliver/index.js";
import { parseMarker, withMarker } from "../marker.js";
import type { CreateAction, RotateAction, SuccessorSpec } from "../model.js";
import { successorForGeneration } from "../plan/successor.js";
import { serverSeconds, type WorkspaceExecution } from "./context.js";
import { runKeyOperations } from "./operations.js";
import { probeLabel, runProbe } from "./probes.js";

/** Replayed creates for a spent generation: at most this many generations are skipped. */
const MAX_GENERATION_SKIPS = 5;

export async function runSuccessor(action: CreateAction | RotateAction, run: WorkspaceExecution): Promise<string> {
  const { client } = run;
  if (action.successor.sinks.length === 0) {
    throw new StepError(
      `${action.entryId}: no deliver: sinks, so a new secret would reach no one; add a sink to the entry before it ` +
        "is created or rotated",
    );
  }

  // A compromised key is marked first (and, with --revoke-first, deactivated) before anything else:
  // from then on every run knows of the emergency, whatever happens to this one.
  if (action.kind === "rotate" && action.operations.length > 0) await runKeyOperations(action, run);

  const { key, secret, spec, replayed } = await createSuccessor(action, run);
  if (key === undefined) {
    // Another run finished this very successor already; an emergency still retires the old key.
    if (action.kind === "rotate" && action.emergency) await retireCompromised(action, run);
    return "";
  }
  await run.afterStep(action, "create", key.id);

  // Check the key itself before any sink gets it: a key with the wrong scopes or workspace must never
  // reach a consumer. No sink of this run holds it yet, so a failure here revokes it (unless another
  // run made it: that run may have delivered it already).
  await verify(run, spec, key, secret, replayed ? "made-elsewhere" : "before-delivery");

  // A plan saved by an earlier version creates the key `pending`, and a replayed create may answer
  // with a key such a version made: from `pending`, the next run would revoke a key a sink may hold.
  if (!isDelivering(key)) {
    await client.apiKeys.update(key.id, { description: spec.descriptions.delivering }, { signal: run.signal });
  }
  const report = await deliver(action, run, spec, key, secret);
  if (!report.ok) {
    const received = report.delivered.length + report.maybeDelivered.length;
    const reason = report.error?.message ?? "delivery failed";
    if (received === 0 && replayed) {
      throw new StepError(`${reason}; ${madeElsewhere(key.id)}`, key.id);
    }
    if (received === 0) {
      await client.apiKeys.revoke(key.id, { signal: run.signal });
      throw new StepError(
        `${reason}; no sink received key ${key.id}, so it was revoked and the current key is untouched`,
        key.id,
      );
    }
    await markFailed(run, spec, key.id, report.delivered.length);
    throw new StepError(`${reason}; ${heldBy(action, spec, key.id, report)}`, key.id);
  }
  await run.afterStep(action, "deliver", key.id);
  const allSinks: DeliveryReport = { ...report, maybeDelivered: [], notAttempted: [] };

  // Probes that make consumers pick the key up (a restart) come first, then the checks.
  await probes(action, run, spec, key, secret, "afterDeliver", allSinks);
  // And again once every sink has it: the key still answers as itself (not deactivated or revoked
  // meanwhile). Consumers may hold it now, so a failure leaves it `delivering` to drain.
  await verify(run, spec, key, secret, "after-delivery");
  await probes(action, run, spec, key, secret, "verify", allSinks);
  await run.afterStep(action, "verify", key.id);

  // The drain clock starts now, on the server's clock: not at plan time, which may be long past.
  const current = withMarker(spec.userDescription, { ...spec.markers.current, promotedAt: serverSeconds(client) });
  await client.apiKeys.update(key.id, { description: current }, { signal: run.signal });
  await run.afterStep(action, "promote", key.id);
  if (action.kind === "rotate" && action.emergency) await retireCompromised(action, run);
  return key.id;
}

/**
 * The end of an emergency: the compromised key goes at once (no drain, no quarantine). Only ever
 * called once a successor of this entry was verified and promoted.
 */
async function retireCompromised(action: RotateAction, run: WorkspaceExecution): Promise<void> {
  const emergency = action.emergency;
  if (emergency === undefined) return;
  if (!emergency.revokeFirst) {
    await run.client.apiKeys.deactivate(emergency.keyId, { signal: run.signal });
    await run.afterStep(action, "deactivate", emergency.keyId);
  }
  try {
    await run.client.apiKeys.revoke(emergency.keyId, { signal: run.signal });
  } catch (error) {
    // Already gone (a concurrent run finished the same emergency): the goal is met.
    if (!(error instanceof NotFoundError)) throw error;
  }
  await run.afterStep(action, "revoke", emergency.keyId);
}

/**
 * Records on the successor that this run failed and stopped (`delivering d/t failed`): the next run
 * goes on at once instead of waiting out the in-flight lease. Best effort: the failure that led here
 * is what the run reports.
 */
async function markFailed(run: WorkspaceExecution, spec: SuccessorSpec, keyId: string, done: number): Promise<void> {
  const description = withMarker(spec.userDescription, {
    ...spec.markers.delivering,
    progress: { done, total: spec.sinks.length },
    failed: true,
  });
  try {
    await run.client.apiKeys.update(keyId, { description }, { signal: run.signal });
  } catch {
    // Left `delivering` without the mark, the lease still ends the wait; nothing is lost.
  }
}

/** One line: which sinks hold the new key, which do not, and what happens next. */
function heldBy(
  action: CreateAction | RotateAction,
  spec: SuccessorSpec,
  keyId: string,
  report: DeliveryReport,
): string {
  const list = (items: string[]) => items.join(", ");
  const parts = [`key #${spec.generation} (${keyId}) is in ${list(report.delivered) || "no sink for sure"}`];
  if (report.maybeDelivered.length > 0)
    parts.push(`maybe in ${list(report.maybeDelivered)} (it failed after taking the key)`);
  const missing = [
    ...report.results.filter((r) => !r.ok && !report.maybeDelivered.includes(r.destination)).map((r) => r.destination),
    ...report.notAttempted,
  ];
  if (missing.length > 0) parts.push(`not in ${list(missing)}`);
  let old =
    action.kind === "rotate"
      ? `the current key #${action.generation ?? "?"} stays active`
      : "there is no current key yet";
  if (action.kind === "rotate" && action.emergency) {
    old = action.emergency.revokeFirst
      ? `the compromised key #${action.generation ?? "?"} is already deactivated`
      : `the compromised key #${action.generation ?? "?"} stays active (no replacement yet)`;
  }
  const next = action.kind === "rotate" && action.emergency ? "continues the emergency: it makes" : "makes";
  return (
    `${parts.join("; ")}. It stays active and drains later; ${old}. ` +
    `The next run (no need to wait) ${next} key #${spec.generation + 1} and delivers it to every sink.`
  );
}

async function probes(
  action: CreateAction | RotateAction,
  run: WorkspaceExecution,
  spec: SuccessorSpec,
  key: ApiKey,
  secret: Secret,
  which: "afterDeliver" | "verify",
  report: DeliveryReport,
): Promise<void> {
  const list = spec.probes?.[which] ?? [];
  for (const probe of list) {
    const label = probeLabel(probe);
    run.emit({ type: "step", action, step: "verify", keyId: key.id, message: `probe (${which}) ${label}` });
    const failure = await runProbe(probe, secret.reveal(), keyContext(action, key, run));
    if (failure === null) continue;
    await markFailed(run, spec, key.id, spec.sinks.length);
    throw new StepError(`${which} probe ${label} failed: ${failure}; ${heldBy(action, spec, key.id, report)}`, key.id);
  }
}

interface Created {
  key: ApiKey | undefined;
  secret: Secret;
  spec: SuccessorSpec;
  /** The API replayed an earlier create: another run (or an earlier attempt) made the key. */
  replayed: boolean;
}

async function createSuccessor(action: CreateAction | RotateAction, run: WorkspaceExecution): Promise<Created> {
  let spec = action.successor;
  for (let skips = 0; ; skips += 1) {
    const created = await run.client.apiKeys.create(spec.create, {
      idempotencyKey: spec.idempotencyKey,
      signal: run.signal,
    });
    run.onSecret(created.secret.reveal());
    if (!created.replayed) return { key: created.key, secret: created.secret, spec, replayed: false };
    // A replay: a concurrent or earlier run made this generation. Continue its work if the key is
    // still there; a revoked one means this generation is spent: move to the next.
    const live = await getOrUndefined(run, created.key.id);
    if (live !== undefined && live.status === "active") {
      const marker = parseMarker(live.description);
      if (marker?.phase === "current" && marker.generation === spec.generation) {
        return { key: undefined, secret: created.secret, spec, replayed: true };
      }
      return { key: live, secret: created.secret, spec, replayed: true };
    }
    if (skips >= MAX_GENERATION_SKIPS) {
      throw new StepError(
        `${action.entryId}: generations ${action.successor.generation}..${spec.generation} were all spent by ` +
          "earlier runs; plan again",
      );
    }
    spec = successorForGeneration(spec, action.workspace, spec.generation + 1);
  }
}

/** What a sink or a probe is told about the new key and the run (never the secret itself). */
function keyContext(action: CreateAction | RotateAction, key: ApiKey, run: WorkspaceExecution): DeliveryContext {
  return {
    workspace: action.workspace,
    entryId: action.entryId,
    keyName: key.name,
    keyId: key.id,
    manifestDir: run.manifestDir,
    env: run.env,
    ...(run.fetch ? { fetch: run.fetch } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
  };
}

/** Whether the live key already says `delivering` (anything else gets that marker before a sink). */
function isDelivering(key: ApiKey): boolean {
  return typeof key.description === "string" && parseMarker(key.description)?.phase === "delivering";
}

async function getOrUndefined(run: WorkspaceExecution, keyId: string): Promise<ApiKey | undefined> {
  try {
    return await run.client.apiKeys.get(keyId, { signal: run.signal });
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function deliver(
  action: CreateAction | RotateAction,
  run: WorkspaceExecution,
  spec: SuccessorSpec,
  key: ApiKey,
  secret: Secret,
): Promise<DeliveryReport> {
  const sinks = spec.sinks.map((config) => createSink(config, run.manifestDir));
  run.emit({
    type: "step",
    action,
    step: "deliver",
    keyId: key.id,
    message: `delivering to ${sinks.length} sink${sinks.length === 1 ? "" : "s"}`,
  });
  return deliverAll(
    secret,
    sinks,
    {
      ...keyContext(action, key, run),
      log: (line) => run.emit({ type: "step", action, step: "deliver", keyId: key.id, message: line }),
    },
    run.deliverOptions,
  );
}

/**
 * When verify runs: `before-delivery` (no sink has the key: a failure revokes it), `made-elsewhere`
 * (before this run's delivery, but the key came from a replayed create: the run that made it may have
 * delivered it, so a failure leaves it as it is) or `after-delivery` (consumers may hold it: a
 * failure marks it `delivering … failed`, and it drains).
 */
type VerifyPoint = "before-delivery" | "made-elsewhere" | "after-delivery";

async function verify(
  run: WorkspaceExecution,
  spec: SuccessorSpec,
  key: ApiKey,
  secret: Secret,
  when: VerifyPoint,
): Promise<void> {
  let me: Me;
  try {
    me = await run.probe(secret.reveal()).me({ signal: run.signal });
  } catch (error) {
    const why =
      error instanceof TimelyError ? `${error.status ?? ""} ${error.code ?? error.name}`.trim() : String(error);
    const fate = await settleFailedVerify(run, spec, key.id, when);
    throw new StepError(`verify: GET /v1/me with the new key ${key.id} failed (${why}); ${fate}`, key.id);
  }
  const expectedScopes = [...spec.verify.scopes].sort().join(",");
  const actualScopes = [...me.scopes].sort().join(",");
  const workspaceId = spec.verify.workspaceId ?? (await run.workspaceId());
  const problems: string[] = [];
  if (me.principal !== "api_key" || me.key_id !== key.id)
    problems.push(`it answered as ${me.principal} ${me.key_id ?? ""}`.trim());
  if (actualScopes !== expectedScopes)
    problems.push(`scopes are ${actualScopes || "(none)"}, the manifest says ${expectedScopes}`);
  if (me.workspace_id !== workspaceId) problems.push(`it belongs to workspace ${me.workspace_id}, not ${workspaceId}`);
  if (problems.length > 0) {
    const fate = await settleFailedVerify(run, spec, key.id, when);
    throw new StepError(`verify: new key ${key.id} failed its check (${problems.join("; ")}); ${fate}`, key.id);
  }
}

/** What becomes of a key that failed verify, done; returns the words for it. */
async function settleFailedVerify(
  run: WorkspaceExecution,
  spec: SuccessorSpec,
  keyId: string,
  when: VerifyPoint,
): Promise<string> {
  switch (when) {
    case "before-delivery":
      await run.client.apiKeys.revoke(keyId, { signal: run.signal });
      return "no sink had it, so it was revoked; the current key is untouched";
    case "made-elsewhere":
      return madeElsewhere(keyId);
    case "after-delivery":
      // The secret was delivered: a consumer may hold it. Leave it `delivering`; the next run drains it.
      await markFailed(run, spec, keyId, spec.sinks.length);
      return "it stays active and will drain; the current key is untouched";
  }
}

/** Why a key made by another run is left as it is when this run fails on it before delivering it. */
function madeElsewhere(keyId: string): string {
  return (
    `key ${keyId} was made by another run (the API replayed its create), which may have delivered it: ` +
    "it is left active and drains if that run does not promote it; the current key is untouched"
  );
}

// create / rotate: make the successor, deliver its secret to every sink, verify it, promote it,
// all in this run, because the secret exists only in this process's memory.
//
//   create (marker `pending`)  ->  marker `delivering`  ->  every sink  ->  GET /v1/me  ->  marker current
//
// A failure on the way never leaves an undelivered active key behind: a successor no sink received
// is revoked; one that some sinks may hold stays active with its `delivering` marker, and the next
// plan makes a newer successor and drains this one like any previous key.
import { NotFoundError, TimelyError, type ApiKey, type Secret } from "@timely-keys/sdk";
import { createSink, deliverAll, type DeliveryReport } from "../deliver/index.js";
import { parseMarker, withMarker } from "../marker.js";
import type { CreateAction, RotateAction, SuccessorSpec } from "../model.js";
import { successorForGeneration } from "../plan/successor.js";
import { serverSeconds, type WorkspaceExecution } from "./context.js";

export class StepError extends Error {
  override readonly name = "StepError";
  constructor(
    message: string,
    readonly newKeyId?: string,
  ) {
    super(message);
  }
}

/** Replayed creates for a spent generation: at most this many generations are skipped. */
const MAX_GENERATION_SKIPS = 5;

export async function runSuccessor(action: CreateAction | RotateAction, run: WorkspaceExecution): Promise<string> {
  const { client } = run;
  if (action.successor.sinks.length === 0) {
    throw new StepError(
      `${action.entryId}: no deliver: sinks, so a new secret would reach no one; add a sink to the entry before it is created or rotated`,
    );
  }

  const { key, secret, spec } = await createSuccessor(action, run);
  if (key === undefined) return ""; // another run finished this very successor already
  await run.afterStep(action, "create", key.id);

  // Check the key itself before any sink gets it: a key with the wrong scopes or workspace must never
  // reach a consumer. No one holds it yet, so a failure here revokes it.
  await verify(action, run, spec, key, secret, "before-delivery");

  await client.apiKeys.update(key.id, { description: spec.descriptions.delivering }, { signal: run.signal });
  const report = await deliver(action, run, spec, key, secret);
  if (!report.ok) {
    const received = report.delivered.length + report.maybeDelivered.length;
    const reason = report.error?.message ?? "delivery failed";
    if (received === 0) {
      await client.apiKeys.revoke(key.id, { signal: run.signal });
      throw new StepError(`${reason}; no sink received key ${key.id}, so it was revoked and the current key is untouched`, key.id);
    }
    // A sink that failed after it may have taken the secret (a program that read it, then exited 1)
    // counts as holding it, but is not reported as reached.
    const maybeHolding = report.maybeDelivered.length > 0 ? ` and ${report.maybeDelivered.length} more may hold it` : "";
    const progress = withMarker(spec.userDescription, {
      ...spec.markers.delivering,
      progress: { done: report.delivered.length, total: spec.sinks.length },
    });
    await client.apiKeys.update(key.id, { description: progress }, { signal: run.signal });
    throw new StepError(
      `${reason}; key ${key.id} reached ${report.delivered.length} of ${spec.sinks.length} sinks${maybeHolding}, so it stays active and will drain once a newer key reached every sink; the current key is untouched`,
      key.id,
    );
  }
  await run.afterStep(action, "deliver", key.id);

  // And again once every sink has it: the key still answers as itself (not deactivated or revoked
  // meanwhile). Consumers may hold it now, so a failure leaves it `delivering` to drain.
  await verify(action, run, spec, key, secret, "after-delivery");
  await run.afterStep(action, "verify", key.id);

  // The drain clock starts now, on the server's clock: not at plan time, which may be long past.
  const current = withMarker(spec.userDescription, { ...spec.markers.current, promotedAt: serverSeconds(client) });
  await client.apiKeys.update(key.id, { description: current }, { signal: run.signal });
  await run.afterStep(action, "promote", key.id);
  return key.id;
}

interface Created {
  key: ApiKey | undefined;
  secret: Secret;
  spec: SuccessorSpec;
}

async function createSuccessor(action: CreateAction | RotateAction, run: WorkspaceExecution): Promise<Created> {
  let spec = action.successor;
  for (let skips = 0; ; skips += 1) {
    const created = await run.client.apiKeys.create(spec.create, { idempotencyKey: spec.idempotencyKey, signal: run.signal });
    run.onSecret(created.secret.reveal());
    if (!created.replayed) return { key: created.key, secret: created.secret, spec };
    // A replay: a concurrent or earlier run made this generation. Continue its work if the key is
    // still there; a revoked one means this generation is spent: move to the next.
    const live = await getOrUndefined(run, created.key.id);
    if (live !== undefined && live.status === "active") {
      const marker = parseMarker(live.description);
      if (marker?.phase === "current" && marker.generation === spec.generation) {
        return { key: undefined, secret: created.secret, spec };
      }
      return { key: live, secret: created.secret, spec };
    }
    if (skips >= MAX_GENERATION_SKIPS) {
      throw new StepError(`${action.entryId}: generations ${action.successor.generation}..${spec.generation} were all spent by earlier runs; plan again`);
    }
    spec = successorForGeneration(spec, action.workspace, spec.generation + 1);
  }
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
  run.emit({ type: "step", action, step: "deliver", keyId: key.id, message: `delivering to ${sinks.length} sink${sinks.length === 1 ? "" : "s"}` });
  return deliverAll(
    secret,
    sinks,
    {
      workspace: action.workspace,
      entryId: action.entryId,
      keyName: key.name,
      keyId: key.id,
      manifestDir: run.manifestDir,
      env: run.env,
      ...(run.fetch ? { fetch: run.fetch } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      log: (line) => run.emit({ type: "step", action, step: "deliver", keyId: key.id, message: line }),
    },
    run.deliverOptions,
  );
}

async function verify(
  action: CreateAction | RotateAction,
  run: WorkspaceExecution,
  spec: SuccessorSpec,
  key: ApiKey,
  secret: Secret,
  when: "before-delivery" | "after-delivery",
): Promise<void> {
  const delivered = when === "after-delivery";
  let me;
  try {
    me = await run.probe(secret.reveal()).me({ signal: run.signal });
  } catch (error) {
    const why = error instanceof TimelyError ? `${error.status ?? ""} ${error.code ?? error.name}`.trim() : String(error);
    if (!delivered) {
      await run.client.apiKeys.revoke(key.id, { signal: run.signal });
      throw new StepError(`verify: GET /v1/me with the new key ${key.id} failed (${why}); no sink had it, so it was revoked; the current key is untouched`, key.id);
    }
    // The secret was delivered: a consumer may hold it. Leave it `delivering`; the next run drains it.
    throw new StepError(`verify: GET /v1/me with the new key ${key.id} failed (${why}); it stays active and will drain; the current key is untouched`, key.id);
  }
  const expectedScopes = [...spec.verify.scopes].sort().join(",");
  const actualScopes = [...me.scopes].sort().join(",");
  const workspaceId = spec.verify.workspaceId ?? (await run.workspaceId());
  const problems: string[] = [];
  if (me.principal !== "api_key" || me.key_id !== key.id) problems.push(`it answered as ${me.principal} ${me.key_id ?? ""}`.trim());
  if (actualScopes !== expectedScopes) problems.push(`scopes are ${actualScopes || "(none)"}, the manifest says ${expectedScopes}`);
  if (me.workspace_id !== workspaceId) problems.push(`it belongs to workspace ${me.workspace_id}, not ${workspaceId}`);
  if (problems.length > 0) {
    if (!delivered) await run.client.apiKeys.revoke(key.id, { signal: run.signal });
    const fate = delivered ? "it stays active and will drain" : "no sink had it, so it was revoked";
    throw new StepError(`verify: new key ${key.id} failed its check (${problems.join("; ")}); ${fate}; the current key is untouched`, key.id);
  }
}

// Actions on existing keys: the plan lists their API calls; this runs them, after re-checking the
// one rule no stale or edited plan may break: a previous key is retired only while its entry's
// verified successor is live and active.
import { type ApiKey, NotFoundError } from "@timely-keys/sdk";
import { parseMarker } from "../marker.js";
import type { KeyOperation, PlanAction, PreviousKeyAction } from "../model.js";
import type { WorkspaceExecution } from "./context.js";
import { StepError } from "../errors.js";

export async function runOperations(action: PlanAction, run: WorkspaceExecution): Promise<void> {
  if (action.kind === "deactivate-previous" || action.kind === "revoke-previous")
    await requireVerifiedSuccessor(action, run);
  await runKeyOperations(action, run);
}

/** The action's API calls on existing keys, in order, each followed by its step hook. */
export async function runKeyOperations(action: PlanAction, run: WorkspaceExecution): Promise<void> {
  for (const operation of action.operations) {
    await runOperation(operation, run);
    await run.afterStep(action, operation.op, operation.keyId);
  }
}

async function runOperation(operation: KeyOperation, run: WorkspaceExecution): Promise<void> {
  const options = { signal: run.signal };
  switch (operation.op) {
    case "update":
      await run.client.apiKeys.update(operation.keyId, operation.body, options);
      return;
    case "activate":
      await run.client.apiKeys.activate(operation.keyId, options);
      return;
    case "deactivate":
      await run.client.apiKeys.deactivate(operation.keyId, options);
      return;
    case "revoke":
      try {
        await run.client.apiKeys.revoke(operation.keyId, options);
      } catch (error) {
        // Already gone (a concurrent run revoked it): the goal is met.
        if (!(error instanceof NotFoundError)) throw error;
      }
      return;
  }
}

async function requireVerifiedSuccessor(action: PreviousKeyAction, run: WorkspaceExecution): Promise<void> {
  let current: ApiKey;
  try {
    current = await run.client.apiKeys.get(action.currentKeyId, { signal: run.signal });
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new StepError(
        `refusing to retire key ${action.keyId}: its successor ${action.currentKeyId} no longer exists; plan again`,
      );
    }
    throw error;
  }
  const marker = parseMarker(current.description);
  const verified = marker !== null && marker.entryId === action.entryId && marker.phase === "current";
  const newer = marker !== null && (action.generation === undefined || marker.generation > action.generation);
  if (current.status !== "active" || !verified || !newer) {
    throw new StepError(
      `refusing to retire key ${action.keyId}: its successor ${action.currentKeyId} is not an active, verified key ` +
        `of ${action.entryId} any more; plan again`,
    );
  }
}

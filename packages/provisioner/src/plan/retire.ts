// Keys of an entry that is no longer in the manifest: deactivated now (reversible), revoked once
// the quarantine has passed since, never revoked when their marker says `protect`.
import type { ActionFacts, PlanAction, RemovalAction, WaitAction } from "../model.js";
import { withMarker } from "../marker.js";
import { planAction, type KeyRefs } from "./action.js";
import type { WorkspaceContext } from "./context.js";
import { isActive, type MarkedKey } from "./keys.js";
import { isoOrNull, ms, SECOND } from "./time.js";

export function planRetiredEntry(ctx: WorkspaceContext, entryId: string, keys: MarkedKey[]): PlanAction[] {
  // One protected key protects the whole entry: its last manifest said so.
  const isProtected = keys.some((k) => k.marker.protect === true);
  const quarantineMs = ctx.policy.rotation.quarantineSeconds * SECOND;
  const actions: PlanAction[] = [];
  for (const view of keys) {
    const key = view.key;
    const common: KeyRefs = {
      workspace: ctx.workspace,
      entryId,
      keyId: key.id,
      keyName: key.name,
      generation: view.marker.generation,
    };
    const deactivated = ms(key.deactivated_at);
    const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
    const facts: ActionFacts = {
      say: "removed",
      name: key.name,
      protect: isProtected,
      inactiveSince: isActive(key) ? null : isoOrNull(since),
      quarantineMs,
    };
    if (isActive(key)) {
      const action = retire(common, "deactivate", facts);
      // The `off` flag records that timely-keys deactivated it: if the entry comes back, its plan
      // says so instead of "deactivated outside timely-keys". Written first: a crash in between
      // leaves an active key with the flag, which the next plan retires again.
      if (view.marker.phase === "current" && !view.marker.off) {
        action.operations.unshift({
          op: "update",
          keyId: key.id,
          body: { description: withMarker(view.text, { ...view.marker, off: true }) },
        });
      }
      actions.push(action);
      continue;
    }
    if (isProtected) {
      actions.push(planAction<WaitAction>("quarantine", common, "in_quarantine", facts, {}));
      continue;
    }
    const revokeAt = since + quarantineMs;
    if (ctx.now >= revokeAt) {
      actions.push(retire(common, "revoke", facts));
    } else {
      const until = isoOrNull(revokeAt) ?? undefined;
      actions.push(planAction<WaitAction>("quarantine", common, "in_quarantine", facts, { until }));
    }
  }
  return actions;
}

function retire(common: KeyRefs, operation: "deactivate" | "revoke", facts: ActionFacts): RemovalAction {
  return planAction<RemovalAction>("retire", common, "removed_from_manifest", facts, {
    attributes: [
      operation === "deactivate"
        ? { name: "status", before: "active", after: "inactive" }
        : { name: "status", before: "inactive", after: "revoked" },
    ],
    operations: [{ op: operation, keyId: common.keyId as string }],
    operation,
  });
}

// Keys of an entry that is no longer in the manifest: deactivated now (reversible), revoked once
// the quarantine has passed since, never revoked when their marker says `protect`.
import type { PlanAction, RemovalAction } from "../model.js";
import { withMarker } from "../marker.js";
import { compact } from "./compact.js";
import type { WorkspaceContext } from "./context.js";
import { quoted } from "./describe.js";
import { isActive, type MarkedKey } from "./keys.js";
import { waitAction } from "./wait.js";
import { formatDuration, formatWhen, ms, SECOND } from "./time.js";

export function planRetiredEntry(ctx: WorkspaceContext, entryId: string, keys: MarkedKey[]): PlanAction[] {
  // One protected key protects the whole entry: its last manifest said so.
  const isProtected = keys.some((k) => k.marker.protect === true);
  const quarantineMs = ctx.policy.rotation.quarantineSeconds * SECOND;
  const actions: PlanAction[] = [];
  for (const view of keys) {
    const key = view.key;
    const common = {
      workspace: ctx.workspace,
      entryId,
      keyId: key.id,
      keyName: key.name,
      generation: view.marker.generation,
    };
    const label = `${quoted(key.name)} ${entryId}#${view.marker.generation}`;
    if (isActive(key)) {
      const action = retire(
        common,
        "deactivate",
        `retire ${label}: removed from the manifest; deactivate now${isProtected ? " (protected: never revoked)" : `, revoke after ${formatDuration(quarantineMs)}`}`,
      );
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
      actions.push(
        waitAction(
          "quarantine",
          common,
          `${label} was removed from the manifest and is inactive; protected: never revoked by a plan`,
        ),
      );
      continue;
    }
    const deactivated = ms(key.deactivated_at);
    const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
    const revokeAt = since + quarantineMs;
    if (ctx.now >= revokeAt) {
      actions.push(
        retire(common, "revoke", `retire ${label}: inactive since ${formatWhen(since)}, quarantine over: revoke`),
      );
    } else {
      actions.push(
        waitAction(
          "quarantine",
          common,
          `${label} was removed from the manifest: inactive, revoked on ${formatWhen(revokeAt)}`,
          revokeAt,
        ),
      );
    }
  }
  return actions;
}

function retire(
  common: { workspace: string; entryId: string; keyId: string; keyName: string; generation: number },
  operation: "deactivate" | "revoke",
  summary: string,
): RemovalAction {
  return compact<RemovalAction>({
    kind: "retire",
    ...common,
    reason: "removed_from_manifest",
    reasons: ["removed_from_manifest"],
    summary,
    mutates: true,
    attributes: [
      operation === "deactivate"
        ? { name: "status", before: "active", after: "inactive" }
        : { name: "status", before: "inactive", after: "revoked" },
    ],
    operations: [{ op: operation, keyId: common.keyId }],
    operation,
  });
}

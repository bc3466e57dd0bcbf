// Keys without a marker that no entry adopts: drift. Reported, or, when the policy says so,
// deactivated (and, with `unmanaged: revoke`, revoked after the quarantine: deactivation first keeps
// it reversible).
import type { RemovalAction } from "../model.js";
import { planAction } from "./action.js";
import type { WorkspaceContext } from "./context.js";
import { isActive, type KeyView } from "./keys.js";
import { isoOrNull, ms, SECOND } from "./time.js";

export function planUnmanagedKey(ctx: WorkspaceContext, view: KeyView): RemovalAction {
  const key = view.key;
  const policy = ctx.policy.unmanaged;
  if (policy === "report") return drift(ctx, view, "report", null);
  if (isActive(key)) return drift(ctx, view, "deactivate", null);
  if (policy === "deactivate") return drift(ctx, view, "report", null);
  const deactivated = ms(key.deactivated_at);
  const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
  const revokeAt = since + ctx.policy.rotation.quarantineSeconds * SECOND;
  if (ctx.now >= revokeAt) return drift(ctx, view, "revoke", since);
  return drift(ctx, view, "report", since, revokeAt);
}

function drift(
  ctx: WorkspaceContext,
  view: KeyView,
  operation: RemovalAction["operation"],
  inactiveSince: number | null,
  until?: number,
): RemovalAction {
  const key = view.key;
  const after = operation === "report" ? key.status : operation === "deactivate" ? "inactive" : "revoked";
  return planAction<RemovalAction>(
    "drift",
    { workspace: ctx.workspace, keyId: key.id, keyName: key.name },
    "unmanaged",
    {
      say: "unmanaged",
      name: key.name,
      status: key.status,
      policy: ctx.policy.unmanaged,
      inactiveSince: inactiveSince === null ? null : isoOrNull(inactiveSince),
    },
    {
      attributes: operation === "report" ? [] : [{ name: "status", before: key.status, after }],
      operations: operation === "report" ? [] : [{ op: operation, keyId: key.id }],
      operation,
      until: until === undefined ? undefined : (isoOrNull(until) ?? undefined),
    },
  );
}

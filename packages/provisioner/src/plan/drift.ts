// Keys without a marker that no entry adopts: drift. Reported, or, when the policy says so,
// deactivated (and, with `unmanaged: revoke`, revoked after the quarantine: deactivation first keeps
// it reversible).
import type { RemovalAction } from "../model.js";
import type { WorkspaceContext } from "./context.js";
import { quoted } from "./describe.js";
import { isActive, type KeyView } from "./keys.js";
import { formatWhen, isoOrNull, ms, SECOND } from "./time.js";

export function planUnmanagedKey(ctx: WorkspaceContext, view: KeyView): RemovalAction {
  const key = view.key;
  const policy = ctx.policy.unmanaged;
  const label = `unmanaged key ${quoted(key.name)} (${key.id}, ${key.status})`;
  if (policy === "report") return drift(ctx, view, "report", `${label}: not in the manifest (policy: report)`);
  if (isActive(key)) {
    return drift(
      ctx,
      view,
      "deactivate",
      `${label}: not in the manifest; deactivate (policy: ${policy}${policy === "revoke" ? ", revoked after the quarantine" : ""})`,
    );
  }
  if (policy === "deactivate")
    return drift(ctx, view, "report", `${label}: not in the manifest, already inactive (policy: deactivate)`);
  const deactivated = ms(key.deactivated_at);
  const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
  const revokeAt = since + ctx.policy.rotation.quarantineSeconds * SECOND;
  if (ctx.now >= revokeAt)
    return drift(
      ctx,
      view,
      "revoke",
      `${label}: not in the manifest, inactive since ${formatWhen(since)}; revoke (policy: revoke)`,
    );
  return drift(
    ctx,
    view,
    "report",
    `${label}: not in the manifest, inactive; revoked on ${formatWhen(revokeAt)} (policy: revoke)`,
    revokeAt,
  );
}

function drift(
  ctx: WorkspaceContext,
  view: KeyView,
  operation: RemovalAction["operation"],
  summary: string,
  until?: number,
): RemovalAction {
  const key = view.key;
  const after = operation === "report" ? key.status : operation === "deactivate" ? "inactive" : "revoked";
  // Built without undefined fields (no compact() copy) and without a spread: one per unmanaged key.
  const action: RemovalAction = {
    kind: "drift",
    workspace: ctx.workspace,
    keyId: key.id,
    keyName: key.name,
    reason: "unmanaged",
    reasons: ["unmanaged"],
    summary,
    mutates: operation !== "report",
    attributes: operation === "report" ? [] : [{ name: "status", before: key.status, after }],
    operations: operation === "report" ? [] : [{ op: operation, keyId: key.id }],
    operation,
  };
  const untilIso = until === undefined ? null : isoOrNull(until);
  if (untilIso !== null) action.until = untilIso;
  return action;
}

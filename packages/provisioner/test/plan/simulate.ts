// A tiny, pure stand-in for the executor: applies a plan's actions to a live state the way the
// API would, using only what each action carries (so it also proves the plan is self-describing).
import type { ApiKey } from "@timely-keys/sdk";
import type { Live, Plan, PlanAction, SuccessorSpec } from "../../src/model.js";
import { keyId, WORKSPACE_ID } from "./fixtures.js";

const DAY = 24 * 3600 * 1000;

export function simulateApply(plan: Plan, live: Live, now: Date): Live {
  const nowIso = now.toISOString();
  const next: Live = structuredClone(live);
  for (const ws of plan.workspaces) {
    let target = next.workspaces.find((w) => w.name === ws.name);
    if (!target) {
      target = { name: ws.name, keys: [], serverNow: nowIso };
      next.workspaces.push(target);
    }
    for (const action of ws.actions) {
      if (!action.mutates) continue;
      applyAction(action, target.keys, now, nowIso);
    }
  }
  return next;
}

function applyAction(action: PlanAction, keys: ApiKey[], now: Date, nowIso: string): void {
  if (
    (action.kind === "deactivate-previous" || action.kind === "revoke-previous") &&
    !isActive(keys, action.currentKeyId)
  ) {
    throw new Error(`${action.kind} ${action.keyId} while current ${action.currentKeyId} is not active`);
  }
  if (action.kind === "create" || action.kind === "rotate") {
    // A compromised rotation marks (and with revoke-first deactivates) the old key first...
    if (action.kind === "rotate") runOperations(action, keys, nowIso);
    keys.push(
      newKey(action.workspace, action.entryId, action.successor, now, nowIso, keys[0]?.workspace_id ?? WORKSPACE_ID),
    );
    // ...and revokes it once the successor is promoted.
    if (action.kind === "rotate" && action.emergency) {
      const index = keys.findIndex((k) => k.id === action.emergency?.keyId);
      if (index >= 0) keys.splice(index, 1);
    }
    return;
  }
  runOperations(action, keys, nowIso);
}

function runOperations(action: PlanAction, keys: ApiKey[], nowIso: string): void {
  for (const op of action.operations) {
    const index = keys.findIndex((k) => k.id === op.keyId);
    const key = keys[index];
    if (!key) throw new Error(`${action.kind}: no key ${op.keyId}`);
    switch (op.op) {
      case "update":
        if (op.body.name !== undefined) key.name = op.body.name;
        if (op.body.description !== undefined) key.description = op.body.description;
        key.updated_at = nowIso;
        break;
      case "activate":
        if (key.status !== "active") {
          key.status = "active";
          key.deactivated_at = null;
          key.updated_at = nowIso;
        }
        break;
      case "deactivate":
        if (key.status !== "inactive") {
          key.status = "inactive";
          key.deactivated_at = nowIso;
          key.updated_at = nowIso;
        }
        break;
      case "revoke":
        keys.splice(index, 1);
        break;
    }
  }
}

function isActive(keys: ApiKey[], id: string): boolean {
  return keys.some((k) => k.id === id && k.status === "active");
}

function newKey(
  workspace: string,
  entryId: string,
  spec: SuccessorSpec,
  now: Date,
  nowIso: string,
  workspaceId: string,
): ApiKey {
  if (spec.create.description !== spec.descriptions.delivering)
    throw new Error("create body must carry the delivering marker");
  return {
    id: keyId(`sim:${workspace}:${entryId}:${spec.generation}:${nowIso}`),
    workspace_id: workspaceId,
    name: spec.create.name,
    description: spec.descriptions.current,
    prefix: "tml_Sim0...",
    scopes: [...spec.create.scopes],
    status: "active",
    created_at: nowIso,
    updated_at: nowIso,
    expires_at:
      spec.create.expires_in_days === null
        ? null
        : new Date(now.getTime() + spec.create.expires_in_days * DAY).toISOString(),
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
  };
}

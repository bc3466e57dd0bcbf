// `policy.rotation.maxPerRun`: rotations never pile up in one run. When more rotations are due than
// the cap, the most overdue start now and the rest wait, shown as `queued`, for a later run. A
// compromised or manual rotation is never queued (someone asked for it now), but it takes room.
import type { PlanWorkspace, RotateAction, WaitAction } from "../model.js";
import { planAction } from "./action.js";
import { compareText } from "./keys.js";
import { UNQUEUED_REASONS } from "./rotation.js";

export function queueRotations(workspaces: PlanWorkspace[], maxPerRun: number): void {
  const rotations: RotateAction[] = [];
  for (const ws of workspaces) for (const action of ws.actions) if (action.kind === "rotate") rotations.push(action);
  if (rotations.length <= maxPerRun) return;
  // Asked-for rotations first, then those without a due date (replacements, expired keys, unfinished
  // successors), then by due date, oldest first; ties by workspace and entry for a stable plan.
  const rank = (a: RotateAction) =>
    a.reasons.some((r) => UNQUEUED_REASONS.includes(r)) ? 0 : a.dueAt === undefined ? 1 : 2;
  const ordered = [...rotations].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compareText(a.dueAt ?? "", b.dueAt ?? "") ||
      compareText(a.workspace, b.workspace) ||
      compareText(a.entryId, b.entryId),
  );
  const queued = new Set<RotateAction>();
  let room = maxPerRun;
  for (const action of ordered) {
    if (rank(action) === 0) room -= 1;
    else if (room > 0) room -= 1;
    else queued.add(action);
  }
  if (queued.size === 0) return;
  for (const ws of workspaces) {
    const waits = new Map<string, WaitAction>();
    ws.actions = ws.actions.map((action) => {
      if (action.kind !== "rotate" || !queued.has(action)) return action;
      const wait = queuedAction(action, maxPerRun);
      waits.set(action.entryId, wait);
      return wait;
    });
    if (waits.size === 0) continue;
    for (const state of ws.entries) {
      const wait = waits.get(state.entryId);
      if (wait === undefined) continue;
      state.phase = "steady";
      delete state.step;
      state.facts = { say: "action", kind: "queued" };
    }
  }
}

function queuedAction(rotation: RotateAction, maxPerRun: number): WaitAction {
  return planAction<WaitAction>(
    "queued",
    rotation,
    "rotation_queued",
    { say: "queued", maxPerRun, ...(rotation.dueAt !== undefined ? { dueAt: rotation.dueAt } : {}) },
    { reasons: ["rotation_queued", ...rotation.reasons] },
  );
}

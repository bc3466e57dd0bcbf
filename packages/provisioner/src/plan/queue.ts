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
  // Each rotation's rank worked out once, not at every comparison of the sort.
  const ordered = rotations.map((action) => ({ action, rank: rankOf(action) }));
  ordered.sort(
    (a, b) =>
      a.rank - b.rank ||
      compareText(a.action.dueAt ?? "", b.action.dueAt ?? "") ||
      compareText(a.action.workspace, b.action.workspace) ||
      compareText(a.action.entryId, b.action.entryId),
  );
  const queued = new Set<RotateAction>();
  let room = maxPerRun;
  for (const { action, rank } of ordered) {
    if (rank === 0) room -= 1;
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

function rankOf(action: RotateAction): number {
  for (const reason of action.reasons) if (UNQUEUED_REASONS.includes(reason)) return 0;
  return action.dueAt === undefined ? 1 : 2;
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

// The counts a plan ends with: "Plan: 2 to create, 1 to update, 1 to replace, 0 to retire."
import type { PlanAction, PlanSummary, PlanWorkspace } from "../model.js";

/** Which count an action adds to (null: informational, counted nowhere). */
export function summaryBucket(action: PlanAction): keyof Omit<PlanSummary, "noop"> | null {
  switch (action.kind) {
    case "create":
      return "create";
    case "update":
    case "enable":
    case "disable":
    case "adopt":
    case "rollback":
      return "update";
    case "rotate":
      return action.replace ? "replace" : "rotate";
    case "retire":
    case "deactivate-previous":
    case "revoke-previous":
    case "revoke-abandoned":
      return "retire";
    case "drift":
      return "drift";
    case "drain":
    case "quarantine":
    case "in-flight":
    case "queued":
      return null;
  }
}

export function summarize(workspaces: readonly PlanWorkspace[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, rotate: 0, retire: 0, drift: 0, noop: 0 };
  for (const ws of workspaces) {
    for (const action of ws.actions) {
      const bucket = summaryBucket(action);
      if (bucket !== null) summary[bucket] += 1;
    }
    const busy = new Set<string>();
    for (const action of ws.actions) if (action.mutates && action.entryId !== undefined) busy.add(action.entryId);
    for (const entry of ws.entries) if (!busy.has(entry.entryId)) summary.noop += 1;
  }
  return summary;
}

// What apply reports: every action done, failed or skipped, and why.
import type { PlanAction } from "../model.js";

export type ActionStatus = "done" | "failed" | "skipped";

export interface ActionResult {
  action: PlanAction;
  status: ActionStatus;
  /** For failed and skipped actions (and notes on done ones): one line, never a secret. */
  message?: string;
  /** For create/rotate: the new key's id, once made. */
  newKeyId?: string;
}

/** A workspace none of whose actions could run (e.g. its management token was refused). */
export interface WorkspaceError {
  workspace: string;
  message: string;
}

export interface ApplyReport {
  ok: boolean;
  results: ActionResult[];
  workspaceErrors: WorkspaceError[];
  /** Entry ids whose rotation moved forward in this run (a successor promoted, a previous key retired). */
  rotated: string[];
}

/** The steps of a rotation the executor announces, e.g. so a test can stop the process right after one. */
export type ApplyStep = "create" | "deliver" | "verify" | "promote" | "update" | "activate" | "deactivate" | "revoke";

export interface ApplyEvent {
  type: "start" | "step" | "done" | "failed" | "skipped";
  action: PlanAction;
  step?: ApplyStep;
  keyId?: string;
  message?: string;
}

/** Counts of results, for the closing line. */
export function countResults(results: readonly ActionResult[]): Record<ActionStatus, number> {
  const counts: Record<ActionStatus, number> = { done: 0, failed: 0, skipped: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

// Which findings deserve one tracked item each (the Action's GitHub issues): every entry with a
// finding at or above the failure level, and every workspace with unmanaged keys (drift). Also the
// scope a check covered, so that an item outside it is never closed as "recovered". Pure.
import { actionSummary } from "../render/words.js";
import type { Plan } from "../model.js";
import { reaches, type CheckReport, type Finding, type FindingSeverity } from "./model.js";

export interface FindingGroup {
  /** Stable id: `entry:<workspace>/<entry id>` or `drift:<workspace>`. */
  id: string;
  kind: "entry" | "drift";
  workspace: string;
  entryId?: string;
  /** Every finding of the entry (drift: every unmanaged key), most pressing first. */
  findings: Finding[];
}

export function failingGroups(report: CheckReport, failOn: FindingSeverity | "never"): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  const failingEntries = new Set(
    report.findings
      .filter((f) => f.entryId !== undefined && reaches(f.severity, failOn))
      .map((f) => `${f.workspace}/${f.entryId}`),
  );
  for (const finding of report.findings) {
    let id: string;
    if (finding.entryId !== undefined) {
      if (!failingEntries.has(`${finding.workspace}/${finding.entryId}`)) continue;
      id = `entry:${finding.workspace}/${finding.entryId}`;
    } else if (finding.kind === "unmanaged") {
      id = `drift:${finding.workspace}`;
    } else continue;
    const group = groups.get(id) ?? {
      id,
      kind: finding.entryId !== undefined ? "entry" : "drift",
      workspace: finding.workspace,
      ...(finding.entryId !== undefined ? { entryId: finding.entryId } : {}),
      findings: [],
    };
    group.findings.push(finding);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** Ids of every group this check could have found: the planned entries, and drift when not filtered by --target. */
export function checkedGroupIds(plan: Plan): Set<string> {
  const ids = new Set<string>();
  for (const ws of plan.workspaces) {
    if (plan.options.targets === null) ids.add(`drift:${ws.name}`);
    for (const entry of ws.entries) ids.add(`entry:${ws.name}/${entry.entryId}`);
  }
  return ids;
}

const OVERDUE_KINDS: ReadonlySet<string> = new Set(["expired", "expiring", "overdue"]);

/**
 * Entries whose key is expired, expiring or overdue, or due with no sink to rotate to: what a
 * scheduled job must act on (the Action's `overdue` output). In report order, each once.
 */
export function overdueEntryIds(report: Pick<CheckReport, "findings">): string[] {
  const overdue = (f: Finding) =>
    OVERDUE_KINDS.has(f.kind) || (f.kind === "cannot-rotate" && f.evidence.rotationDue === true);
  return [
    ...new Set(report.findings.filter((f) => overdue(f) && f.entryId !== undefined).map((f) => f.entryId as string)),
  ];
}

/** Unmanaged keys and changes made outside the manifest, one line each: what `fail-on-drift` fails on. */
export function driftLines(plan: Plan): string[] {
  const found: string[] = [];
  for (const ws of plan.workspaces) {
    for (const action of ws.actions) {
      if (action.kind === "drift") found.push(`${ws.name}: unmanaged key ${action.keyName ?? action.keyId}`);
      else if (action.reasons.includes("edited_outside"))
        found.push(
          `${ws.name}/${action.entryId ?? action.keyId}: changed outside the manifest (${actionSummary(action)})`,
        );
    }
  }
  return found;
}

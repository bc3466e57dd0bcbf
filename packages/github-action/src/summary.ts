// The job summary of one run: what apply did or what check found, then the plan (its table has each
// key's rotation phase), all within GitHub's 1 MiB limit for one step's summary.
import { countResults, renderMarkdown, type ApplyReport, type Plan } from "@timely-keys/provisioner";
import { bytes, cell, table } from "./markdown.js";
import type { OverdueKey } from "./overdue.js";

/** GitHub refuses a step summary over 1 MiB; stay well below it. */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 64 * 1024;

export interface SummaryInput {
  plan: Plan;
  apply?: ApplyReport;
  overdue?: OverdueKey[];
  maxOverdueDays?: number;
  maxBytes?: number;
}

export function applySection(report: ApplyReport, maxBytes: number): string {
  const counts = countResults(report.results);
  const head = [
    "## timely-keys apply",
    "",
    `**${report.ok ? "Apply complete!" : "Apply failed."} ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.**`,
    ...(report.rotated.length > 0 ? ["", `Rotation advanced: ${report.rotated.map((id) => `\`${cell(id)}\``).join(", ")}`] : []),
    ...(report.ok ? [] : ["", "Re-run apply to continue: completed steps are not repeated."]),
    "",
  ].join("\n");
  const rows = report.results.map((r) => [
    cell(r.action.workspace),
    `\`${cell(r.action.entryId ?? r.action.keyName ?? r.action.keyId ?? "?")}\``,
    cell(r.action.kind),
    r.status === "done" ? "done" : `**${r.status}**`,
    cell(r.message ?? ""),
  ]);
  if (rows.length === 0) return head;
  return `${head}\n${table(["Workspace", "Key", "Action", "Result", "Message"], rows, { what: "actions", maxBytes: maxBytes - bytes(head) - 2 })}\n`;
}

export function checkSection(overdue: readonly OverdueKey[], maxOverdueDays: number, maxBytes: number): string {
  const head = [
    "## timely-keys check",
    "",
    overdue.length === 0
      ? `**No key is overdue for rotation (max-overdue-days ${maxOverdueDays}) or expiring soon.**`
      : `**${overdue.length} key${overdue.length === 1 ? " is" : "s are"} overdue for rotation or expiring soon: run apply, and check that the scheduled rotation workflow runs.**`,
    "",
  ].join("\n");
  if (overdue.length === 0) return head;
  const rows = overdue.map((o) => [cell(o.workspace), `\`${cell(o.entryId)}\``, cell(o.reasons.join(", ")), cell(o.message)]);
  return `${head}\n${table(["Workspace", "Key", "Problem", "Detail"], rows, { what: "keys", maxBytes: maxBytes - bytes(head) - 2 })}\n`;
}

/** Apply results or check findings first (what this run did), then the plan with what room is left. */
export function buildSummary(input: SummaryInput): string {
  const maxBytes = input.maxBytes ?? SUMMARY_MAX_BYTES;
  const sections: string[] = [];
  // The run's own result gets at most half; the plan takes the rest.
  if (input.apply) sections.push(applySection(input.apply, Math.floor(maxBytes / 2)));
  if (input.overdue) sections.push(checkSection(input.overdue, input.maxOverdueDays ?? 0, Math.floor(maxBytes / 2)));
  const used = bytes(sections.map((s) => `${s}\n`).join(""));
  sections.push(renderMarkdown(input.plan, { maxBytes: Math.max(0, maxBytes - used - 1) }));
  return sections.map((s) => (s.endsWith("\n") ? s : `${s}\n`)).join("\n");
}

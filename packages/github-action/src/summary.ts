// The job summary of one run: what apply did or what check found, then the plan (its table has each
// key's rotation phase), all within GitHub's 1 MiB limit for one step's summary.
import {
  applyCountsLine,
  actionsByEntry,
  entryDetail,
  evidenceText,
  findingTitle,
  fixText,
  renderMarkdown,
  type ApplyReport,
  type CheckReport,
  type Plan,
} from "@timely-keys/provisioner";
import { bytes, cell, table } from "./markdown.js";

/** GitHub refuses a step summary over 1 MiB; stay well below it. */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 64 * 1024;

export interface SummaryInput {
  plan: Plan;
  /** Where each key's rotation stands after this run (apply re-reads); default: as planned. */
  after?: Plan;
  apply?: ApplyReport;
  /** check's findings (the library's; words from its render). */
  check?: CheckReport;
  maxBytes?: number;
}

/** `a`, `b` and 12 more: as many ids as fit in `maxBytes`. */
function idsWithin(ids: readonly string[], maxBytes: number): string {
  const shown: string[] = [];
  let size = 0;
  for (const id of ids) {
    const text = `\`${cell(id)}\``;
    if (size + bytes(text) + 2 > maxBytes - 32) break;
    shown.push(text);
    size += bytes(text) + 2;
  }
  const left = ids.length - shown.length;
  return left === 0 ? shown.join(", ") : `${shown.join(", ")}${shown.length > 0 ? " and " : ""}${left} more`;
}

export function applySection(report: ApplyReport, maxBytes: number): string {
  const head = [
    "## timely-keys apply",
    "",
    `**${applyCountsLine(report)}**`,
    ...(report.rotated.length > 0
      ? ["", `Rotation advanced: ${idsWithin(report.rotated, Math.floor(maxBytes / 4))}`]
      : []),
    ...report.workspaceErrors.map((e) => `\n- :x: ${cell(e.message)}`),
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
  const headers = ["Workspace", "Key", "Action", "Result", "Message"];
  return `${head}\n${table(headers, rows, { what: "actions", maxBytes: maxBytes - bytes(head) - 2 })}\n`;
}

export function checkSection(report: CheckReport, maxBytes: number): string {
  const { error, warning, info } = report.counts;
  const head = [
    "## timely-keys check",
    "",
    report.findings.length === 0
      ? "**No findings: every key is fresh, used as expected and rotating on time.**"
      : `**${error} error${error === 1 ? "" : "s"}, ${warning} warning${warning === 1 ? "" : "s"}, ${info} info.** ` +
        "Each finding says its fix.",
    "",
  ].join("\n");
  if (report.findings.length === 0) return head;
  const rows = report.findings.map((f) => [
    cell(f.severity),
    cell(f.workspace),
    f.entryId ? `\`${cell(f.entryId)}\`` : cell(f.key?.name ?? ""),
    cell(findingTitle(f.kind)),
    cell(evidenceText(f)),
    cell(fixText(f.fix)),
  ]);
  const headers = ["Severity", "Workspace", "Key", "Finding", "Evidence", "Fix"];
  return `${head}\n${table(headers, rows, { what: "findings", maxBytes: maxBytes - bytes(head) - 2 })}\n`;
}

function when(iso: string | undefined): string {
  return iso === undefined ? "" : `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** Each key's place in its rotation (phase, step of six, when the next step is due). */
export function rotationSection(plan: Plan, heading: string, maxBytes: number): string {
  const head = [`## ${heading}`, ""].join("\n");
  const rows = plan.workspaces.flatMap((ws) => {
    const byEntry = actionsByEntry(ws.actions);
    return ws.entries.map((e) => [
      cell(ws.name),
      `\`${cell(e.entryId)}\``,
      cell(`${e.phase}${e.step ? ` ${e.step}` : ""}`),
      cell(when(e.nextAt)),
      cell(entryDetail(e, byEntry.get(e.entryId) ?? [])),
    ]);
  });
  if (rows.length === 0) return `${head}\nNo managed keys selected.\n`;
  const headers = ["Workspace", "Key", "Rotation", "Next step due", "Detail"];
  return `${head}\n${table(headers, rows, { what: "keys", maxBytes: maxBytes - bytes(head) - 2 })}\n`;
}

/** Apply results or check findings first (what this run did), then the plan with what room is left. */
export function buildSummary(input: SummaryInput): string {
  const maxBytes = input.maxBytes ?? SUMMARY_MAX_BYTES;
  const sections: string[] = [];
  // The run's own result gets at most half; the plan takes the rest.
  if (input.apply) sections.push(applySection(input.apply, Math.floor(maxBytes / 2)));
  if (input.check) sections.push(checkSection(input.check, Math.floor(maxBytes / 2)));
  sections.push(
    rotationSection(
      input.after ?? input.plan,
      input.after ? "Rotation status after this run" : "Rotation status",
      Math.floor(maxBytes / 4),
    ),
  );
  const used = bytes(sections.map((s) => `${s}\n`).join(""));
  sections.push(renderMarkdown(input.plan, { maxBytes: Math.max(0, maxBytes - used - 1) }));
  return withinBytes(sections.map((s) => (s.endsWith("\n") ? s : `${s}\n`)).join("\n"), maxBytes);
}

/** A last guard: never more than maxBytes, cut at a line (the sections already fit their budgets). */
function withinBytes(text: string, maxBytes: number): string {
  if (bytes(text) <= maxBytes) return text;
  const lines = text.split("\n");
  while (lines.length > 0 && bytes(lines.join("\n")) > maxBytes) lines.pop();
  return lines.join("\n");
}

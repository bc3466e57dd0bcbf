// The plan as a GitHub job summary: the summary line, a table (workspace, key, action, reason,
// rotation phase) folded in <details> when long, and the warnings; always under `maxBytes`
// (a step summary may not exceed 1 MiB), cutting rows with a note when it must.
import type { EntryState, Plan, PlanAction } from "../model.js";
import { sanitize } from "@timely-keys/sdk";
import { redactText } from "./redact.js";
import { summaryLine } from "./summary-line.js";
import { symbolOf } from "./symbols.js";
import { warningText } from "./words.js";
import { appendAll } from "../append.js";

export interface MarkdownOptions {
  /** Upper bound of the output in UTF-8 bytes. Default DEFAULT_MARKDOWN_MAX_BYTES. */
  maxBytes?: number;
}

/** 1 MiB, GitHub's limit for one step's summary, less room for whatever else the step writes. */
export const DEFAULT_MARKDOWN_MAX_BYTES = 1024 * 1024 - 16 * 1024;

/** Tables longer than this are folded in <details>. */
const FOLD_AFTER_ROWS = 15;

export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxBytes = Math.max(0, Math.floor(options.maxBytes ?? DEFAULT_MARKDOWN_MAX_BYTES));
  const rows = tableRows(plan);
  const head = ["## timely-keys plan", "", `**${markdownCell(summaryLine(plan))}**`, ""];
  const fold = rows.length > FOLD_AFTER_ROWS;
  const tableHead = [
    ...(fold ? [`<details><summary>${rows.length} rows: every managed key and action</summary>`, ""] : []),
    "| Workspace | Key | Action | Reason | Rotation |",
    "| --- | --- | --- | --- | --- |",
  ];
  const tableFoot = fold ? ["", "</details>"] : [];
  const warnings = plan.warnings.map(
    (w) =>
      `- ${markdownCell([w.workspace, w.entryId].filter((p) => p !== undefined && p !== "*").join("/"))}: ` +
      markdownCell(warningText(w)),
  );

  // Reserve room for the closing parts and a truncation note, then take rows while they fit.
  const note = (left: number, what: string) =>
    `| … | | | _${left} more ${what} not shown: the summary is capped at ${maxBytes} bytes; ` +
    "run `timely-keys plan` for everything_ | |";
  const fixed = [...head, ...tableHead, ...tableFoot, ""].join("\n");
  let budget = maxBytes - bytes(fixed) - bytes(note(rows.length, "rows")) - 1;
  const kept: string[] = [];
  for (const row of rows) {
    const cost = bytes(row) + 1;
    if (cost > budget) break;
    kept.push(row);
    budget -= cost;
  }
  const table = [...tableHead, ...kept];
  if (kept.length < rows.length) table.push(note(rows.length - kept.length, "rows"));
  appendAll(table, tableFoot);

  const out = [...head, ...table];
  if (warnings.length > 0) {
    const warnHead = ["", "### Warnings", ""];
    let room = maxBytes - bytes(out.join("\n")) - bytes(warnHead.join("\n")) - 200;
    const keptWarnings: string[] = [];
    for (const w of warnings) {
      if (bytes(w) + 1 > room) break;
      keptWarnings.push(w);
      room -= bytes(w) + 1;
    }
    if (keptWarnings.length > 0 || room > 0) {
      appendAll(appendAll(out, warnHead), keptWarnings);
      if (keptWarnings.length < warnings.length)
        out.push(`- _${warnings.length - keptWarnings.length} more warnings not shown_`);
    }
  }
  return fitBytes(redactText(`${out.join("\n")}\n`), maxBytes);
}

/** One row per action; an entry with no action gets one row with its rotation phase. */
function tableRows(plan: Plan): string[] {
  const rows: string[] = [];
  for (const ws of plan.workspaces) {
    const listed = new Set<string>();
    const row = (key: string, action: string, reason: string, rotation: string) =>
      `| ${markdownCell(ws.name)} | ${key} | ${action} | ${reason} | ${rotation} |`;
    // Index the actions by entry once: a large workspace has thousands of both.
    const byEntry = new Map<string, typeof ws.actions>();
    for (const a of ws.actions) {
      if (a.entryId === undefined) continue;
      const list = byEntry.get(a.entryId);
      if (list) list.push(a);
      else byEntry.set(a.entryId, [a]);
    }
    for (const entry of ws.entries) {
      const mine = byEntry.get(entry.entryId) ?? [];
      listed.add(entry.entryId);
      if (mine.length === 0) rows.push(row(keyCell(entry.entryId), "no change", "", markdownCell(phaseText(entry))));
      for (const a of mine)
        rows.push(row(keyCell(entry.entryId), actionText(a), a.reasons.join(", "), markdownCell(phaseText(entry))));
    }
    for (const a of ws.actions) {
      if (a.entryId !== undefined && listed.has(a.entryId)) continue;
      const key = a.entryId !== undefined ? keyCell(a.entryId) : markdownCell(a.keyName ?? a.keyId ?? "");
      const status =
        a.kind === "drift"
          ? "unmanaged"
          : a.until !== undefined
            ? `removed, until ${a.until.slice(0, 16).replace("T", " ")} UTC`
            : "removed";
      rows.push(row(key, actionText(a), a.reasons.join(", "), status));
    }
  }
  return rows;
}

function keyCell(entryId: string): string {
  return `\`${entryId}\``;
}

function actionText(action: PlanAction): string {
  const operation = action.kind === "drift" || action.kind === "retire" ? ` (${action.operation})` : "";
  const waiting = !action.mutates && action.kind !== "drift" ? " (waiting)" : "";
  return `${markdownCell(symbolOf(action))} ${action.kind}${operation}${waiting}`;
}

function phaseText(entry: EntryState): string {
  const step = entry.step ? ` ${entry.step}` : "";
  const next = entry.nextAt ? `, next ${entry.nextAt.slice(0, 16).replace("T", " ")} UTC` : "";
  return `${entry.phase}${step}${next}`;
}

/**
 * Text safe inside a markdown table cell: inert (the SDK's sanitizer: one line, no escape sequences,
 * secrets masked), no pipes, HTML, or link and image syntax (a name could load a tracking image).
 */
export function markdownCell(text: string): string {
  return sanitize(text.replace(/[\r\n]+/g, " "))
    .replace(/&/g, "&amp;")
    .replace(/[[\]]/g, (bracket) => `\\${bracket}`)
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|");
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** A last guard: never more than maxBytes, cut on a character boundary. */
function fitBytes(text: string, maxBytes: number): string {
  if (bytes(text) <= maxBytes) return text;
  let out = "";
  let size = 0;
  for (const ch of text) {
    const n = bytes(ch);
    if (size + n > maxBytes) break;
    out += ch;
    size += n;
  }
  return out;
}

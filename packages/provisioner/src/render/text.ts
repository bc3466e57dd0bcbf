// The plan for a terminal, Terraform-like: one block per action with its symbol, the attributes
// that change (before -> after, changed words highlighted), the reasons, informational lines for
// waits, the warnings, and the summary line.
import { diffWords } from "diff";
import type { Plan, PlanAction, PlanWarning, PlanWorkspace } from "../model.js";
import { painter, TONE_STYLE, type Paint } from "./ansi.js";
import { attributeWords, type AttributeWords } from "./attributes.js";
import { redactText } from "./redact.js";
import { summaryLine } from "./summary-line.js";
import { symbolOf, toneOf } from "./symbols.js";
import { actionSummary, actionWarning, warningText } from "./words.js";
import { maxOf } from "../append.js";

export interface TextOptions {
  /** ANSI colours; the CLI passes false for NO_COLOR or a non-TTY. */
  color: boolean;
}

/** Attributes whose text gets a word-level diff. */
const TEXT_ATTRIBUTES = new Set(["name", "description"]);

export function renderText(plan: Plan, options: TextOptions): string {
  return redactText(Array.from(textLines(plan, options)).join("\n"));
}

/** Lines per piece of `renderTextPieces`: a few hundred kilobytes, one write each. */
const LINES_PER_PIECE = 2_000;

/**
 * The text of `renderText` in pieces of whole lines (joined they are exactly its text), so a plan of
 * 100,000 lines reaches stdout without the whole text being held at once. Each piece is redacted on
 * its own: every value in the text is one inert line (sanitized) and no secret shape spans a line
 * break, so redacting piece by piece masks what redacting the whole did.
 */
export function* renderTextPieces(plan: Plan, options: TextOptions): Generator<string> {
  let piece: string[] = [];
  let first = true;
  for (const line of textLines(plan, options)) {
    piece.push(line);
    if (piece.length === LINES_PER_PIECE) {
      yield redactText(`${first ? "" : "\n"}${piece.join("\n")}`);
      first = false;
      piece = [];
    }
  }
  if (piece.length > 0) yield redactText(`${first ? "" : "\n"}${piece.join("\n")}`);
}

function* textLines(plan: Plan, options: TextOptions): Generator<string> {
  const paint = painter(options.color);
  if (plan.workspaces.length === 0) yield "No workspace selected.";
  for (const ws of plan.workspaces) {
    yield* workspaceLines(ws, paint, options.color);
    yield "";
  }
  if (plan.warnings.length > 0) {
    yield* warningLines(plan.warnings, paint);
    yield "";
  }
  yield paint("bold", summaryLine(plan));
}

function* workspaceLines(ws: PlanWorkspace, paint: Paint, color: boolean): Generator<string> {
  const serverTime = ws.serverNow ? `, server time ${ws.serverNow}` : "";
  const live = `(live state ${ws.fingerprint.slice(0, 19)}…${serverTime})`;
  yield `${paint("bold", `Workspace ${ws.name}`)} ${paint("dim", live)}`;
  if (ws.actions.length === 0) {
    const keys = `${ws.entries.length} key${ws.entries.length === 1 ? "" : "s"}`;
    yield `  ${paint("dim", `no changes (${keys} in the manifest)`)}`;
    return;
  }
  for (const action of ws.actions) yield* renderAction(action, paint, color);
}

function renderAction(action: PlanAction, paint: Paint, color: boolean): string[] {
  const tone = toneOf(action);
  const style = TONE_STYLE[tone];
  const who = action.entryId ?? action.keyName ?? action.keyId ?? "";
  const symbol = symbolOf(action).padStart(3);
  const summary = actionSummary(action);
  if (tone === "info") return [paint("dim", `  ${symbol} ${who}: ${summary}`)];
  const lines = [`  ${paint(style, symbol)} ${paint("bold", who)}: ${summary}`];
  const rows: [string, string][] = [];
  for (const attribute of action.attributes) {
    const a = attributeWords(attribute);
    rows.push([a.name, attributeValue(a, paint, color)]);
    // Without colour the changed words are marked on a line of their own.
    if (!color && a.before !== null && a.after !== null && a.before !== a.after && TEXT_ATTRIBUTES.has(a.name)) {
      rows.push(["", markedWords(a.before, a.after)]);
    }
  }
  rows.push(["reason", action.reasons.join(", ")]);
  const width = maxOf(rows.map(([name]) => name.length)) + 2;
  for (const [name, value] of rows) lines.push(`        ${(name ? `${name}:` : "").padEnd(width)}${value}`);
  const warning = actionWarning(action);
  if (warning !== undefined) lines.push(`        ${paint("yellow", "warning:")} ${warning}`);
  return lines;
}

function attributeValue(a: AttributeWords, paint: Paint, color: boolean): string {
  const replaces = a.forcesReplacement ? paint("magenta", "   # forces replacement") : "";
  if (a.before === null && a.after === null) return "";
  if (a.before === null) return paint("green", a.after ?? "");
  if (a.after === null) return paint("red", a.before);
  if (a.before === a.after) return a.after;
  if (!TEXT_ATTRIBUTES.has(a.name)) return `${a.before} -> ${a.after}${replaces}`;
  return color ? coloredWords(a.before, a.after, paint) : `${a.before} -> ${a.after}`;
}

/** Removed words red in the old text, added words green in the new. */
function coloredWords(before: string, after: string, paint: Paint): string {
  const parts = diffWords(before, after);
  const old = parts
    .filter((p) => !p.added)
    .map((p) => (p.removed ? paint("red", p.value) : p.value))
    .join("");
  const neu = parts
    .filter((p) => !p.removed)
    .map((p) => (p.added ? paint("green", p.value) : p.value))
    .join("");
  return `${old} -> ${neu}`;
}

/** The change as `[-removed-]{+added+}` marks, like `git diff --word-diff=plain`. */
export function markedWords(before: string, after: string): string {
  return diffWords(before, after)
    .map((p) => (p.added ? `{+${p.value}+}` : p.removed ? `[-${p.value}-]` : p.value))
    .join("");
}

/** Warnings of one kind printed in full before the rest are summed up in one line. */
const SHOWN_PER_KIND = 3;

/**
 * The plan's warnings, repeated ones grouped (an imported workspace can have a thousand keys
 * without sinks): the first few in full, then the count and the next few entries.
 */
function warningLines(warnings: readonly PlanWarning[], paint: Paint): string[] {
  // Same kind: the same words once the entry's id and the parenthesized details are taken out.
  const kindOf = (w: PlanWarning) => {
    const message = warningText(w);
    return `${w.workspace}\u0000${(w.entryId ? message.split(w.entryId).join("") : message).replace(/\([^)]*\)/g, "")}`;
  };
  const groups = new Map<string, PlanWarning[]>();
  for (const w of warnings) {
    const group = groups.get(kindOf(w));
    if (group) group.push(w);
    else groups.set(kindOf(w), [w]);
  }
  const lines: string[] = [];
  for (const w of warnings) {
    const group = groups.get(kindOf(w))!;
    const index = group.indexOf(w);
    const where = [w.workspace, w.entryId].filter((p) => p !== undefined && p !== "*").join("/");
    if (group.length <= SHOWN_PER_KIND + 1 || index < SHOWN_PER_KIND) {
      lines.push(`${paint("yellow", "Warning:")} ${where ? `${where}: ` : ""}${warningText(w)}`);
    } else if (index === SHOWN_PER_KIND) {
      const rest = group.slice(SHOWN_PER_KIND);
      const ids = rest
        .slice(0, 5)
        .map((r) => r.entryId ?? "?")
        .join(", ");
      lines.push(
        `${paint("yellow", "Warning:")} ${w.workspace}: ${rest.length} more like the above: ` +
          `${ids}${rest.length > 5 ? ", …" : ""} (${group.length} in all)`,
      );
    }
  }
  return lines;
}

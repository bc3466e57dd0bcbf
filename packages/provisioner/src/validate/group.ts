// Repeated findings of one rule, grouped for the terminal: an imported 1,000-key manifest should not
// print 1,000 identical warnings. The first few are printed as they are; then one line with the
// count, the lines of the next few, and how to silence the rule when policy.rules may.
import { formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { configurableRules } from "./rules.js";

/** Findings of one rule and severity printed in full before the rest are summed up. */
export const SHOWN_PER_RULE = 3;
/** Lines listed in the summing-up line. */
const LISTED_LINES = 5;

export function groupedDiagnosticLines(diagnostics: readonly Diagnostic[], shown = SHOWN_PER_RULE): string[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = `${d.severity}[${d.rule}]`;
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  const lines: string[] = [];
  const summaries: string[] = [];
  for (const d of diagnostics) {
    const group = groups.get(`${d.severity}[${d.rule}]`)!;
    const index = group.indexOf(d);
    // A group of shown + 1 is printed whole: a summary line would save nothing.
    if (group.length <= shown + 1 || index < shown) {
      lines.push(formatDiagnostic(d));
    } else if (index === shown) {
      summaries.push(summaryLine(group, shown));
    }
  }
  return [...lines, ...summaries];
}

function summaryLine(group: readonly Diagnostic[], shown: number): string {
  const first = group[0]!;
  const rest = group.slice(shown);
  const at = rest
    .slice(0, LISTED_LINES)
    .map((d) => d.line)
    .filter((line) => line > 0);
  const more = rest.length > LISTED_LINES ? ", …" : "";
  const where = at.length > 0 ? ` at line${at.length === 1 ? "" : "s"} ${at.join(", ")}${more}` : "";
  const silence = first.rule in configurableRules ? `; to silence it, set policy.rules: { ${first.rule}: off }` : "";
  return (
    `${first.file}: ${first.severity}[${first.rule}]: ${rest.length} more like the above${where} ` +
    `(${group.length} in all)${silence}`
  );
}

import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { groupedDiagnosticLines } from "../../src/validate/group.js";

const finding = (rule: string, line: number, severity: Diagnostic["severity"] = "warning"): Diagnostic => ({
  severity,
  rule,
  message: `finding at ${line}`,
  file: "m.yaml",
  line,
  col: 3,
  path: "",
});

describe("groupedDiagnosticLines", () => {
  it("prints up to four findings of a rule as they are", () => {
    const lines = groupedDiagnosticLines([1, 2, 3, 4].map((n) => finding("entry-without-sinks", n)));
    expect(lines).toEqual([1, 2, 3, 4].map((n) => `m.yaml:${n}:3: warning[entry-without-sinks]: finding at ${n}`));
  });

  it("sums up the rest of a rule's findings: count, lines, how to silence a configurable rule", () => {
    const diagnostics = [
      ...Array.from({ length: 10 }, (_, i) => finding("entry-without-sinks", 10 + i)),
      finding("schema", 50, "error"),
    ];
    expect(groupedDiagnosticLines(diagnostics)).toEqual([
      "m.yaml:10:3: warning[entry-without-sinks]: finding at 10",
      "m.yaml:11:3: warning[entry-without-sinks]: finding at 11",
      "m.yaml:12:3: warning[entry-without-sinks]: finding at 12",
      "m.yaml:50:3: error[schema]: finding at 50",
      "m.yaml: warning[entry-without-sinks]: 7 more like the above at lines 13, 14, 15, 16, 17, … (10 in all); to " +
        "silence it, set policy.rules: { entry-without-sinks: off }",
    ]);
  });

  it("offers no silencing for a rule policy.rules cannot change", () => {
    const lines = groupedDiagnosticLines(Array.from({ length: 6 }, (_, i) => finding("schema", i + 1, "error")));
    expect(lines.at(-1)).toBe("m.yaml: error[schema]: 3 more like the above at lines 4, 5, 6 (6 in all)");
  });
});

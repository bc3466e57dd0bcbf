import { describe, expect, it } from "vitest";
import {
  ManifestLoadError,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from "../../src/diagnostics.js";
import { fakeSecrets } from "../fixtures/manifests/fake-secrets.js";

const base: Diagnostic = {
  severity: "error",
  rule: "schema",
  message: "m",
  file: "timely-keys.yaml",
  line: 3,
  col: 7,
  path: "version",
};

describe("diagnostics", () => {
  it("formats as file:line:col: severity[rule]: message", () => {
    expect(formatDiagnostic(base)).toBe("timely-keys.yaml:3:7: error[schema]: m");
    expect(formatDiagnostic({ ...base, severity: "warning", rule: "rotation-period-over-90-days" })).toBe(
      "timely-keys.yaml:3:7: warning[rotation-period-over-90-days]: m",
    );
  });

  it("leaves out the position when there is none", () => {
    expect(formatDiagnostic({ ...base, line: 0, col: 0, rule: "file-unreadable", message: "no such file" })).toBe(
      "timely-keys.yaml: error[file-unreadable]: no such file",
    );
  });

  it("keeps to one line and masks anything secret-shaped that reached a message", () => {
    const formatted = formatDiagnostic({ ...base, message: `first line\n  second ${fakeSecrets.timelyKey}` });
    expect(formatted).toBe("timely-keys.yaml:3:7: error[schema]: first line second tml_***");
  });

  it("sorts by position, errors before warnings at one place, stable otherwise", () => {
    const d = (line: number, col: number, severity: Diagnostic["severity"], rule: string): Diagnostic => ({
      ...base,
      line,
      col,
      severity,
      rule,
    });
    const sorted = sortDiagnostics([
      d(5, 1, "warning", "a"),
      d(2, 9, "error", "b"),
      d(5, 1, "error", "c"),
      d(2, 9, "error", "d"),
      d(2, 1, "error", "e"),
    ]);
    expect(sorted.map((x) => x.rule)).toEqual(["e", "b", "d", "c", "a"]);
  });

  it("hasErrors ignores warnings", () => {
    expect(hasErrors([{ ...base, severity: "warning" }])).toBe(false);
    expect(hasErrors([{ ...base, severity: "warning" }, base])).toBe(true);
    expect(hasErrors([])).toBe(false);
  });

  it("a load error's message is its first diagnostic, formatted", () => {
    const error = new ManifestLoadError([base, { ...base, line: 9 }]);
    expect(error.message).toBe("timely-keys.yaml:3:7: error[schema]: m");
    expect(error.name).toBe("ManifestLoadError");
    expect(error.diagnostics).toHaveLength(2);
  });
});

// A small helper shared by the lint passes: a diagnostic at a manifest path, default severity.
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { formatPath, type ManifestPath } from "./path.js";
import { allRules, type RuleName } from "./rules.js";

export function finding(loaded: LoadedDocument, rule: RuleName, path: ManifestPath, message: string): Diagnostic {
  const at = loaded.positionOf(path);
  return {
    severity: allRules[rule].defaultSeverity,
    rule,
    message,
    file: loaded.displayPath,
    line: at.line,
    col: at.col,
    path: formatPath(path),
  };
}

// What validation says about a manifest: one finding per location, with where it is and which
// rule found it. The same shape serves load errors, schema errors and policy lint.
import { sanitize } from "@timely-keys/sdk";
import { UserError } from "./errors.js";
import { redactSecrets } from "./validate/secret-shapes.js";

export type DiagnosticSeverity = "error" | "warning";

export interface Diagnostic {
  severity: DiagnosticSeverity;
  /** Rule name, e.g. "write-without-expiry" (see src/validate/rules.ts). */
  rule: string;
  /** One sentence; never contains a secret value. */
  message: string;
  /** The manifest path as the user gave it. */
  file: string;
  /** 1-based; 0 when the finding has no position (the file cannot be read at all). */
  line: number;
  /** 1-based; 0 when the finding has no position. */
  col: number;
  /** Where in the manifest, e.g. `workspaces[0].keys[2].scopes`; "" for the whole document. */
  path: string;
}

/** `file:line:col: error[rule]: message`, on one line, with anything secret-shaped masked. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const message = sanitize(redactSecrets(d.message.replace(/\s*\n\s*/g, " ")));
  return `${sanitize(where)}: ${d.severity}[${d.rule}]: ${message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** By position in the file; findings at the same place keep their order (errors first). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, order) => ({ d, order }))
    .sort(
      (a, b) =>
        a.d.line - b.d.line ||
        a.d.col - b.d.col ||
        Number(a.d.severity === "warning") - Number(b.d.severity === "warning") ||
        a.order - b.order,
    )
    .map(({ d }) => d);
}

/** The manifest could not be loaded (unreadable file, YAML syntax, ...); says its first finding. */
export class ManifestLoadError extends UserError {
  override readonly name: string = "ManifestLoadError";
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const [first] = diagnostics;
    super(first ? formatDiagnostic(first) : "cannot load the manifest");
    this.diagnostics = diagnostics;
  }
}

// Findings as GitHub annotations: on the manifest's file and line, so a pull request shows them
// next to the line at fault. Paths are relative to GITHUB_WORKSPACE, as the runner expects.
import type { Diagnostic, SourceRef } from "@timely-keys/provisioner";
import { sanitize } from "@timely-keys/sdk";
import { displayPath } from "./inputs.js";

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  properties: AnnotationProperties;
}

/**
 * Text for one annotation or log message: secrets masked (the SDK's registry and shapes) and made
 * inert (one line, no escape sequences, cannot start a workflow command), by the SDK's sanitizer.
 */
export function redactTokens(text: string): string {
  return sanitize(text);
}

/** Where in the manifest, as annotation properties; no line when the position is unknown (0). */
export function locationOf(
  ref: Pick<SourceRef, "file" | "line" | "col">,
  githubWorkspace: string,
): AnnotationProperties {
  return {
    file: displayPath(ref.file, githubWorkspace),
    ...(ref.line > 0 ? { startLine: ref.line } : {}),
    ...(ref.line > 0 && ref.col > 0 ? { startColumn: ref.col } : {}),
  };
}

export function diagnosticAnnotation(diagnostic: Diagnostic, githubWorkspace: string): Annotation {
  return {
    level: diagnostic.severity,
    message: redactTokens(`${diagnostic.message.replace(/\s*\n\s*/g, " ")} [${diagnostic.rule}]`),
    properties: { title: `timely-keys ${diagnostic.rule}`, ...locationOf(diagnostic, githubWorkspace) },
  };
}

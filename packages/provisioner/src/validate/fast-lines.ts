// The first parser of the fast path (fast-yaml.ts), which needs no YAML library.
import { parseLines } from "./line-yaml.js";

/** The manifest's root mapping when the text is in line-yaml.ts's shape; undefined otherwise. */
export function parseLineShaped(text: string): Record<string, unknown> | undefined {
  // Most big manifests are in the narrower shape line-yaml.ts reads, much faster than js-yaml. It
  // refuses the indicators the fast path leaves out wherever they mean something; escapes, tabs and
  // carriage returns it cannot tell apart from text, so they are left out here.
  if (text.includes("\\") || text.includes("\t") || text.includes("\r")) return undefined;
  return parseLines(text);
}

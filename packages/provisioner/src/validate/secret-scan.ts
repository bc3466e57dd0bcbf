// Finds anything secret-shaped anywhere in the manifest: values, keys, and (for the well-known
// token formats) comments too, since a comment is committed to git just the same.
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { positionedParsers } from "../yaml-parsers.js";
import type { PathSegment } from "./path.js";
import { findAllTokenShapes, findHighEntropy } from "./secret-shapes.js";

export function secretMessage(kind: string): string {
  return `looks like a secret (${kind}); secrets never live in the manifest: put the env var name in tokenEnv instead`;
}

/**
 * Fields whose values are constrained to safe shapes (ids, live key ids, file paths), where a long
 * random-looking run is expected, so only the well-known token formats are checked there.
 */
export const ENTROPY_EXEMPT_FIELDS = new Set(["id", "adopt", "path"]);

export function scanForSecrets(loaded: LoadedDocument): Diagnostic[] {
  // Without positions, first look for anything at all: the scan below (and its positions) only runs
  // when there is something to report. A token shape is looked for in the whole text: the fast
  // parser's strings are written out there on one line, without escapes, between characters that are
  // neither letters nor digits, and no shape holds a quote (the one holding `@` is outside its subset).
  // Long random-looking strings are looked for in the strings and keys of `loaded.value`.
  if (
    !loaded.hasPositions() &&
    findAllTokenShapes(loaded.text).length === 0 &&
    !valueHasHighEntropy(loaded.value, undefined)
  )
    return [];
  // The scan over `yaml`'s nodes lives with the YAML parsers (yaml-parsers.ts): it needs the
  // positioned document, which needs them too.
  return positionedParsers().scanNodesForSecrets(loaded);
}

/** Whether any key or string in a plain (alias-free) value holds a long random-looking run, as the scan checks them. */
function valueHasHighEntropy(value: unknown, field: PathSegment | undefined): boolean {
  if (typeof value === "string")
    return (typeof field !== "string" || !ENTROPY_EXEMPT_FIELDS.has(field)) && findHighEntropy(value) !== undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (valueHasHighEntropy(value[index], index)) return true;
    return false;
  }
  if (value !== null && typeof value === "object") {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (findHighEntropy(key) !== undefined || valueHasHighEntropy((value as Record<string, unknown>)[key], key))
        return true;
    }
  }
  return false;
}

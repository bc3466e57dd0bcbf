// Finds anything secret-shaped anywhere in the manifest: values, keys, and (for the well-known
// token formats) comments too, since a comment is committed to git just the same.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { formatPath, type PathSegment } from "./path.js";
import { findAllTokenShapes, findHighEntropy, findSecret } from "./secret-shapes.js";

export function secretMessage(kind: string): string {
  return `looks like a secret (${kind}); secrets never live in the manifest: put the env var name in tokenEnv instead`;
}

/**
 * Fields whose values are constrained to safe shapes (ids, live key ids, file paths), where a long
 * random-looking run is expected, so only the well-known token formats are checked there.
 */
const ENTROPY_EXEMPT_FIELDS = new Set(["id", "adopt", "path"]);

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
  const found: Diagnostic[] = [];
  const scalarRanges: Array<[number, number]> = [];
  const report = (kind: string, offset: number, path: readonly PathSegment[]) => {
    found.push({
      severity: "error",
      rule: "secret-in-manifest",
      message: secretMessage(kind),
      ...loaded.positionAtOffset(offset),
      file: loaded.displayPath,
      path: formatPath(path),
    });
  };

  const checkScalar = (node: Node, path: PathSegment[], isKey: boolean) => {
    if (!isScalar(node) || !node.range) return;
    scalarRanges.push([node.range[0], node.range[1]]);
    if (typeof node.value !== "string") return;
    const field = path[path.length - 1];
    const entropy = isKey || typeof field !== "string" || !ENTROPY_EXEMPT_FIELDS.has(field);
    const match = findSecret(node.value, { entropy });
    if (match) report(match.kind, node.range[0], path);
  };

  const visit = (node: unknown, path: PathSegment[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        if (isScalar(pair.key)) checkScalar(pair.key, [...path, key], true);
        else visit(pair.key, path);
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) visit(item, [...path, index]);
    } else if (isScalar(node)) {
      checkScalar(node, path, false);
    }
  };
  visit(loaded.doc.contents, []);

  // Comments, tags, anchors: whatever lies outside the scalars checked above.
  scalarRanges.sort((a, b) => a[0] - b[0]);
  for (const match of findAllTokenShapes(loaded.text)) {
    if (!insideAny(scalarRanges, match.index)) report(match.kind, match.index, []);
  }
  return found;
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

/** Binary search over sorted, disjoint [start, end) ranges. */
function insideAny(ranges: ReadonlyArray<readonly [number, number]>, offset: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = ranges[middle]!;
    if (offset < start) high = middle - 1;
    else if (offset >= end) low = middle + 1;
    else return true;
  }
  return false;
}

// The secret scan (secret-scan.ts) over the positioned document: every scalar of `yaml`'s tree, then
// the comments, tags and anchors between them.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load-core.js";
import { formatPath, type PathSegment } from "./path.js";
import { ENTROPY_EXEMPT_FIELDS, secretMessage } from "./secret-scan.js";
import { findAllTokenShapes, findSecret } from "./secret-shapes.js";

export function scanNodesForSecrets(loaded: LoadedDocument): Diagnostic[] {
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

// The positioned parse of a manifest with `yaml` (load-core.ts has the rest of loading): every node
// keeps its position, and a file `yaml` refuses is refused with its message.
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from "yaml";
import { resolve } from "node:path";
import type { SourceRef } from "./desired.js";
import { ManifestLoadError, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { MAX_ALIAS_COUNT, type LoadedDocument, type LoadOptions } from "./load-core.js";
import type { ManifestPath } from "./validate/path.js";
import { findAllTokenShapes, quoteValue } from "./validate/secret-shapes.js";
import { secretMessage } from "./validate/secret-scan.js";

/** Parses with `yaml`, keeping every node's position; throws ManifestLoadError with its findings. */
export function parseWithPositions(text: string, file: string, options: LoadOptions = {}): LoadedDocument {
  const lineCounter = new LineCounter();
  const at = (offset: number) => lineCounter.linePos(offset);
  const diagnostic = (rule: string, message: string, offset: number, path = ""): Diagnostic => ({
    severity: "error",
    rule,
    message,
    file,
    ...at(offset),
    path,
  });

  let docs: Document.Parsed[] | { empty: true };
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
      version: "1.2",
      merge: false,
    }) as Document.Parsed[] | { empty: true };
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    throw new ManifestLoadError([diagnostic("yaml-syntax", TOO_DEEP, 0)]);
  }
  const parsed = Array.isArray(docs) ? docs : [];

  const problems: Diagnostic[] = [];
  for (const doc of parsed) {
    for (const error of [...doc.errors, ...doc.warnings]) problems.push(yamlProblem(error, text, diagnostic));
    // Nesting the parser survived may still be too deep for the steps after it (toJS, the schema).
    if (doc.errors.length === 0) {
      const deep = firstTooDeep(doc.contents);
      if (deep !== undefined) problems.push(diagnostic("yaml-syntax", TOO_DEEP, deep));
    }
  }
  if (problems.length > 0) {
    // The file may also hold a secret; say so now rather than after the syntax is fixed.
    for (const found of findAllTokenShapes(text)) {
      problems.push(diagnostic("secret-in-manifest", secretMessage(found.kind), found.index));
    }
    throw new ManifestLoadError(onePerLocation(sortDiagnostics(problems)));
  }

  const [doc, second] = parsed;
  if (second) {
    throw new ManifestLoadError([
      diagnostic(
        "multi-document",
        "the file holds more than one YAML document; a manifest is exactly one",
        second.range[0],
      ),
    ]);
  }
  if (!doc || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ManifestLoadError([
      diagnostic(
        "root-not-mapping",
        "the manifest is empty; it needs at least `version: 1` and `workspaces`",
        doc?.contents?.range[0] ?? 0,
      ),
    ]);
  }
  if (!isMap(doc.contents)) {
    const got = isSeq(doc.contents) ? "a list" : "a single value";
    throw new ManifestLoadError([
      diagnostic(
        "root-not-mapping",
        `the manifest must be a mapping (version, policy, workspaces), not ${got}`,
        doc.contents.range[0],
      ),
    ]);
  }

  const maxAliasCount = options.maxAliasCount ?? MAX_ALIAS_COUNT;
  let value: Record<string, unknown>;
  try {
    value = doc.toJS({ maxAliasCount }) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ManifestLoadError([
      diagnostic(
        "yaml-aliases",
        `aliases expand to too many nodes (limit ${maxAliasCount}); write the values out instead of nesting aliases`,
        firstAliasOffset(doc),
      ),
    ]);
  }

  const nodeAt = (path: ManifestPath) => walk(doc, path).node;
  const position = (offset: number): SourceRef => ({ file, ...at(offset) });
  const loaded: LoadedDocument = {
    parsedWithoutPositions: false,
    hasPositions: () => true,
    withPositions: () => loaded,
    file: resolve(file),
    displayPath: file,
    text,
    doc,
    value,
    nodeAt,
    positionAtOffset: position,
    positionOf: (path) => position(walk(doc, path).node?.range?.[0] ?? 0),
    positionOfKey(path) {
      const parentPath = path.slice(0, -1);
      const key = path[path.length - 1];
      const parent = walk(doc, parentPath);
      if (parent.complete && isMap(parent.node) && typeof key === "string") {
        const pair = parent.node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return position(keyNode.range[0]);
      }
      return position(walk(doc, path).node?.range?.[0] ?? 0);
    },
  };
  return loaded;
}

/** Follows `path` from the root; stops at the deepest node that exists. */
function walk(doc: Document.Parsed, path: ManifestPath): { node: Node | undefined; complete: boolean } {
  let node: Node | undefined = resolveAlias(doc, doc.contents ?? undefined);
  for (const segment of path) {
    let next: unknown;
    if (isMap(node)) {
      next = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment))?.value;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }
    const child = resolveAlias(doc, next as Node | undefined);
    if (!child) return { node, complete: false };
    node = child;
  }
  return { node, complete: true };
}

function resolveAlias(doc: Document.Parsed, node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** Hints for the YAML errors people actually hit in hand-written manifests. */
const YAML_HINTS: Partial<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: "check the indentation of this line and the next",
  MULTILINE_IMPLICIT_KEY: "check the indentation of this line and the next",
  TAG_RESOLVE_FAILED: "timely-keys reads plain YAML, without custom tags",
};

function yamlProblem(
  error: YAMLError,
  text: string,
  diagnostic: (rule: string, message: string, offset: number) => Diagnostic,
): Diagnostic {
  const start = error.pos[0];
  if (error.code === "DUPLICATE_KEY") {
    const keyPattern = /("[^"\n]*"|'[^'\n]*'|[^:#\n]*?)\s*:/y;
    keyPattern.lastIndex = start;
    const key = keyPattern.exec(text)?.[1] ?? "";
    return diagnostic(
      "duplicate-key",
      `duplicate key ${quoteValue(key.replace(/^["']|["']$/g, ""))} in this mapping`,
      start,
    );
  }
  // The parser reports running out of stack as a YAML error: say what is wrong with the file instead.
  if (/Maximum call stack size exceeded/.test(error.message)) return diagnostic("yaml-syntax", TOO_DEEP, start);
  // With prettyErrors off the message is one sentence without a copy of the source line.
  const message = error.message.split("\n")[0]!.replace(/\s+at line \d+, column \d+:?$/, "");
  const hint = YAML_HINTS[error.code];
  return diagnostic("yaml-syntax", `YAML: ${message}${hint ? `; ${hint}` : ""}`, start);
}

function onePerLocation(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Deeper than any manifest needs (about 8 levels), far below what recursion in the YAML library survives. */
export const MAX_YAML_DEPTH = 64;

const TOO_DEEP =
  `YAML: nested more than ${MAX_YAML_DEPTH} levels deep; ` +
  "a manifest needs about 8 (look for unclosed [ or { brackets)";

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /Maximum call stack size exceeded/.test(error.message);
}

/** Offset of the first collection nested deeper than MAX_YAML_DEPTH, found without recursion. */
function firstTooDeep(root: unknown): number | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_YAML_DEPTH) return node.range?.[0] ?? 0;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else {
        stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

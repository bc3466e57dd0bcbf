// Reads a manifest file into a YAML document that remembers where everything is, so every later
// message can say file:line:col. Refuses what is not a plain, single YAML mapping.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
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
import type { SourceRef } from "./desired.js";
import { ManifestLoadError, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { UsageError } from "./errors.js";
import type { ManifestPath } from "./validate/path.js";
import { parseWithoutPositions } from "./validate/fast-yaml.js";
import { findAllTokenShapes, quoteValue } from "./validate/secret-shapes.js";
import { secretMessage } from "./validate/secret-scan.js";

export type { ManifestPath, PathSegment } from "./validate/path.js";

/**
 * A manifest is a text file of at most this size by default (8 MiB: 20,000 entries with sinks);
 * anything bigger is a mistake or an attack. TIMELY_MANIFEST_MAX_MIB raises or lowers it.
 */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Aliases may be used, but not to expand a small file into a huge tree ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/**
 * `TIMELY_MANIFEST_MAX_MIB`: the manifest size cap in MiB (default MAX_MANIFEST_BYTES); undefined when
 * unset. A value that is not a number between 0 and 1024 is a mistake, not "no cap".
 */
export function maxManifestBytesFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.TIMELY_MANIFEST_MAX_MIB?.trim();
  if (!text) return undefined;
  const mib = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || mib <= 0 || mib > 1024) {
    throw new UsageError(
      `TIMELY_MANIFEST_MAX_MIB must be a number of MiB between 0 and 1024, got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  return Math.floor(mib * 1024 * 1024);
}

export interface LoadOptions {
  /** Default MAX_MANIFEST_BYTES. */
  maxBytes?: number;
  /** Default MAX_ALIAS_COUNT. */
  maxAliasCount?: number;
}

export interface LoadedDocument {
  /** Absolute path. */
  file: string;
  /** The path as the caller gave it; diagnostics name the file this way. */
  displayPath: string;
  text: string;
  /** The YAML document with every node's position (built on first use when parsed without positions). */
  readonly doc: Document.Parsed;
  /** The document as plain JS (a mapping at the root). */
  value: Record<string, unknown>;
  /** Where the value at `path` starts (or its nearest existing ancestor). */
  positionOf(path: ManifestPath): SourceRef;
  /** Where the key of the mapping entry at `path` is written; the value's position otherwise. */
  positionOfKey(path: ManifestPath): SourceRef;
  /** The position of a character offset in `text`. */
  positionAtOffset(offset: number): SourceRef;
  /** The YAML node at `path`, aliases resolved. */
  nodeAt(path: ManifestPath): Node | undefined;
  /**
   * True when `value` came from the fast parser (validate/fast-yaml.ts): positions are then found by
   * parsing again with `yaml` the first time one is asked for.
   */
  readonly parsedWithoutPositions: boolean;
  /** Whether the positioned document has been built (always true unless parsedWithoutPositions). */
  hasPositions(): boolean;
  /** The same manifest parsed by `yaml` with positions (this document when it already is). */
  withPositions(): LoadedDocument;
}

/** Reads and parses a manifest file. Throws ManifestLoadError (with diagnostics) when it cannot. */
export async function load(file: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  const absolute = resolve(file);
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  const fileError = (rule: string, message: string) =>
    new ManifestLoadError([{ severity: "error", rule, message, file, line: 0, col: 0, path: "" }]);

  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) throw fileError("file-unreadable", "is a directory, not a manifest file");
    if (!info.isFile()) throw fileError("file-unreadable", "is not a regular file");
    if (info.size > maxBytes) throw fileError("file-too-large", tooLarge(info.size, maxBytes));
    bytes = await readFile(absolute);
  } catch (error) {
    if (error instanceof ManifestLoadError) throw error;
    throw fileError("file-unreadable", describeFsError(error));
  }
  // The file may have grown between stat and read.
  if (bytes.length > maxBytes) throw fileError("file-too-large", tooLarge(bytes.length, maxBytes));
  const text = decodeUtf8(bytes, file);
  return parseManifest(text, file, options);
}

/**
 * Parses manifest text (already read) as `load` does; `file` is used in messages. The plain subset of
 * YAML is parsed without positions (fast); positions come from `yaml` when something asks for one.
 */
export function parseManifest(text: string, file: string, options: LoadOptions = {}): LoadedDocument {
  const value = parseWithoutPositions(text);
  if (value === undefined) return parseWithPositions(text, file, options);
  let positioned: LoadedDocument | undefined;
  const withPositions = () => (positioned ??= parseWithPositions(text, file, options));
  return {
    file: resolve(file),
    displayPath: file,
    text,
    get doc() {
      return withPositions().doc;
    },
    value,
    nodeAt: (path) => withPositions().nodeAt(path),
    positionAtOffset: (offset) => withPositions().positionAtOffset(offset),
    positionOf: (path) => withPositions().positionOf(path),
    positionOfKey: (path) => withPositions().positionOfKey(path),
    parsedWithoutPositions: true,
    hasPositions: () => positioned !== undefined,
    withPositions,
  };
}

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

function tooLarge(size: number, max: number): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  return `is ${mib(size)}; a manifest may be at most ${mib(max)} (TIMELY_MANIFEST_MAX_MIB sets the limit)`;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a manifest file";
    default:
      return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text (a BOM is dropped), or a load error at the first line that is not UTF-8. */
function decodeUtf8(bytes: Buffer, file: string): string {
  const fail = (message: string, line: number, col: number) =>
    new ManifestLoadError([{ severity: "error", rule: "file-encoding", message, file, line, col, path: "" }]);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fail("is UTF-16 text; save the manifest as UTF-8", 1, 1);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      const lineBytes = bytes.subarray(start, end);
      try {
        utf8.decode(lineBytes);
      } catch {
        const col = new TextDecoder("utf-8").decode(lineBytes).indexOf("\uFFFD") + 1;
        throw fail("is not valid UTF-8 text; save the manifest as UTF-8", line, Math.max(col, 1));
      }
      if (newline === -1) throw fail("is not valid UTF-8 text; save the manifest as UTF-8", line, 1);
      start = newline + 1;
    }
  }
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

// Reads a manifest file into a YAML document that remembers where everything is, so every later
// message can say file:line:col. Refuses what is not a plain, single YAML mapping.
//
// This module does not import the YAML parsers (yaml-parsers.ts says why): `load` loads them when the
// fast parser gives up; load.ts is this module with them loaded, as the library exports it.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Document, Node } from "yaml";
import type { SourceRef } from "./desired.js";
import { ManifestLoadError } from "./diagnostics.js";
import { UsageError } from "./errors.js";
import type { ManifestPath } from "./validate/path.js";
import { parseLineShaped } from "./validate/fast-lines.js";
import { loadJsYaml, loadPositionedParsers, parseWithJsYaml, positionedParsers } from "./yaml-parsers.js";

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
  // Each parser is loaded only when the one before it gave up (yaml-parsers.ts).
  let value = parseLineShaped(text);
  if (value === undefined) {
    await loadJsYaml();
    value = parseWithJsYaml(text);
    if (value === undefined) await loadPositionedParsers();
  }
  return manifestOf(text, file, options, value);
}

/**
 * Parses manifest text (already read) as `load` does; `file` is used in messages. The plain subset of
 * YAML is parsed without positions (fast); positions come from `yaml` when something asks for one.
 */
export function parseManifest(text: string, file: string, options: LoadOptions = {}): LoadedDocument {
  return manifestOf(text, file, options, parseLineShaped(text) ?? parseWithJsYaml(text));
}

/** parseManifest, with the fast parsers' answer already known (undefined: they gave up). */
function manifestOf(
  text: string,
  file: string,
  options: LoadOptions,
  value: Record<string, unknown> | undefined,
): LoadedDocument {
  if (value === undefined) return positionedParsers().parseWithPositions(text, file, options);
  let positioned: LoadedDocument | undefined;
  const withPositions = () => (positioned ??= positionedParsers().parseWithPositions(text, file, options));
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

// The fast path of manifest loading. The `yaml` package keeps a position for every node, which makes
// it the slowest part of a plan over a big manifest (seconds at 10,000 entries); most runs never need
// a position because there is nothing to report. So a manifest written in the plain subset of YAML
// that everybody writes (block mappings and lists, plain and quoted scalars, flow lists and maps,
// comments) is parsed without positions, by line-yaml.ts when it is in the narrower line-by-line shape
// and by js-yaml otherwise, with scalars resolved exactly as `yaml` resolves them (YAML 1.2 core
// schema). Anything outside that subset, anything js-yaml refuses, and any run with a finding
// to report goes through `yaml` with positions (load.ts), so every message and every line:col is
// the positioned parser's.
import { FAILSAFE_SCHEMA, Type, load as loadYaml } from "js-yaml";
import { parseLines } from "./line-yaml.js";
import { BOOL_PLAIN, FLOAT_PLAIN, INT_PLAIN, NULL_PLAIN, boolValue, floatValue, intValue } from "./plain-scalar.js";

/**
 * Characters that can start what the subset leaves out: anchors and aliases (`&`, `*`: alias bombs
 * are counted by the positioned parser), tags (`!`), directives (`%`), explicit keys (`?`), block
 * scalars (`|`, `>`), merge keys (`<`), reserved indicators (`@`, backquote), escapes (`\`), tabs, and
 * a `#` right after a quote or bracket (a comment without the space `yaml` requires).
 * They are refused wherever they appear, even inside quotes: a false alarm only costs speed.
 */
const OUTSIDE_SUBSET = /[&*!%?|><@`\\\t\r]|^(?:---|\.\.\.)|\n(?:---|\.\.\.)|[\]}]\s*:(?:\s|$)|['"\]}]#/;

// The YAML 1.2 core schema as the `yaml` package resolves plain scalars (plain-scalar.ts).
const nullType = new Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (text: string | null) => text === null || NULL_PLAIN.test(text),
  construct: () => null,
});
const boolType = new Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (text: string | null) => text !== null && BOOL_PLAIN.test(text),
  construct: boolValue,
});
const intType = new Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (text: string | null) => text !== null && INT_PLAIN.test(text),
  construct: intValue,
});
const floatType = new Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (text: string | null) => text !== null && FLOAT_PLAIN.test(text),
  construct: floatValue,
});

/** Whitespace, then the bracket that opens a flow collection (sticky: matched at `lastIndex`). */
const FLOW_START = /\s*[[{]/y;

const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });

/**
 * The manifest's root mapping, parsed without positions; undefined when the text is outside the
 * subset, js-yaml refuses it, or its root is not a mapping (the positioned parser then says why).
 */
export function parseWithoutPositions(text: string): Record<string, unknown> | undefined {
  // Most big manifests are in the narrower shape line-yaml.ts reads, much faster than js-yaml. It
  // refuses the indicators this subset leaves out wherever they mean something; escapes, tabs and
  // carriage returns it cannot tell apart from text, so they are left out here.
  if (!text.includes("\\") && !text.includes("\t") && !text.includes("\r")) {
    const lines = parseLines(text);
    if (lines !== undefined) return lines;
  }
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  let value: unknown;
  // Scalars and flow collections written over several lines are left out too: their folding and
  // indentation rules are where YAML parsers disagree (js-yaml accepts a quoted scalar continued at
  // its parent's indentation, which `yaml` refuses).
  let multiLine = false;
  const starts: number[] = [];
  const listener = (event: "open" | "close", state: { position: number; kind: string | null }) => {
    if (event === "open") {
      starts.push(state.position);
      return;
    }
    const start = starts.pop() ?? 0;
    if (multiLine || (state.kind !== "scalar" && state.kind !== "sequence" && state.kind !== "mapping")) return;
    // Most nodes end before the end of their line: nothing to look at.
    const newline = text.indexOf("\n", start);
    if (newline === -1 || newline >= state.position) return;
    if (state.kind !== "scalar") {
      // Only a flow collection ([...] or {...}) is checked; a block one spans lines by design.
      FLOW_START.lastIndex = start;
      if (!FLOW_START.test(text)) return;
    }
    if (text.slice(start, state.position).trim().includes("\n")) multiLine = true;
  };
  try {
    value = loadYaml(text, { schema: CORE_SCHEMA, json: false, listener } as Parameters<typeof loadYaml>[1]);
  } catch {
    return undefined;
  }
  if (multiLine) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  // A null key (`~:`, `null:`) is "" for `yaml` but "null" for js-yaml; a key "null" may be either.
  if (hasKeyNamedNull(value)) return undefined;
  return value as Record<string, unknown>;
}

function hasKeyNamedNull(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasKeyNamedNull);
  if (value === null || typeof value !== "object") return false;
  for (const key in value) {
    if (key === "null" || hasKeyNamedNull((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

// The fast path of manifest loading. The `yaml` package keeps a position for every node, which makes
// it the slowest part of a plan over a big manifest (seconds at 10,000 entries); most runs never need
// a position because there is nothing to report. So a manifest written in the plain subset of YAML
// that everybody writes (block mappings and lists, plain and quoted scalars, flow lists and maps,
// comments) is parsed without positions, by line-yaml.ts when it is in the narrower line-by-line shape
// and by js-yaml otherwise, with scalars resolved exactly as `yaml` resolves them (YAML 1.2 core
// schema). Anything outside that subset, anything js-yaml refuses, and any run with a finding
// to report goes through `yaml` with positions (load.ts), so every message and every line:col is
// the positioned parser's.
//
// The CLI loads js-yaml only when line-yaml.ts gives up (yaml-parsers.ts), so it uses fast-lines.ts
// and js-yaml-subset.ts separately; this module is the whole fast path in one call.
import { parseLineShaped } from "./fast-lines.js";
import { parseWithJsYaml } from "./js-yaml-subset.js";

/**
 * The manifest's root mapping, parsed without positions; undefined when the text is outside the
 * subset, js-yaml refuses it, or its root is not a mapping (the positioned parser then says why).
 */
export function parseWithoutPositions(text: string): Record<string, unknown> | undefined {
  return parseLineShaped(text) ?? parseWithJsYaml(text);
}

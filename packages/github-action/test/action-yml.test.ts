// action.yml and the code agree: every input it declares is read (with the same default), every
// output it declares is set, and nothing else.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseInputs } from "../src/inputs.js";
import { OUTPUT_NAMES } from "../src/outputs.js";

const text = readFileSync(join(import.meta.dirname, "..", "action.yml"), "utf8");

/** The names (two-space indented keys) of a top-level section, with their `default:` when any. */
function section(name: string): Map<string, string | undefined> {
  const lines = text.split("\n");
  const start = lines.indexOf(`${name}:`);
  const found = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const key = /^ {2}([\w-]+):\s*$/.exec(line);
    if (key) {
      current = key[1] as string;
      found.set(current, undefined);
    }
    const def = /^ {4}default:\s*"?([^"]*)"?\s*$/.exec(line);
    if (def && current !== undefined) found.set(current, def[1]);
  }
  return found;
}

describe("action.yml", () => {
  it("declares exactly the inputs the action reads, with the defaults it applies", () => {
    const declared = section("inputs");
    const read = new Set<string>();
    const viaDefaults = parseInputs((name) => {
      read.add(name);
      return "";
    }, "/ws");
    // A default that is an expression (github-token's `${{ github.token }}`) is the runner's to fill.
    const viaDeclared = parseInputs(
      (name) => (declared.get(name)?.startsWith("${{") ? "" : (declared.get(name) ?? "")),
      "/ws",
    );
    expect([...read].sort()).toEqual([...declared.keys()].sort());
    expect(viaDeclared).toEqual(viaDefaults);
  });

  it("declares exactly the outputs the action sets", () => {
    expect([...section("outputs").keys()].sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it("runs dist/index.js on Node 24", () => {
    expect(text).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n?$/m);
  });
});

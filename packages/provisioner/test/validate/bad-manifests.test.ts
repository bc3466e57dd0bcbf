import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { validateFile } from "../../src/validate.js";
import { badCases, type BadCase } from "../fixtures/manifests/bad-cases.js";

const badDir = join(import.meta.dirname, "../fixtures/manifests/bad");
const scratch = mkdtempSync(join(tmpdir(), "timely-keys-bad-"));

/** The fixture's path, or a copy with its fake secret filled in. */
function materialize(c: BadCase): string {
  const path = join(badDir, c.file);
  if (statSync(path).isDirectory()) return path;
  const text = readFileSync(path, "latin1");
  if (!text.includes("@@SECRET@@")) {
    expect(c.secret, `${c.file} has no @@SECRET@@ placeholder`).toBeUndefined();
    return path;
  }
  expect(c.secret, `${c.file} needs a secret`).toBeDefined();
  const copy = join(scratch, c.file);
  writeFileSync(copy, text.replace("@@SECRET@@", c.secret!));
  return copy;
}

describe("bad manifests", () => {
  it("has at least 40 fixtures, each with exactly one expectation", () => {
    const files = readdirSync(badDir).sort();
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(badCases.map((c) => c.file).sort()).toEqual(files);
  });

  it.each(badCases.map((c) => [c.file, c] as const))("%s", async (_name, c) => {
    const file = materialize(c);
    const result = await validateFile(file, c.env ? { requireEnv: true, env: c.env } : { env: {} });
    expect(result.desired).toBeUndefined();
    // The first error: warnings may come before it (entry-without-sinks on the many fixtures whose
    // keys have no deliver: sinks, which are beside their point).
    const first = result.diagnostics.find((d) => d.severity === "error");
    expect(first, "an error").toBeDefined();
    expect({ rule: first!.rule, line: first!.line, col: first!.col, severity: first!.severity }).toEqual({
      rule: c.rule,
      line: c.line,
      col: c.col,
      severity: "error",
    });
    expect(first!.message).toContain(c.message);
    expect(first!.file).toBe(file);

    const formatted = formatDiagnostic(first!);
    expect(formatted).toMatch(c.line > 0 ? /^.+:\d+:\d+: error\[[a-z0-9-]+\]: .+$/ : /^.+: error\[[a-z0-9-]+\]: .+$/);
    expect(formatted).not.toContain("\n");

    const everything = [...result.diagnostics.map(formatDiagnostic), JSON.stringify(result.diagnostics)].join("\n");
    for (const hidden of [c.secret, c.mustNotShow]) {
      if (hidden) expect(everything).not.toContain(hidden);
    }
  });
});

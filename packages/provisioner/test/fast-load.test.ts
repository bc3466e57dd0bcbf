// Manifests in the plain subset of YAML are parsed without positions (validate/fast-yaml.ts); positions
// come from `yaml` only when a finding needs one. These tests prove the fast path changes nothing a
// user sees: the same value, the same Desired, and every finding with the same text and line:col.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManifestLoadError } from "../src/diagnostics.js";
import { parseManifest, parseWithPositions, type LoadedDocument } from "../src/load.js";
import { plan } from "../src/plan.js";
import { validate, type ValidationResult } from "../src/validate.js";
import { parseWithoutPositions } from "../src/validate/fast-yaml.js";
import { fakeSecrets } from "./fixtures/manifests/fake-secrets.js";
import { live, NOW } from "./plan/fixtures.js";

const ENTRIES = 3_000;

function entryLines(i: number, extra: string[] = []): string[] {
  return [
    `      - id: integration-${i}`,
    `        name: "Integration ${i}"`,
    `        description: 'Key of integration ${i}, for the team''s sync'`,
    "        scopes: [read, conversations]",
    `        expiresInDays: ${30 + (i % 300)}`,
    ...extra,
    `        deliver: [{ type: file, path: ./secrets/integration-${i}.env }]`,
  ];
}

function bigManifest(entry: (i: number) => string[]): string {
  const lines = ["# A big manifest", "version: 1", "policy:", "  rotation: { maxAgeDays: 60 }", "workspaces:"];
  lines.push("  - name: acme-prod", "    tokenEnv: ACME_PROD_TOKEN", "    keys:");
  for (let i = 0; i < ENTRIES; i++) lines.push(...entry(i));
  return `${lines.join("\n")}\n`;
}

/** validate() on the fast parse, and on a parse with positions from the start. */
function bothWays(text: string): { fast: LoadedDocument; fastResult: ValidationResult; positioned: ValidationResult } {
  const fast = parseManifest(text, "big.yaml");
  const fastResult = validate(fast, { env: { ACME_PROD_TOKEN: "set" }, requireEnv: true });
  const positioned = validate(parseWithPositions(text, "big.yaml"), {
    env: { ACME_PROD_TOKEN: "set" },
    requireEnv: true,
  });
  return { fast, fastResult, positioned };
}

describe("manifest loading without positions", () => {
  it("a clean 3,000-entry manifest: the same Desired, and no positioned parse unless a position is read", () => {
    const text = bigManifest((i) => entryLines(i));
    const { fast, fastResult, positioned } = bothWays(text);
    expect(fast.parsedWithoutPositions).toBe(true);
    expect(fastResult.diagnostics).toEqual([]);
    // plan() reads the whole Desired: still nothing asks where an entry is written.
    const made = plan(fastResult.desired!, live([]), NOW);
    expect(made.workspaces[0]!.actions).toHaveLength(ENTRIES);
    expect(fast.hasPositions()).toBe(false);
    // Reading an entry's source (annotations do) parses with positions, and finds the same place.
    expect(fastResult.desired!.workspaces[0]!.keys[2_500]!.source).toEqual({
      file: "big.yaml",
      line: 5 + 3 + 2_500 * 6 + 1,
      col: 9,
    });
    expect(fast.hasPositions()).toBe(true);
    expect(fastResult.desired).toEqual(positioned.desired);
    // Each entry's source is its own, and may be set; the Desired's sinks are copies of the manifest's.
    const keys = fastResult.desired!.workspaces[0]!.keys;
    expect(keys[7]!.source).toEqual({ file: "big.yaml", line: 5 + 3 + 7 * 6 + 1, col: 9 });
    keys[8]!.source = { file: "elsewhere.yaml", line: 1, col: 1 };
    expect(keys[8]!.source).toEqual({ file: "elsewhere.yaml", line: 1, col: 1 });
    expect(keys[9]!.source).toEqual({ file: "big.yaml", line: 5 + 3 + 9 * 6 + 1, col: 9 });
    const written = (fast.value.workspaces as Array<{ keys: Array<{ deliver: unknown[] }> }>)[0]!.keys[9]!.deliver;
    expect(keys[9]!.deliver).toEqual(written);
    expect(keys[9]!.deliver).not.toBe(written);
    expect(keys[9]!.deliver[0]).not.toBe(written[0]);
  });

  it("schema findings in a big manifest: the same messages at the same line:col", () => {
    const text = bigManifest((i) => {
      const lines = entryLines(i, i % 997 === 5 ? ["        colour: blue"] : []);
      return i % 613 === 7 ? lines.filter((l) => !l.includes("scopes:")) : lines;
    });
    const { fast, fastResult, positioned } = bothWays(text);
    expect(fast.parsedWithoutPositions).toBe(true);
    expect(fastResult.diagnostics.length).toBeGreaterThanOrEqual(8);
    expect(fastResult.diagnostics.map((d) => d.rule)).toContain("schema");
    expect(fastResult).toEqual(positioned);
  });

  it("lint findings, warnings and secrets in a big manifest: the same messages at the same line:col", () => {
    const text = bigManifest((i) => {
      if (i % 800 === 3) return entryLines(i).map((l) => l.replace(`id: integration-${i}`, `id: integration-${i - 1}`));
      if (i % 900 === 4) return entryLines(i).filter((l) => !l.includes("deliver:"));
      if (i === 1_234)
        return entryLines(i).map((l) => l.replace("Integration 1234", `Integration ${fakeSecrets.managementToken}`));
      if (i === 2_345) return [...entryLines(i), `        # copied from the dashboard: ${fakeSecrets.timelyKey}`];
      return entryLines(i);
    });
    const { fast, fastResult, positioned } = bothWays(text);
    expect(fast.parsedWithoutPositions).toBe(true);
    const rules = new Set(fastResult.diagnostics.map((d) => d.rule));
    expect([...rules].sort()).toEqual(["duplicate-id", "entry-without-sinks", "secret-in-manifest"]);
    expect(fastResult).toEqual(positioned);
    expect(JSON.stringify(fastResult)).not.toContain(fakeSecrets.managementToken);
  });

  it("finds a token shape in any kind of scalar, next to a quote written `''` too", () => {
    // Without positions, token shapes are looked for in the whole text rather than string by string.
    const manifest = (where: (secret: string) => string[]) =>
      ["version: 1", "workspaces:", "  - name: acme-prod", "    tokenEnv: ACME_PROD_TOKEN", "    keys:"]
        .concat([
          "      - id: integration-1",
          '        name: "Integration 1"',
          ...where("SECRET").map((l) => `        ${l}`),
          "        scopes: [read]",
          "        deliver: [{ type: file, path: ./secrets/integration-1.env }]",
        ])
        .join("\n");
    const placements = [
      (s: string) => [`description: ${s}`],
      (s: string) => [`description: "x ${s}"`],
      (s: string) => [`description: '${s} x'`],
      (s: string) => [`access: [${s}, team:ops]`],
      (s: string) => [`afterDeliver: [{ type: http, url: "https://example.com/${s}" }]`],
    ];
    const secrets = Object.entries(fakeSecrets).filter(([name]) => name !== "urlPassword" && name !== "pemPrivateKey");
    for (const place of placements) {
      for (const [name, secret] of secrets) {
        const text = `${manifest(place).replace("SECRET", secret)}\n`;
        const { fast, fastResult, positioned } = bothWays(text);
        expect(fast.parsedWithoutPositions, name).toBe(true);
        expect(
          fastResult.diagnostics.map((d) => d.rule),
          `${name} in ${place("…")}`,
        ).toContain("secret-in-manifest");
        expect(fastResult).toEqual(positioned);
      }
    }
    // One quote inside single quotes is written `''`: the string differs from its text there.
    for (const [name, secret] of secrets) {
      for (const at of [0, 1, secret.length - 1, secret.length]) {
        const quoted = `'x ${secret.slice(0, at)}''${secret.slice(at)} x'`;
        const text = `${manifest(() => [`description: ${quoted}`])}\n`;
        const { fast, fastResult, positioned } = bothWays(text);
        expect(fast.parsedWithoutPositions, name).toBe(true);
        expect(fastResult).toEqual(positioned);
      }
    }
  });

  it("a file only the positioned parser refuses is refused with its message", () => {
    // Duplicate keys: js-yaml refuses them too, so this goes the positioned way from the start.
    expect(() => parseManifest("version: 1\nversion: 1\nworkspaces: []\n", "m.yaml")).toThrow(ManifestLoadError);
  });

  it("leaves what is outside the plain subset to the positioned parser", () => {
    for (const text of [
      "version: 1\nx: &a 1\ny: *a\n",
      "version: !!int 1\n",
      "%YAML 1.2\n---\nversion: 1\n",
      "? version\n: 1\n",
      "description: |\n  text\n",
      "a: [b]\n[c]: d\n",
      "<<: { version: 1 }\n",
      'a: "tab\\there"\n',
      "---\nversion: 1\n",
    ]) {
      expect(parseWithoutPositions(text), text).toBeUndefined();
    }
    expect(parseWithoutPositions("version: 1\n")).toEqual({ version: 1 });
  });

  // Plain scalars every way the YAML 1.2 core schema can read them, plus strings that other YAML
  // versions read as something else: both parsers must give the same value for every one.
  const scalar = fc.oneof(
    fc.constantFrom(
      "0",
      "007",
      "-0",
      "+12",
      "0o17",
      "0o8",
      "0x1F",
      "0xg",
      "1_000",
      "0b101",
      "1e3",
      "1E-3",
      ".5",
      "5.",
      "-.5e+2",
      "+.inf",
      "-.Inf",
      ".NaN",
      ".nan",
      ".INF",
      "inf",
      "nan",
      "true",
      "True",
      "TRUE",
      "tRUE",
      "yes",
      "no",
      "on",
      "off",
      "y",
      "n",
      "~",
      "null",
      "Null",
      "NULL",
      "nULL",
      "",
      "12:30",
      "2024-01-01",
      "1.0",
      "1.",
      "0.0",
      "+",
      "-",
      ".",
      "a b",
      "a #b",
      "x:y",
      "'q'",
      '"d"',
      "[a, b]",
      "{ a: 1 }",
      "[]",
      "{}",
      "- x",
      "-1",
      "9007199254740993",
      "1e400",
      "é",
      "日本",
    ),
    fc.string({
      unit: fc.constantFrom("a", "b", "0", "1", " ", "-", ".", ":", "#", ",", "e", "x", "'", '"', "_", "+", "~"),
    }),
  );
  const field = fc.constantFrom("a", "b", "name", "id", "version", "1", "true", "null", "x y", "__proto__");
  const asLine = (key: string, value: string, style: number) => {
    if (style === 0) return `${key}: ${value}`;
    if (style === 1) return `${key}: '${value.replace(/'/g, "''")}'`;
    if (style === 2) return `${key}: ${JSON.stringify(value)}`;
    if (style === 3) return `${key}: [${value}, ${value}]`;
    if (style === 4) return `${key}:\n  - ${value}\n  - k: ${value}`;
    return `${key}: { k: ${value} }`;
  };

  it("gives the value the positioned parser gives, for every plain-subset document it accepts", () => {
    let fastCount = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(field, scalar, fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 6 }),
        (pairs) => {
          const text = `${pairs.map(([key, value, style]) => asLine(key, value, style)).join("\n")}\n`;
          const fast = parseWithoutPositions(text);
          if (fast === undefined) return;
          let positioned: unknown;
          try {
            positioned = parseWithPositions(text, "p.yaml").value;
          } catch (error) {
            // The fast parser must not accept what the positioned one refuses.
            throw new Error(`only the positioned parser refuses ${JSON.stringify(text)}: ${(error as Error).message}`);
          }
          fastCount += 1;
          expect(fast, text).toStrictEqual(positioned);
        },
      ),
      { numRuns: Number(process.env.FAST_LOAD_RUNS ?? 3_000), seed: Number(process.env.FAST_LOAD_SEED ?? 17) },
    );
    expect(fastCount).toBeGreaterThan(500);
  });
});

// The line-by-line parser of the fast path (validate/line-yaml.ts) reads only the plainest YAML and
// gives up on the rest. What it accepts it must read exactly as `yaml` (the positioned parser) does:
// these tests throw random documents, odd ones included, at both.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseWithPositions } from "../../src/load.js";
import { parseLines } from "../../src/validate/line-yaml.js";

/** What `yaml` makes of the text, or the reason it refuses it. */
function positioned(text: string): { value?: unknown; refused?: string } {
  try {
    return { value: parseWithPositions(text, "m.yaml").value };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

function sameAsPositioned(text: string): boolean {
  const lines = parseLines(text);
  if (lines === undefined) return false;
  const expected = positioned(text);
  expect(expected.refused, `only the positioned parser refuses ${JSON.stringify(text)}`).toBeUndefined();
  expect(lines, text).toStrictEqual(expected.value);
  return true;
}

describe("line-by-line manifest parsing", () => {
  it("reads the block mappings and lists of one-line values manifests are made of", () => {
    const text = [
      "# timely-keys",
      "version: 1",
      "policy:",
      "  rotation: { maxAgeDays: 60, drainWindow: 24h }",
      "  requireExpiryFor: [write, 'agents']",
      "  maxExpiresInDays: ~",
      "workspaces:",
      "- name: acme-prod   # the main one",
      "  tokenEnv: ACME_TOKEN",
      "  apiUrl: https://api.example.com/v1",
      "  keys:",
      "    - id: crm-sync",
      '      name: "CRM sync #1"',
      "      description: it's the team's key, 'quoted' # a comment",
      "",
      "      scopes:",
      "      - read",
      "      - conversations",
      "      expiresInDays: 90",
      "      enabled: false",
      "      deliver: [{ type: file, path: ./secrets/crm.env }, { type: exec, command: [a, '-x', \"b c\"] }]",
      "    -",
      "      id: empty-values",
      "      description:",
      "      rotation: {}",
      "      access: []",
      "    - - nested",
      "      - -1",
      "      -",
      "  notify:",
      "teams: [{ name: ops, members: ['o''brien@acme.com'] }]",
    ].join("\n");
    expect(sameAsPositioned(text)).toBe(true);
  });

  it("gives up on values that go on past their line, and on what YAML reads otherwise or refuses", () => {
    for (const text of [
      "a: b\n  c\n",
      "a:\n  - b\n    c\n",
      "a:\n  b\n",
      "a: 'b\n  c'\n",
      'a: "b\n  c"\n',
      "a: [b,\n  c]\n",
      "a: { b: 1,\n  c: 2 }\n",
      "a: 1\na: 2\n",
      "a: { b: 1, b: 2 }\n",
      "a: [b, ]\n",
      "a: [b, , c]\n",
      "a: [b: c]\n",
      "a: { b }\n",
      "a: b: c\n",
      "a: - b\n",
      "a: 1\n  b: 2\n",
      "- a\n",
      "  a: 1\n",
      '"a": 1\n',
      "a b: 1\n",
      "null: 1\n",
      "true: 1\n",
      "__proto__: 1\n",
      "1: a\n",
      "a: [b] c\n",
      "a: 'b' c\n",
      "a: [b, [c\n",
      "a: [b, c d #e]\n",
      "a:\n- b\n  - c\n",
      "",
      "# only a comment\n",
    ]) {
      expect(parseLines(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  // Lines of every kind at random indentation: most documents are refused by one parser or the
  // other, and of those this parser accepts, every one must be `yaml`'s value.
  const goodKey = fc.constantFrom("a", "b", "id", "name", "x_1", "B-2");
  const key = fc.oneof(
    { arbitrary: goodKey, weight: 6 },
    { arbitrary: fc.constantFrom("null", "true", "__proto__", "x y", "1", '"q"', "a.b"), weight: 1 },
  );
  const plain = fc.constantFrom(
    "1",
    "-1",
    "0x1F",
    "0o17",
    "1e3",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "~",
    "null",
    "Null",
    "true",
    "FALSE",
    "yes",
    "b c",
    "it's",
    'say "hi"',
    "https://x.test/a?b=c",
    "a:b",
    "a: b",
    "a #b",
    "a#b",
    "-",
    "- x",
    "-x",
    ":x",
    ",x",
    "x,y",
    "x]",
    "x[y]",
    "{x",
    "é日本",
    "&x",
    "*x",
    "!x",
    "%x",
    "@x",
    "`x",
    "|",
    ">",
    "?x",
    "a&b *c !d %e @f `g |h >i ?j",
    "--- x",
    "...",
  );
  const quoted = fc.oneof(
    plain.map((text) => `'${text.replace(/'/g, "''")}'`),
    plain.filter((text) => !text.includes('"')).map((text) => `"${text}"`),
    fc.constantFrom("'a''b'", "''", '""', "'#'", '" # "', "'a", '"a'),
  );
  const flow: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      plain,
      quoted,
      fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`),
      fc
        .array(fc.tuple(key, tie("value")), { maxLength: 3 })
        .map((pairs) => `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")} }`),
      fc.constantFrom("[]", "{}", "[a,]", "[a,,b]", "[a: b]", "{a}", "{a:1}", "[ a , b ]", "{a: [b, {c: d}]}"),
    ),
  })).value;
  const value = fc.oneof(
    { arbitrary: plain, weight: 3 },
    { arbitrary: quoted, weight: 2 },
    { arbitrary: flow, weight: 2 },
  );
  const comment = fc.constantFrom("", " # note", " #", "# tight");
  const line = fc
    .tuple(
      fc.constantFrom(0, 0, 2, 2, 4, 1, 3, 6),
      fc.oneof(
        key.map((k) => `${k}:`),
        fc.tuple(key, value).map(([k, v]) => `${k}: ${v}`),
        value.map((v) => `- ${v}`),
        fc.tuple(key, value).map(([k, v]) => `- ${k}: ${v}`),
        key.map((k) => `- ${k}:`),
        fc.constantFrom("-", "- -", "- - x", "# comment", "", "  ", "-x"),
      ),
      comment,
    )
    .map(([indent, content, note]) => `${" ".repeat(indent)}${content}${content.startsWith("#") ? "" : note}`);

  it("reads every document it accepts as `yaml` does", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.boolean(), (lines, rootKey) => {
        const text = `${rootKey ? "version: 1\n" : ""}${lines.join("\n")}\n`;
        if (sameAsPositioned(text)) accepted += 1;
      }),
      { numRuns: Number(process.env.LINE_YAML_RUNS ?? 10_000), seed: Number(process.env.LINE_YAML_SEED ?? 23) },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("reads well-indented documents as `yaml` does", () => {
    // Indentation that follows the structure, so that most documents are accepted.
    const entry = fc.tuple(goodKey, fc.option(value, { nil: undefined }), comment);
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(entry, fc.array(entry, { maxLength: 3 }), fc.boolean()), { minLength: 1, maxLength: 5 }),
        (items) => {
          const out: string[] = [];
          for (const [[k, v, note], children, asList] of items) {
            out.push(`${k}:${v === undefined ? "" : ` ${v}`}${note}`);
            if (v !== undefined) continue;
            for (const [childKey, childValue, childNote] of children) {
              const text = `${childKey}:${childValue === undefined ? "" : ` ${childValue}`}${childNote}`;
              out.push(asList ? `  - ${text}` : `  ${text}`);
            }
          }
          if (sameAsPositioned(`${out.join("\n")}\n`)) accepted += 1;
        },
      ),
      { numRuns: Number(process.env.LINE_YAML_RUNS ?? 4_000), seed: Number(process.env.LINE_YAML_SEED ?? 29) },
    );
    expect(accepted).toBeGreaterThan(600);
  });
});

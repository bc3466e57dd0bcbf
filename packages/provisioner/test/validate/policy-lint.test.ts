import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SinkConfig } from "../../src/deliver/config.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { parseManifest } from "../../src/load.js";
import { validate } from "../../src/validate.js";
import { destinationOf } from "../../src/validate/policy-lint.js";
import { configurableRules, type ConfigurableRuleName } from "../../src/validate/rules.js";

/** A manifest with one workspace per entry of `workspaces` (keys as YAML flow mappings). */
function manifest(options: { policy?: string; workspaces: Record<string, string[]> }): string {
  const lines = ["version: 1"];
  if (options.policy) lines.push("policy:", ...options.policy.split("\n").map((l) => `  ${l}`));
  lines.push("workspaces:");
  for (const [name, keys] of Object.entries(options.workspaces)) {
    lines.push(`  - name: ${name}`, "    tokenEnv: TOKEN", "    keys:", ...keys.map((k) => `      - ${k}`));
    if (keys.length === 0) lines[lines.length - 1] += " []";
  }
  return `${lines.join("\n")}\n`;
}

function run(text: string) {
  return validate(parseManifest(text, "/work/m.yaml"));
}

/**
 * Most keys in these manifests have no deliver: sinks, which entry-without-sinks flags on each of
 * them; the tests of the other rules leave that rule out (it has its own tests below).
 */
function lint(text: string) {
  const result = run(text);
  return { ...result, diagnostics: result.diagnostics.filter((d) => d.rule !== "entry-without-sinks") };
}

function rules(text: string): string[] {
  return lint(text).diagnostics.map((d) => `${d.severity} ${d.rule} ${d.path}`);
}

/** One manifest per configurable rule that triggers it exactly once (given a policy prefix); only its own. */
const triggers: Record<ConfigurableRuleName, (policy: string) => string> = {
  "entry-without-access": (policy) =>
    manifest({
      policy,
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], access: [team:payments], deliver: [{ type: file, path: a.env }] }",
          "{ id: b, name: B, scopes: [read], deliver: [{ type: file, path: b.env }] }",
        ],
      },
    }),
  "write-without-expiry": (policy) =>
    manifest({
      policy,
      workspaces: { w: ["{ id: a, name: A, scopes: [write], deliver: [{ type: file, path: a.env }] }"] },
    }),
  "expiry-over-max": (policy) =>
    manifest({
      policy: `maxExpiresInDays: 30\n${policy}`,
      workspaces: {
        w: ["{ id: a, name: A, scopes: [read], expiresInDays: 31, deliver: [{ type: file, path: a.env }] }"],
      },
    }),
  "duplicate-name": (policy) =>
    manifest({
      policy,
      workspaces: {
        w: [
          "{ id: a, name: Same, scopes: [read], deliver: [{ type: file, path: a.env }] }",
          "{ id: b, name: Same, scopes: [read], deliver: [{ type: file, path: b.env }] }",
        ],
      },
    }),
  "shared-destination": (policy) =>
    manifest({
      policy,
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], deliver: [{ type: file, path: x.env }] }",
          "{ id: b, name: B, scopes: [read], deliver: [{ type: file, path: ./x.env }] }",
        ],
      },
    }),
  "rotation-period-over-90-days": (policy) =>
    manifest({
      policy,
      workspaces: {
        w: ["{ id: a, name: A, scopes: [read], rotation: { maxAgeDays: 91 }, deliver: [{ type: file, path: a.env }] }"],
      },
    }),
  "grace-shorter-than-drain": (policy) =>
    manifest({
      policy,
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], rotation: { drainWindow: 8d }, deliver: [{ type: file, path: a.env }] }",
        ],
      },
    }),
  "entry-without-sinks": (policy) => manifest({ policy, workspaces: { w: ["{ id: a, name: A, scopes: [read] }"] } }),
};

describe("policy lint: severities", () => {
  describe.each(Object.keys(configurableRules) as ConfigurableRuleName[])("%s", (rule) => {
    const withSeverity = (severity?: string) => triggers[rule](severity ? `rules:\n  ${rule}: ${severity}` : "");

    it(`defaults to ${configurableRules[rule].defaultSeverity}`, () => {
      const result = run(withSeverity());
      expect(result.diagnostics.map((d) => [d.rule, d.severity])).toEqual([
        [rule, configurableRules[rule].defaultSeverity],
      ]);
      expect(result.desired === undefined).toBe(configurableRules[rule].defaultSeverity === "error");
    });

    it("error blocks the Desired", () => {
      const result = run(withSeverity("error"));
      expect(result.diagnostics.map((d) => [d.rule, d.severity])).toEqual([[rule, "error"]]);
      expect(result.desired).toBeUndefined();
    });

    it("warning is reported but does not block", () => {
      const result = run(withSeverity("warning"));
      expect(result.diagnostics.map((d) => [d.rule, d.severity])).toEqual([[rule, "warning"]]);
      expect(result.desired?.policy.rules[rule]).toBe("warning");
    });

    it("off skips the rule", () => {
      const result = run(withSeverity("off"));
      expect(result.diagnostics).toEqual([]);
      expect(result.desired?.policy.rules[rule]).toBe("off");
    });
  });

  it("a warning-level rule set to off does not turn off the others", () => {
    const text = manifest({
      policy: "rules:\n  rotation-period-over-90-days: off",
      workspaces: { w: ["{ id: a, name: A, scopes: [write], rotation: { maxAgeDays: 200 } }"] },
    });
    expect(run(text).diagnostics.map((d) => `${d.severity} ${d.rule} ${d.path}`)).toEqual([
      "warning entry-without-sinks workspaces[0].keys[0]",
      "error write-without-expiry workspaces[0].keys[0].scopes",
    ]);
  });
});

describe("policy lint: write-without-expiry", () => {
  it("passes a write key with an expiry, and read-only keys without one", () => {
    expect(
      rules(
        manifest({
          workspaces: {
            w: ["{ id: a, name: A, scopes: [write], expiresInDays: 30 }", "{ id: b, name: B, scopes: [read] }"],
          },
        }),
      ),
    ).toEqual([]);
  });

  it("follows policy.requireExpiryFor (empty: nothing requires an expiry)", () => {
    const keys = ["{ id: a, name: A, scopes: [write] }", "{ id: b, name: B, scopes: [analytics, read] }"];
    expect(rules(manifest({ policy: "requireExpiryFor: []", workspaces: { w: keys } }))).toEqual([]);
    expect(rules(manifest({ policy: "requireExpiryFor: [analytics]", workspaces: { w: keys } }))).toEqual([
      "error write-without-expiry workspaces[0].keys[1].scopes",
    ]);
  });

  it("names every required scope the key has", () => {
    const [d] = lint(
      manifest({
        policy: "requireExpiryFor: [write, agents]",
        workspaces: { w: ["{ id: a, name: A, scopes: [agents, write] }"] },
      }),
    ).diagnostics;
    expect(d?.message).toContain('has scopes "agents", "write" but no expiresInDays');
  });
});

describe("policy lint: expiry-over-max", () => {
  it("allows the maximum itself and anything when there is no maximum", () => {
    expect(
      rules(
        manifest({
          policy: "maxExpiresInDays: 30",
          workspaces: { w: ["{ id: a, name: A, scopes: [read], expiresInDays: 30 }"] },
        }),
      ),
    ).toEqual([]);
    expect(
      rules(
        manifest({
          policy: "maxExpiresInDays: null",
          workspaces: { w: ["{ id: a, name: A, scopes: [read], expiresInDays: 3650 }"] },
        }),
      ),
    ).toEqual([]);
  });

  it("does not count a key without expiry as over the maximum", () => {
    expect(
      rules(manifest({ policy: "maxExpiresInDays: 30", workspaces: { w: ["{ id: a, name: A, scopes: [read] }"] } })),
    ).toEqual([]);
  });
});

describe("policy lint: duplicates", () => {
  it("allows the same id and name in different workspaces", () => {
    const key = "{ id: crm, name: CRM, scopes: [read] }";
    expect(rules(manifest({ workspaces: { prod: [key], staging: [key] } }))).toEqual([]);
  });

  it("reports each repeat at the later entry", () => {
    const text = manifest({
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read] }",
          "{ id: a, name: 'A ', scopes: [read] }",
          "{ id: a, name: C, scopes: [read] }",
        ],
      },
    });
    expect(rules(text)).toEqual([
      "error duplicate-id workspaces[0].keys[1].id",
      "error duplicate-name workspaces[0].keys[1].name",
      "error duplicate-id workspaces[0].keys[2].id",
    ]);
  });

  it("duplicate-workspace and duplicate-id cannot be turned off", () => {
    for (const rule of ["duplicate-workspace", "duplicate-id"]) {
      const text = manifest({ policy: `rules:\n  ${rule}: off`, workspaces: { w: [] } });
      expect(run(text).diagnostics[0]?.message).toContain(`rule "${rule}" is always an error`);
    }
  });

  it("reports a repeated workspace", () => {
    const text = `${manifest({ workspaces: { w: [] } })}  - { name: w, tokenEnv: OTHER, keys: [] }\n`;
    expect(rules(text)).toEqual(["error duplicate-workspace workspaces[1].name"]);
  });
});

describe("policy lint: shared-destination", () => {
  const two = (a: string, b: string, workspaces?: string) =>
    rules(
      manifest({
        workspaces: workspaces
          ? {
              [workspaces]: [`{ id: a, name: A, scopes: [read], deliver: [${a}] }`],
              other: [`{ id: b, name: B, scopes: [read], deliver: [${b}] }`],
            }
          : {
              w: [
                `{ id: a, name: A, scopes: [read], deliver: [${a}] }`,
                `{ id: b, name: B, scopes: [read], deliver: [${b}] }`,
              ],
            },
      }),
    );
  const shared = ["error shared-destination workspaces[0].keys[1].deliver[0]"];

  it("files: the same path (as resolved from the manifest's folder) and variable", () => {
    expect(
      two("{ type: file, path: secrets/a.env }", "{ type: file, path: /work/secrets/a.env, variable: TIMELY_API_KEY }"),
    ).toEqual(shared);
    expect(
      two("{ type: file, path: a.env, variable: CRM_KEY }", "{ type: file, path: a.env, variable: BOT_KEY }"),
    ).toEqual([]);
    expect(
      two(
        "{ type: file, path: a.txt, format: raw, variable: X }",
        "{ type: file, path: a.txt, format: raw, variable: Y }",
      ),
    ).toEqual(shared);
  });

  it("GitHub secrets ignore case in repository and secret names", () => {
    expect(
      two(
        "{ type: githubSecret, repository: Acme/App, secretName: key }",
        "{ type: githubSecret, repository: acme/app, secretName: KEY }",
      ),
    ).toEqual(shared);
    expect(
      two(
        "{ type: githubSecret, repository: acme/app, environment: prod, secretName: KEY }",
        "{ type: githubSecret, repository: acme/app, environment: staging, secretName: KEY }",
      ),
    ).toEqual([]);
  });

  it("across workspaces too", () => {
    const shared = rules(
      manifest({
        workspaces: {
          prod: ["{ id: a, name: A, scopes: [read], deliver: [{ type: vault, path: crm }] }"],
          staging: ["{ id: a, name: A, scopes: [read], deliver: [{ type: vault, path: crm }] }"],
        },
      }),
    );
    expect(shared).toEqual(["error shared-destination workspaces[1].keys[0].deliver[0]"]);
  });

  it("the same destination twice in one key", () => {
    const text = manifest({
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], deliver: [{ type: exec, command: [x] }, { type: exec, command: [x] }] }",
        ],
      },
    });
    const [d] = run(text).diagnostics;
    expect(d).toMatchObject({ rule: "shared-destination", path: "workspaces[0].keys[0].deliver[1]" });
    expect(d?.message).toContain("same destination as deliver[0]");
  });
});

describe("policy lint: rotation settings", () => {
  it("reports an over-long period where it is written: once at the policy, and at each overriding key", () => {
    const text = manifest({
      policy: "rotation: { maxAgeDays: 120 }",
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read] }",
          "{ id: b, name: B, scopes: [read] }",
          "{ id: c, name: C, scopes: [read], rotation: { maxAgeDays: 30 } }",
          "{ id: d, name: D, scopes: [read], rotation: { maxAgeDays: 365 } }",
        ],
      },
    });
    expect(rules(text)).toEqual([
      "warning rotation-period-over-90-days policy.rotation.maxAgeDays",
      "warning rotation-period-over-90-days workspaces[0].keys[3].rotation.maxAgeDays",
    ]);
  });

  it("accepts exactly 90 days", () => {
    expect(rules(manifest({ policy: "rotation: { maxAgeDays: 90 }", workspaces: { w: [] } }))).toEqual([]);
  });

  it("compares grace and drain after merging a key's overrides into the policy", () => {
    const text = manifest({
      policy: "rotation: { drainWindow: 2h, maxGrace: 3h }",
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], rotation: { drainWindow: 4h } }",
          "{ id: b, name: B, scopes: [read], rotation: { maxGrace: 1h } }",
          "{ id: c, name: C, scopes: [read], rotation: { maxGrace: 2h } }",
          "{ id: d, name: D, scopes: [read], rotation: { drainWindow: 1d, maxGrace: 1d } }",
        ],
      },
    });
    expect(rules(text)).toEqual([
      "error grace-shorter-than-drain workspaces[0].keys[0].rotation.drainWindow",
      "error grace-shorter-than-drain workspaces[0].keys[1].rotation.maxGrace",
    ]);
  });
});

describe("policy lint: entry-without-sinks", () => {
  it("reports an entry without deliver at the entry, and an empty deliver list where it is written", () => {
    const text = [
      "version: 1",
      "workspaces:",
      "  - name: w",
      "    tokenEnv: TOKEN",
      "    keys:",
      "      - id: crm",
      "        name: CRM",
      "        scopes: [read]",
      "      - id: bot",
      "        name: Bot",
      "        scopes: [read]",
      "        deliver: []",
      "",
    ].join("\n");
    const result = run(text);
    expect(result.diagnostics).toEqual([
      {
        severity: "warning",
        rule: "entry-without-sinks",
        message:
          'entry "crm" has no deliver sinks: timely-keys can adopt its key but never creates or rotates it ' +
          "(a new secret would reach no one); add a deliver: sink",
        file: "/work/m.yaml",
        line: 6,
        col: 9,
        path: "workspaces[0].keys[0]",
      },
      expect.objectContaining({
        rule: "entry-without-sinks",
        line: 12,
        col: 18,
        path: "workspaces[0].keys[1].deliver",
      }),
    ]);
    expect(result.diagnostics[1]?.message).toMatch(/^entry "bot" has no deliver sinks: /);
    // A warning: the manifest still plans (and may adopt the live keys).
    expect(result.desired?.workspaces[0]?.keys.map((k) => k.deliver)).toEqual([[], []]);
  });

  it("passes an entry with a sink, and a disabled entry (no plan creates or rotates its key)", () => {
    const text = manifest({
      workspaces: {
        w: [
          "{ id: a, name: A, scopes: [read], deliver: [{ type: file, path: a.env }] }",
          "{ id: b, name: B, scopes: [read], enabled: false }",
          "{ id: c, name: C, scopes: [read], enabled: false, deliver: [] }",
        ],
      },
    });
    expect(run(text).diagnostics).toEqual([]);
  });

  it("reports every sinkless entry in every workspace, adopted or not", () => {
    const text = manifest({
      workspaces: {
        prod: [
          "{ id: a, name: A, scopes: [read], adopt: 0b6f8a52-3c1e-4d8e-9f3a-2b7c1d4e5f60 }",
          "{ id: b, name: B, scopes: [read], enabled: true }",
        ],
        staging: [
          "{ id: a, name: A, scopes: [read], deliver: [{ type: exec, command: [x] }] }",
          "{ id: c, name: C, scopes: [read], deliver: [] }",
        ],
      },
    });
    expect(run(text).diagnostics.map((d) => `${d.severity} ${d.rule} ${d.path}`)).toEqual([
      "warning entry-without-sinks workspaces[0].keys[0]",
      "warning entry-without-sinks workspaces[0].keys[1]",
      "warning entry-without-sinks workspaces[1].keys[1].deliver",
    ]);
  });

  it("policy.rules turns it off or makes it an error", () => {
    const keys = ["{ id: a, name: A, scopes: [read] }", "{ id: b, name: B, scopes: [read], deliver: [] }"];
    const off = run(manifest({ policy: "rules: { entry-without-sinks: off }", workspaces: { w: keys } }));
    expect(off.diagnostics).toEqual([]);
    expect(off.desired).toBeDefined();
    const error = run(manifest({ policy: "rules: { entry-without-sinks: error }", workspaces: { w: keys } }));
    expect(error.diagnostics.map((d) => `${d.severity} ${d.rule} ${d.path}`)).toEqual([
      "error entry-without-sinks workspaces[0].keys[0]",
      "error entry-without-sinks workspaces[0].keys[1].deliver",
    ]);
    expect(error.desired).toBeUndefined();
  });
});

describe("policy lint: a file sink's destination without path.resolve", () => {
  const variable = fc.option(fc.constantFrom("TIMELY_API_KEY", "CRM_KEY"), { nil: undefined });
  const format = fc.option(fc.constantFrom("dotenv", "raw", "json"), { nil: undefined });
  const segment = fc.oneof(
    fc.constantFrom(".", "..", "", "secrets", "a.env", ".env", "-x", "x..y", "é", "a b", "~", "C:"),
    fc.string({ unit: fc.constantFrom("a", "Z", "0", "_", "-", ".", "/", " ", "\\") }),
  );
  const path = fc.tuple(fc.constantFrom("", "./", "/", "../"), fc.array(segment, { minLength: 1, maxLength: 4 }));

  it("is the destination sinkDestination gives, for plain and odd paths alike", () => {
    fc.assert(
      fc.property(path, variable, format, ([start, segments], name, kind) => {
        const written = start + segments.join("/");
        const sink = {
          type: "file",
          path: written,
          ...(name !== undefined && { variable: name }),
          ...(kind !== undefined && { format: kind }),
        } as SinkConfig;
        for (const dir of ["/", "/work", "/work/repo"]) {
          expect(destinationOf(sink, dir), written).toBe(sinkDestination(sink, dir));
        }
      }),
      { numRuns: 2_000, seed: 7 },
    );
    const github = { type: "githubSecret", repository: "acme/crm", secretName: "KEY" } as SinkConfig;
    expect(destinationOf(github, "/work")).toBe(sinkDestination(github, "/work"));
  });
});

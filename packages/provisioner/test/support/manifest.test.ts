// The test-manifest builder writes what the suites build: valid manifests, read back as built.
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/load.js";
import { validate } from "../../src/validate.js";
import { crmEntry, entry, fileSink, type ManifestSpec, manifest, manifestYaml, workspace } from "./manifest.js";

const FILE = "/repo/timely-keys.yaml";

/** Every part of a manifest the suites build, at once. */
const everything: ManifestSpec = {
  policy: {
    rotation: { maxAgeDays: 30, rotateBeforeExpiryDays: 7, drainWindow: "3h", maxGrace: "1d", quarantine: "12h" },
    maxExpiresInDays: 365,
    rules: { "rotation-period-over-90-days": "off" },
  },
  notify: [
    { type: "webhook", url: "https://hooks.example.com/timely" },
    { type: "slack", urlEnv: "SLACK_WEBHOOK_URL", events: ["rotation.completed", "rotation.failed"] },
  ],
  teams: [{ name: "payments", members: ["alice@acme.com"] }],
  workspaces: [
    workspace({
      apiUrl: "https://api.timelyai.example",
      id: "00000000-0000-4000-8000-000000000001",
      access: ["team:payments"],
      notify: [{ type: "webhook", url: "https://hooks.example.com/prod", events: ["rotation.failed"] }],
      keys: [
        crmEntry({ description: "Syncs contacts.", rotation: { maxAgeDays: 20 }, access: ["bob@acme.com"] }),
        entry("pipeline", {
          name: "Data Pipeline",
          scopes: ["read", "write"],
          expiresInDays: 60,
          deliver: [
            fileSink("./secrets/pipeline.json", { format: "json", variable: "apiKey" }),
            { type: "exec", command: ["node", "-e", "require('fs').readFileSync(0)"], input: "env", env: "KEY" },
            { type: "githubSecret", repository: "acme/app", secretName: "PIPELINE_KEY" },
            { type: "awsSecretsManager", secretId: "timely/pipeline", region: "us-east-1" },
            { type: "vault", address: "https://vault.example.com", path: "timely/pipeline" },
            { type: "onePassword", connectUrl: "https://op.example.com", vault: "v1", item: "i1" },
          ],
          afterDeliver: [{ type: "exec", command: ["node", "restart.cjs"] }],
          verify: [{ type: "http", url: "https://pipeline.example.com/health", expectStatus: 204 }],
        }),
        entry("old", { enabled: false, expiresInDays: null }),
      ],
    }),
    workspace({ name: "acme-staging", tokenEnv: "STAGING_TOKEN", keys: [entry("qa", { deliver: undefined })] }),
  ],
};

describe("manifestYaml", () => {
  it("by default writes acme-prod (PROD_TOKEN) holding crm: CRM Integration, 120 days, ./secrets/crm.env", () => {
    const result = validate(parseManifest(manifestYaml(), FILE));
    expect(result.diagnostics).toEqual([]);
    expect(result.desired?.workspaces).toMatchObject([
      {
        name: "acme-prod",
        tokenEnv: "PROD_TOKEN",
        keys: [
          {
            id: "crm",
            name: "CRM Integration",
            scopes: ["conversations", "read"],
            expiresInDays: 120,
            deliver: [{ type: "file", path: "./secrets/crm.env" }],
          },
        ],
      },
    ]);
  });

  it("writes every part the suites use so that the manifest validates and reads back as built", () => {
    const loaded = parseManifest(manifestYaml(everything), FILE);
    expect(loaded.value).toEqual(JSON.parse(JSON.stringify(manifest(everything))));
    const result = validate(loaded);
    // The staging entry has no sinks on purpose: the one thing to warn about.
    expect(result.diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual(["warning entry-without-sinks"]);
    expect(result.desired?.workspaces.map((w) => w.keys.map((k) => k.id))).toEqual([
      ["crm", "pipeline", "old"],
      ["qa"],
    ]);
  });

  it("writes an object used in two places out twice, never as a YAML alias, and long values on one line", () => {
    const rotation = { maxAgeDays: 30 };
    const description = "Syncs contacts, deals and notes ".repeat(4).trim();
    const spec: ManifestSpec = { keys: [entry("a", { rotation, description }), entry("b", { rotation, description })] };
    const text = manifestYaml(spec);
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.split("\n").filter((line) => line.trim() === `description: ${description}`)).toHaveLength(2);
    expect(parseManifest(text, FILE).value).toEqual(manifest(spec));
    expect(validate(parseManifest(text, FILE)).diagnostics).toEqual([]);
  });

  it("refuses keys for the default workspace beside explicit workspaces", () => {
    expect(() => manifest({ keys: [crmEntry()], workspaces: [workspace()] })).toThrow(/not both/);
  });

  it("writes no field a test sets to undefined", () => {
    expect(crmEntry({ expiresInDays: undefined, deliver: undefined })).toEqual({
      id: "crm",
      name: "CRM Integration",
      scopes: ["read", "conversations"],
    });
    expect(manifestYaml({ keys: [crmEntry({ expiresInDays: undefined, deliver: undefined })] })).not.toMatch(
      /expiresInDays|deliver/,
    );
  });

  it("types every field: a misspelt one fails the typecheck", () => {
    // Checked by `tsc` (pnpm typecheck): each line must be an error, or the directive itself is one.
    // @ts-expect-error `scope` is not a field of an entry
    entry("crm", { scope: ["read"] });
    // @ts-expect-error `tokenenv` is not a field of a workspace
    workspace({ tokenenv: "PROD_TOKEN" });
    // @ts-expect-error `admin` is not a scope
    crmEntry({ scopes: ["admin"] });
    // @ts-expect-error a file sink has no `mode`
    fileSink("./a.env", { mode: 600 });
    // @ts-expect-error `drainwindow` is not a rotation setting
    manifestYaml({ policy: { rotation: { drainwindow: "1d" } } });
  });
});

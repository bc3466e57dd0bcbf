import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Desired, RotationSettings } from "../src/desired.js";
import { formatDiagnostic } from "../src/diagnostics.js";
import { parseManifest } from "../src/load.js";
import { validate, validateFile } from "../src/validate.js";
import { entry, fileSink, manifestYaml, workspace } from "./support/manifest.js";

const fixtures = join(import.meta.dirname, "fixtures/manifests");
const examplePath = join(import.meta.dirname, "../../../examples/timely-keys.yaml");
const HOUR = 3600;
const DAY = 86_400;

const defaultRotation: RotationSettings = {
  maxAgeDays: 90,
  rotateBeforeExpiryDays: 14,
  drainWindowSeconds: DAY,
  maxGraceSeconds: 7 * DAY,
  quarantineSeconds: 7 * DAY,
  spreadSeconds: 7 * DAY,
};

const defaultRules = {
  "write-without-expiry": "error",
  "expiry-over-max": "error",
  "duplicate-name": "error",
  "shared-destination": "error",
  "rotation-period-over-90-days": "warning",
  "grace-shorter-than-drain": "error",
  "entry-without-sinks": "warning",
  "entry-without-access": "warning",
} as const;

describe("validate: good manifests", () => {
  it("minimal: applies every default", async () => {
    const file = join(fixtures, "good/minimal.yaml");
    const result = await validateFile(file);
    // Valid: its one key has no deliver: sinks, which is only a warning (it can still be adopted).
    expect(result.diagnostics.map((d) => [d.severity, d.rule, d.path, d.line, d.col])).toEqual([
      ["warning", "entry-without-sinks", "workspaces[0].keys[0]", 7, 9],
    ]);
    expect(result.desired).toEqual<Desired>({
      file,
      policy: {
        rotation: defaultRotation,
        requireExpiryFor: ["write"],
        maxExpiresInDays: null,
        unmanaged: "report",
        monitor: { unusedDays: 30, minSuccessRate: 0.9, spikeFactor: 10 },
        rules: { ...defaultRules },
        maxRotationsPerRun: 20,
      },
      workspaces: [
        {
          name: "acme-prod",
          tokenEnv: "TIMELY_ACME_PROD_TOKEN",
          source: { file, line: 4, col: 5 },
          keys: [
            {
              id: "salesforce-crm",
              name: "Salesforce CRM",
              description: "",
              scopes: ["conversations", "read"],
              expiresInDays: null,
              enabled: true,
              protect: false,
              rotation: defaultRotation,
              deliver: [],
              source: { file, line: 7, col: 9 },
            },
          ],
        },
      ],
    });
    expect(result.desired?.workspaces[0]).not.toHaveProperty("apiUrl");
    expect(result.desired?.workspaces[0]?.keys[0]).not.toHaveProperty("adopt");
  });

  it("full: every field, every sink, rotation merged, severities applied", async () => {
    const file = join(fixtures, "good/full.yaml");
    const result = await validateFile(file);
    expect(result.diagnostics.map((d) => [d.severity, d.rule, d.path])).toEqual([
      ["warning", "write-without-expiry", "workspaces[0].keys[1].expiresInDays"],
      ["warning", "entry-without-sinks", "workspaces[1].keys[1]"],
      ["warning", "write-without-expiry", "workspaces[1].keys[1].scopes"],
      ["warning", "entry-without-sinks", "workspaces[1].keys[2]"],
      ["warning", "rotation-period-over-90-days", "workspaces[1].keys[2].rotation.maxAgeDays"],
    ]);
    const policyRotation: RotationSettings = {
      maxAgeDays: 60,
      rotateBeforeExpiryDays: 7,
      drainWindowSeconds: 90 * 60,
      maxGraceSeconds: 2 * DAY,
      quarantineSeconds: 14 * DAY,
      spreadSeconds: 7 * DAY,
    };
    const weekly: RotationSettings = { ...policyRotation, maxAgeDays: 30, drainWindowSeconds: 2 * HOUR };
    expect(result.desired).toEqual<Desired>({
      file,
      policy: {
        rotation: policyRotation,
        requireExpiryFor: ["agents", "write"],
        maxExpiresInDays: 365,
        unmanaged: "deactivate",
        monitor: { unusedDays: 30, minSuccessRate: 0.9, spikeFactor: 10 },
        rules: { ...defaultRules, "write-without-expiry": "warning", "shared-destination": "off" },
        maxRotationsPerRun: 20,
      },
      workspaces: [
        {
          name: "acme-prod",
          tokenEnv: "TIMELY_ACME_PROD_TOKEN",
          apiUrl: "http://127.0.0.1:4010",
          source: { file, line: 20, col: 5 },
          keys: [
            {
              id: "salesforce-crm",
              name: "Salesforce CRM Integration",
              description: "Syncs contacts into Salesforce.",
              scopes: ["conversations", "read"],
              expiresInDays: 90,
              enabled: true,
              protect: true,
              rotation: weekly,
              deliver: [
                { type: "file", path: "./secrets/crm.env", format: "dotenv", variable: "CRM_TIMELY_KEY" },
                {
                  type: "githubSecret",
                  repository: "acme/crm-sync",
                  environment: "production",
                  secretName: "TIMELY_API_KEY",
                  tokenEnv: "ACME_GITHUB_TOKEN",
                },
                {
                  type: "githubSecret",
                  organization: "acme",
                  visibility: "selected",
                  secretName: "TIMELY_CRM_KEY",
                  apiUrl: "https://github.acme.example/api/v3",
                },
              ],
              source: { file, line: 24, col: 9 },
            },
            {
              id: "support-bot",
              name: "Support Bot",
              description: "",
              scopes: ["read", "write"],
              expiresInDays: null,
              enabled: false,
              protect: false,
              rotation: weekly,
              deliver: [
                {
                  type: "exec",
                  command: ["node", "scripts/push-key.mjs", "--target", "support-bot"],
                  input: "env",
                  env: "SUPPORT_BOT_KEY",
                  timeoutSeconds: 10,
                },
                {
                  type: "awsSecretsManager",
                  secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:support-bot",
                  region: "us-east-1",
                  key: "timely_api_key",
                  endpoint: "http://localhost:4566",
                },
              ],
              source: { file, line: 50, col: 9 },
            },
          ],
        },
        {
          name: "acme-staging",
          tokenEnv: "TIMELY_ACME_STAGING_TOKEN",
          source: { file, line: 68, col: 5 },
          keys: [
            {
              id: "data-pipeline",
              name: "Data Pipeline",
              description: "",
              scopes: ["analytics", "read"],
              expiresInDays: null,
              enabled: true,
              protect: false,
              rotation: policyRotation,
              adopt: "5b1e8a52-3c1d-4a7e-9f0b-2d6c4e8a1b3f",
              deliver: [
                {
                  type: "vault",
                  address: "https://vault.acme.example:8200",
                  mount: "kv",
                  path: "integrations/data-pipeline",
                  field: "timely",
                  namespace: "platform",
                  auth: { method: "approle", roleIdEnv: "VAULT_ROLE_ID", secretIdEnv: "VAULT_SECRET_ID", mount: "ci" },
                },
                {
                  type: "vault",
                  path: "integrations/data-pipeline-backup",
                  auth: { method: "token", tokenEnv: "VAULT_BACKUP_TOKEN" },
                },
                {
                  type: "onePassword",
                  connectUrl: "https://op-connect.internal:8080",
                  tokenEnv: "OP_TOKEN_DATA",
                  vault: "vlt123",
                  item: "itm456",
                  field: "api key",
                },
                { type: "file", path: "./secrets/crm.env", variable: "CRM_TIMELY_KEY" },
              ],
              source: { file, line: 71, col: 9 },
            },
            {
              id: "agent-admin",
              name: "Agent Admin",
              description: "",
              scopes: ["agents"],
              expiresInDays: null,
              enabled: true,
              protect: false,
              rotation: policyRotation,
              deliver: [],
              source: { file, line: 96, col: 9 },
            },
            {
              id: "empty-desc",
              name: "Empty Workspace Tool",
              description: "",
              scopes: ["read"],
              expiresInDays: null,
              enabled: true,
              protect: false,
              rotation: { ...policyRotation, maxAgeDays: 120 },
              deliver: [],
              source: { file, line: 99, col: 9 },
            },
          ],
        },
        { name: "acme-sandbox", tokenEnv: "TIMELY_ACME_SANDBOX_TOKEN", keys: [], source: { file, line: 104, col: 5 } },
      ],
    });
  });

  it("the Desired does not share objects with the parsed document", async () => {
    const result = await validateFile(join(fixtures, "good/full.yaml"));
    const loaded = result.loaded!;
    const sink = result.desired!.workspaces[0]!.keys[0]!.deliver[0]!;
    expect(sink.type).toBe("file");
    if (sink.type === "file") sink.path = "changed";
    expect((loaded.value as any).workspaces[0].keys[0].deliver[0].path).toBe("./secrets/crm.env");
  });

  it("examples/timely-keys.yaml validates clean and references the schema", async () => {
    const shown = relative(process.cwd(), examplePath);
    const result = await validateFile(shown, {
      requireEnv: true,
      env: { TIMELY_ACME_PROD_TOKEN: "x", TIMELY_ACME_STAGING_TOKEN: "y" },
    });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const desired = result.desired!;
    expect(desired.workspaces.map((w) => [w.name, w.tokenEnv, w.keys.map((k) => k.id)])).toEqual([
      ["acme-prod", "TIMELY_ACME_PROD_TOKEN", ["salesforce-crm", "data-pipeline", "support-bot"]],
      ["acme-staging", "TIMELY_ACME_STAGING_TOKEN", ["salesforce-crm", "qa-smoke-tests"]],
    ]);
    const prod = desired.workspaces[0]!.keys;
    expect(prod.map((k) => [k.scopes, k.expiresInDays, k.deliver.map((s) => s.type)])).toEqual([
      [["conversations", "read"], 90, ["file"]],
      [["analytics", "read"], 180, ["file"]],
      [["conversations", "read", "write"], 60, ["exec"]],
    ]);
    expect(result.loaded!.text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../packages/provisioner/schema/manifest.schema.json",
    );
  });
});

describe("validate: results", () => {
  const manifest = (keys: string, policy = "") => `version: 1
${policy}workspaces:
  - name: acme-prod
    tokenEnv: TIMELY_ACME_PROD_TOKEN
    keys:
${keys}`;

  it("warnings do not block; errors withhold the Desired", () => {
    const warned = validate(
      parseManifest(manifest("      - { id: a, name: A, scopes: [read], rotation: { maxAgeDays: 120 } }\n"), "m.yaml"),
    );
    expect(warned.diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual([
      "warning entry-without-sinks",
      "warning rotation-period-over-90-days",
    ]);
    expect(warned.desired).toBeDefined();

    const failed = validate(parseManifest(manifest("      - { id: a, name: A, scopes: [write] }\n"), "m.yaml"));
    expect(failed.diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual([
      "warning entry-without-sinks",
      "error write-without-expiry",
    ]);
    expect(failed.desired).toBeUndefined();
    expect(failed).not.toHaveProperty("desired");
  });

  it("sorts diagnostics by position and keeps one per location", () => {
    const keys = [
      "      - { id: b, name: Dup, scopes: [write] }",
      "      - { id: b, name: Dup, scopes: [read], rotation: { maxAgeDays: 100 } }",
      "",
    ].join("\n");
    const result = validate(parseManifest(manifest(keys), "m.yaml"));
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`)).toEqual([
      "6:9 entry-without-sinks",
      "6:37 write-without-expiry",
      "7:9 entry-without-sinks",
      "7:15 duplicate-id",
      "7:24 duplicate-name",
      "7:69 rotation-period-over-90-days",
    ]);
  });

  it("skips policy lint while the schema fails (the structure cannot be trusted)", () => {
    const result = validate(
      parseManifest(manifest("      - { id: a, name: A, scopes: [write], extra: 1 }\n"), "m.yaml"),
    );
    expect(result.diagnostics.map((d) => d.rule)).toEqual(["schema"]);
  });

  it("reports a secret and the schema error at the same node once, as a secret", () => {
    const token = ["tkm", "Ab1".repeat(12)].join("_");
    const result = validate(
      parseManifest(`version: 1\nworkspaces:\n  - name: acme-prod\n    tokenEnv: ${token}\n    keys: []\n`, "m.yaml"),
    );
    expect(result.diagnostics.map((d) => [d.rule, d.line, d.col])).toEqual([["secret-in-manifest", 4, 15]]);
  });

  describe("requireEnv", () => {
    const text = manifestYaml({
      workspaces: [
        workspace({
          keys: [
            entry("crm", {
              name: "CRM",
              deliver: [
                { type: "githubSecret", repository: "acme/crm", secretName: "TIMELY_API_KEY" },
                {
                  type: "vault",
                  path: "crm",
                  auth: { method: "approle", roleIdEnv: "ROLE_ID", secretIdEnv: "SECRET_ID" },
                },
                { type: "onePassword", vault: "v", item: "i", tokenEnv: "OP_TOKEN" },
                {
                  type: "vault",
                  path: "crm2",
                  address: "https://vault.example",
                  auth: { method: "token", tokenEnv: "VAULT_CRM_TOKEN" },
                },
                { type: "awsSecretsManager", secretId: "crm" },
                fileSink("./crm.env"),
              ],
            }),
          ],
        }),
        workspace({
          name: "acme-staging",
          tokenEnv: "STAGING_TOKEN",
          keys: [
            entry("ci", {
              name: "CI",
              deliver: [
                { type: "githubSecret", repository: "acme/ci", secretName: "TIMELY_API_KEY" },
                { type: "vault", path: "ci" },
              ],
            }),
          ],
        }),
      ],
    });
    const loaded = parseManifest(text, "m.yaml");
    /** The variables each message names, in order. */
    const missing = (options: Parameters<typeof validate>[1]) =>
      validate(loaded, { requireEnv: true, ...options }).diagnostics.flatMap((d) => {
        expect(d.rule).toBe("missing-env");
        return [...d.message.matchAll(/\b([A-Z][A-Z0-9_]+) (?:is|are|\()/g)].map((m) => m[1]);
      });

    it("is off by default", () => {
      expect(validate(loaded, { env: {} }).diagnostics).toEqual([]);
    });

    it("names every unset variable once, workspaces and sinks (defaults included)", () => {
      expect(missing({ env: {} })).toEqual([
        "PROD_TOKEN",
        "GITHUB_TOKEN",
        "VAULT_ADDR",
        "ROLE_ID",
        "SECRET_ID",
        "OP_CONNECT_HOST",
        "OP_TOKEN",
        "VAULT_CRM_TOKEN",
        "STAGING_TOKEN",
        "VAULT_TOKEN",
      ]);
    });

    it("is satisfied by set variables, never printing their values", () => {
      const env = {
        PROD_TOKEN: ["tkm", "Pr0d".repeat(9)].join("_"),
        STAGING_TOKEN: "s",
        GITHUB_TOKEN: "g",
        VAULT_ADDR: "a",
        ROLE_ID: "r",
        SECRET_ID: "",
        OP_TOKEN: "o",
        OP_CONNECT_HOST: "h",
        VAULT_CRM_TOKEN: "v",
        VAULT_TOKEN: "t",
      };
      const result = validate(loaded, { requireEnv: true, env });
      expect(result.diagnostics.map((d) => d.message)).toEqual([
        'environment variable SECRET_ID is empty (the AppRole secret_id of the vault sink of key "crm")',
      ]);
      expect(JSON.stringify(result.diagnostics)).not.toContain(env.PROD_TOKEN);
    });

    it("can skip sink variables and limit the check to some workspaces", () => {
      expect(missing({ env: {}, requireSinkEnv: false })).toEqual(["PROD_TOKEN", "STAGING_TOKEN"]);
      expect(missing({ env: {}, requireSinkEnv: false, workspaces: ["acme-staging"] })).toEqual(["STAGING_TOKEN"]);
      expect(missing({ env: {}, workspaces: ["acme-staging"] })).toEqual([
        "STAGING_TOKEN",
        "GITHUB_TOKEN",
        "VAULT_ADDR",
        "VAULT_TOKEN",
      ]);
    });

    it("names two defaults a sink relies on in one message at that sink", () => {
      const result = validate(loaded, { requireEnv: true, env: {}, workspaces: ["acme-staging"] });
      expect(result.diagnostics.at(-1)).toMatchObject({
        path: "workspaces[1].keys[0].deliver[1]",
        message:
          "environment variables VAULT_ADDR (the Vault address), VAULT_TOKEN (the Vault token) are not set (for the " +
          'vault sink of key "ci")',
      });
    });

    it("points at the field naming the variable, or at the sink relying on a default", () => {
      const result = validate(loaded, { requireEnv: true, env: {} });
      const at = (variable: string) =>
        result.diagnostics.find((d) => d.message.includes(`variable ${variable} `))!.path;
      expect(at("PROD_TOKEN")).toBe("workspaces[0].tokenEnv");
      expect(at("GITHUB_TOKEN")).toBe("workspaces[0].keys[0].deliver[0]");
      expect(at("ROLE_ID")).toBe("workspaces[0].keys[0].deliver[1].auth.roleIdEnv");
      expect(at("OP_TOKEN")).toBe("workspaces[0].keys[0].deliver[2].tokenEnv");
      expect(at("VAULT_CRM_TOKEN")).toBe("workspaces[0].keys[0].deliver[3].auth.tokenEnv");
      expect(result.desired).toBeUndefined();
    });
  });

  it("validateFile turns load failures into diagnostics", async () => {
    const result = await validateFile(join(fixtures, "does-not-exist.yaml"));
    expect(result.desired).toBeUndefined();
    expect(result.loaded).toBeUndefined();
    expect(result.diagnostics.map((d) => d.rule)).toEqual(["file-unreadable"]);
  });
});

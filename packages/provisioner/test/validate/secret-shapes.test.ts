import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isScalar, visit, type Scalar } from "yaml";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { parseManifest } from "../../src/load.js";
import { validate } from "../../src/validate.js";
import { findSecret, quoteValue, redactSecrets, shannonEntropy } from "../../src/validate/secret-shapes.js";
import { fakeSecrets, pseudoRandom, urlWithPassword } from "../fixtures/manifests/fake-secrets.js";

const fixtures = join(import.meta.dirname, "../fixtures/manifests");
const examplePath = join(import.meta.dirname, "../../../../examples/timely-keys.yaml");

describe("secret shapes", () => {
  it.each([
    ["Timely API key", fakeSecrets.timelyKey],
    ["Timely management token", fakeSecrets.managementToken],
    ["GitHub token", fakeSecrets.githubToken],
    ["GitHub token", ["github", "pat", pseudoRandom(20, 30)].join("_")],
    ["GitHub token", ["ghs", pseudoRandom(21, 36)].join("_")],
    ["AWS access key id", fakeSecrets.awsAccessKeyId],
    ["AWS access key id", ["AS", "IA", pseudoRandom(22, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")].join("")],
    ["Vault token", fakeSecrets.vaultToken],
    ["Vault token", ["s", pseudoRandom(23, 24)].join(".")],
    ["JWT (such as a 1Password Connect token)", fakeSecrets.jwt],
    ["PEM private key", `-----BEGIN RSA ${["PRIVATE", "KEY-----"].join(" ")}\nMIIE...`],
    ["PEM private key", `-----BEGIN OPENSSH ${["PRIVATE", "KEY-----"].join(" ")}`],
    ["Slack token", fakeSecrets.slackToken],
    ["password in a URL", urlWithPassword],
    ["long high-entropy string", fakeSecrets.highEntropy],
    ["long random hex string", pseudoRandom(24, 40, "0123456789abcdef")],
    ["long high-entropy string", Buffer.from(pseudoRandom(25, 30)).toString("base64")],
  ])("recognises a %s", (kind, value) => {
    expect(findSecret(value)?.kind).toBe(kind);
    // ...also inside a longer text.
    expect(findSecret(`export TOKEN="${value}" # rotate me`)?.kind).toBe(kind);
  });

  it("finds token formats in safe fields too, but not the entropy heuristic", () => {
    expect(findSecret(fakeSecrets.timelyKey, { entropy: false })?.kind).toBe("Timely API key");
    expect(findSecret(fakeSecrets.highEntropy, { entropy: false })).toBeUndefined();
  });

  it.each([
    "Salesforce CRM Integration",
    "SalesforceCrmIntegrationProduction2024",
    "Syncs contacts and conversation history into Salesforce every 15 minutes.",
    "TIMELY_ACME_PRODUCTION_MANAGEMENT_TOKEN_FOR_CRM",
    "customer-relationship-management-sync-2024",
    "5b1e8a52-3c1d-4a7e-9f0b-2d6c4e8a1b3f",
    "kv/data/integrations/salesforceCrmProd2024",
    "/usr/local/bin/rotateSupportBotKey2024",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:support-bot-AbCdEf",
    "https://api.timelyai.com.br/v1/api-keys",
    "https://vault.acme.example:8200",
    "tml_short",
    "tml_a1B2...",
    "deadbeef",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "./secrets/salesforce-crm.production.env",
    "html_templates_directory_listing_v2",
  ])("leaves ordinary text alone: %s", (text) => {
    expect(findSecret(text)).toBeUndefined();
  });

  it("finds nothing in the example manifest or the good fixtures", () => {
    for (const file of [examplePath, join(fixtures, "good/full.yaml"), join(fixtures, "good/minimal.yaml")]) {
      const result = validate(parseManifest(readFileSync(file, "utf8"), file));
      expect(result.diagnostics.filter((d) => d.rule === "secret-in-manifest")).toEqual([]);
    }
  });

  it("computes Shannon entropy", () => {
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });

  it("redacts every shape and quotes values safely", () => {
    const text = `key ${fakeSecrets.timelyKey} and ${fakeSecrets.highEntropy} and ${urlWithPassword}`;
    const redacted = redactSecrets(text);
    for (const secret of [fakeSecrets.timelyKey, fakeSecrets.highEntropy, fakeSecrets.urlPassword])
      expect(redacted).not.toContain(secret);
    expect(redacted).toContain("key tml_*** and <redacted>");
    expect(redactSecrets("plain words stay")).toBe("plain words stay");

    expect(quoteValue("reed")).toBe('"reed"');
    expect(quoteValue(fakeSecrets.managementToken)).toBe("(a value that looks like a secret, not shown)");
    expect(quoteValue("x".repeat(100))).toBe(JSON.stringify(`${"x".repeat(60)}...`));
    expect([quoteValue(null), quoteValue([1]), quoteValue({}), quoteValue(5)]).toEqual([
      "null",
      "a list",
      "a mapping",
      "5",
    ]);
  });
});

describe("secret-in-manifest: a secret in any position", () => {
  const file = join(fixtures, "good/full.yaml");
  const text = readFileSync(file, "utf8");
  const scalars: Array<{ node: Scalar; isKey: boolean; field: string | undefined }> = [];
  visit(parseManifest(text, file).doc, {
    Pair(_, pair) {
      if (isScalar(pair.key)) scalars.push({ node: pair.key, isKey: true, field: undefined });
      if (isScalar(pair.value))
        scalars.push({ node: pair.value, isKey: false, field: String((pair.key as Scalar).value) });
    },
    Seq(_, seq) {
      for (const item of seq.items) if (isScalar(item)) scalars.push({ node: item, isKey: false, field: undefined });
    },
  });
  // Anchored or aliased nodes aside, every scalar has a plain source range.
  const cases = scalars
    .filter(({ node }) => node.range && !text.slice(node.range[0], node.range[1]).includes("*"))
    .map(({ node, isKey, field }) => ({ start: node.range![0], end: node.range![1], isKey, field }));

  it("covers every scalar of the full fixture", () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each([
    ["a Timely management token", fakeSecrets.managementToken, () => true],
    // The heuristic is not applied to ids, live key ids and paths (their values are constrained).
    [
      "a high-entropy string",
      fakeSecrets.highEntropy,
      (c: (typeof cases)[number]) => c.isKey || !["id", "adopt", "path"].includes(c.field ?? ""),
    ],
  ])("%s is found at every value and key, and never echoed", (_kind, secret, applies) => {
    let checked = 0;
    for (const c of cases.filter(applies)) {
      const changed = text.slice(0, c.start) + secret + text.slice(c.end);
      const loaded = parseManifest(changed, "m.yaml");
      const result = validate(loaded, { requireEnv: true, env: {} });
      const at = loaded.positionAtOffset(c.start);
      const found = result.diagnostics.find((d) => d.rule === "secret-in-manifest");
      expect(found, `secret at ${at.line}:${at.col}`).toMatchObject({ line: at.line, col: at.col, severity: "error" });
      expect(result.desired).toBeUndefined();
      const output = [...result.diagnostics.map(formatDiagnostic), JSON.stringify(result.diagnostics)].join("\n");
      expect(output).not.toContain(secret);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("finds a secret in a comment anywhere", () => {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i += 7) {
      const changed = [...lines.slice(0, i), `# ${fakeSecrets.timelyKey}`, ...lines.slice(i)].join("\n");
      const result = validate(parseManifest(changed, "m.yaml"));
      expect(result.diagnostics.find((d) => d.rule === "secret-in-manifest")).toMatchObject({ line: i + 1, col: 3 });
    }
  });

  it("cannot be turned off or lowered", () => {
    const changed = text.replace("write-without-expiry: warning", "secret-in-manifest: warning");
    const result = validate(parseManifest(`${changed}# ${fakeSecrets.githubToken}\n`, "m.yaml"));
    expect(result.diagnostics.map((d) => [d.severity, d.rule])).toContainEqual(["error", "secret-in-manifest"]);
    expect(result.diagnostics.map((d) => d.message)).toContainEqual(
      'rule "secret-in-manifest" is always an error and cannot be configured',
    );
  });
});

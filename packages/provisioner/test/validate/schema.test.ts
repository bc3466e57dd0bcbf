import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { generateManifestSchema, openApiPath, schemaPath, templatePath } from "../../scripts/generate-schema.js";
import { DURATION_PATTERN } from "../../src/validate/duration.js";
import { configurableRules } from "../../src/validate/rules.js";
import { manifestSchema, manifestScopes } from "../../src/validate/schema.js";

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "timely-keys-schema-"));
const openApi = parse(readFileSync(openApiPath, "utf8")) as { components: { schemas: Record<string, any> } };
const api = openApi.components.schemas;
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));

function generator(...args: string[]) {
  return run(process.execPath, ["--import", "tsx", "scripts/generate-schema.ts", ...args], { cwd: packageDir }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe("manifest JSON Schema", () => {
  it("is fresh: generating it again gives the committed file", async () => {
    expect(generateManifestSchema()).toBe(readFileSync(schemaPath, "utf8"));
    const out = join(scratch, "fresh.json");
    const { code } = await generator("--out", out);
    expect(code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(schemaPath, "utf8"));
    expect((await generator("--check")).code).toBe(0);
  });

  it("--check exits 1 with a clear message when the file is stale or missing", async () => {
    const stale = join(scratch, "stale.json");
    writeFileSync(stale, readFileSync(schemaPath, "utf8").replace('"analytics"', '"billing"'));
    const result = await generator("--check", "--out", stale);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stale.json is stale");
    expect(result.stderr).toContain("generate");
    const missing = await generator("--check", "--out", join(scratch, "missing.json"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("is missing");
  });

  it("takes scopes and limits from the OpenAPI document", () => {
    expect(schema.$defs.scope.enum).toEqual(api.Scope.enum);
    expect(manifestScopes).toEqual(api.Scope.enum);
    const key = schema.$defs.key.properties;
    expect([key.name.minLength, key.name.maxLength, key.name.pattern]).toEqual([
      api.KeyName.minLength,
      api.KeyName.maxLength,
      api.KeyName.pattern,
    ]);
    // Room is left for the marker timely-keys appends to the live key's description.
    expect(key.description.maxLength).toBe(api.KeyDescription.maxLength - 100);
    expect([key.expiresInDays.minimum, key.expiresInDays.maximum]).toEqual([
      api.ExpiresInDays.minimum,
      api.ExpiresInDays.maximum,
    ]);
    expect(key.expiresInDays.type).toEqual(["integer", "null"]);
    const maxExpires = schema.$defs.policy.properties.maxExpiresInDays;
    expect([maxExpires.minimum, maxExpires.maximum]).toEqual([api.ExpiresInDays.minimum, api.ExpiresInDays.maximum]);
  });

  it("never writes the API's values in the template", () => {
    const text = readFileSync(templatePath, "utf8");
    expect(text).not.toMatch(/"conversations"|"analytics"/);
    const template = JSON.parse(text);
    const key = template.$defs.key.properties;
    expect(template.$defs.scope.enum).toBeUndefined();
    expect([key.name.minLength, key.name.maxLength, key.description.maxLength]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect([key.expiresInDays.minimum, key.expiresInDays.maximum]).toEqual([undefined, undefined]);
  });

  it("follows the OpenAPI document when it changes", () => {
    const changed = structuredClone(openApi) as any;
    changed.components.schemas.Scope.enum.push("billing");
    changed.components.schemas.KeyName.maxLength = 80;
    const template = JSON.parse(readFileSync(templatePath, "utf8"));
    const generated = JSON.parse(generateManifestSchema(template, changed));
    expect(generated.$defs.scope.enum).toEqual([...api.Scope.enum, "billing"]);
    expect(generated.$defs.key.properties.name.maxLength).toBe(80);
    delete changed.components.schemas.ExpiresInDays;
    expect(() => generateManifestSchema(template, changed)).toThrow("components.schemas.ExpiresInDays");
  });

  it("lists exactly the configurable lint rules under policy.rules", () => {
    const rules = schema.$defs.policy.properties.rules;
    expect(Object.keys(rules.properties)).toEqual(Object.keys(configurableRules));
    expect(rules.additionalProperties).toBe(false);
    for (const [name, rule] of Object.entries(configurableRules))
      expect(rules.properties[name].default).toBe(rule.defaultSeverity);
  });

  it("uses the duration pattern the parser uses", () => {
    expect(schema.$defs.duration.pattern).toBe(DURATION_PATTERN);
  });

  it("is draft 2020-12, closes every object, and documents every property", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(manifestSchema).toEqual(schema);
    const problems: string[] = [];
    const walk = (node: any, where: string) => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${where}/${i}`);
        return;
      }
      if (!node || typeof node !== "object") return;
      const isObjectSchema = node.type === "object";
      // Unions (sinks, vault auth) are closed by their branches, a reference by its definition.
      if (isObjectSchema && !node.oneOf && !node.$ref && node.additionalProperties !== false)
        problems.push(`${where}: additionalProperties`);
      if (node.properties) {
        for (const [name, property] of Object.entries<any>(node.properties)) {
          if (where.endsWith("/rules")) continue;
          const target = property.$ref ? resolve(property.$ref) : {};
          if (!(property.title ?? target.title)) problems.push(`${where}/${name}: title`);
          if (!(property.description ?? target.description)) problems.push(`${where}/${name}: description`);
        }
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`);
    };
    const resolve = (ref: string) =>
      ref
        .replace("#/", "")
        .split("/")
        .reduce((n: any, k) => n[k], schema);
    walk(schema, "#");
    expect(problems).toEqual([]);
  });
});

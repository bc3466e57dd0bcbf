// What the CLI loads: `yaml` and js-yaml, a third of the bundle, only when a manifest needs them (it is
// outside the plain shape line-yaml.ts reads, or a finding needs a line:col), never for a plain one
// with nothing to report (yaml-parsers.ts in the provisioner). The bundle's chunks keep esbuild's
// comments naming each input file, which tell which chunk holds which package.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "timely-keys-cli-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const recorder = pathToFileURL(join(repoRoot, "test", "support", "record-loads.mjs")).href;
const distDir = join(repoRoot, "packages", "cli", "dist");

/** Runs `validate -f <manifest>`; returns the run and which YAML packages the files it loaded hold. */
async function validateLoading(name: string, manifest: string) {
  const file = join(dir, name);
  writeFileSync(file, manifest);
  const log = join(dir, `${name}.loaded`);
  writeFileSync(log, "");
  const run = await runCli(["validate", "-f", file], {
    env: { NODE_OPTIONS: `--import ${recorder}`, TIMELY_TEST_LOADED_MODULES: log },
  });
  const bundleFiles = readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .map((url) => fileURLToPath(url))
    .filter((path) => path.startsWith(distDir));
  const code = bundleFiles.map((path) => readFileSync(path, "utf8")).join("\n");
  return {
    run,
    bundleFiles,
    yaml: /\/node_modules\/yaml\//.test(code),
    jsYaml: /\/node_modules\/js-yaml\//.test(code),
  };
}

const plain = `version: 1
workspaces:
  - name: prod
    tokenEnv: TIMELY_PROD_TOKEN
    keys:
      - id: crm
        name: CRM
        scopes: [read]
        deliver:
          - type: file
            path: ./crm.env
            format: dotenv
            variable: TIMELY_API_KEY
`;

describe("the CLI's start graph", () => {
  it("validate of a plain manifest with nothing to report loads neither yaml nor js-yaml", async () => {
    const loaded = await validateLoading("plain.yaml", plain);
    expect(loaded.run.stderr).toBe("");
    expect(loaded.run.code).toBe(0);
    // The recorder saw the bundle (else the test would prove nothing).
    expect(loaded.bundleFiles.length).toBeGreaterThan(1);
    expect({ yaml: loaded.yaml, jsYaml: loaded.jsYaml }).toEqual({ yaml: false, jsYaml: false });
  });

  it("a finding loads yaml for its line:col", async () => {
    const loaded = await validateLoading("finding.yaml", plain.replace("[read]", "[reed]"));
    expect(loaded.run.code).toBe(1);
    expect(loaded.run.stderr).toContain("finding.yaml:8:18: error[unknown-scope]");
    expect(loaded.yaml).toBe(true);
  });

  it("a manifest outside line-yaml.ts's shape loads js-yaml, and yaml only when js-yaml gives up", async () => {
    // A quoted key: line-yaml.ts reads only plain ones.
    const quoted = await validateLoading("quoted.yaml", plain.replace("name: CRM", "'name': CRM"));
    expect(quoted.run.stderr).toBe("");
    expect(quoted.run.code).toBe(0);
    expect({ yaml: quoted.yaml, jsYaml: quoted.jsYaml }).toEqual({ yaml: false, jsYaml: true });

    const anchored = await validateLoading("anchored.yaml", plain.replace("scopes: [read]", "scopes: &s [read]"));
    expect(anchored.run.stderr).toBe("");
    expect(anchored.run.code).toBe(0);
    expect({ yaml: anchored.yaml, jsYaml: anchored.jsYaml }).toEqual({ yaml: true, jsYaml: true });
  });
});

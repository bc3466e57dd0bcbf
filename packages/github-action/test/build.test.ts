// dist/index.js is what the runner runs: it must be exactly what src/ builds to, one file, importing
// nothing but Node's built-ins (the runner installs no node_modules for an action).
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const packageDir = join(import.meta.dirname, "..");
const buildScript = join(packageDir, "scripts", "build.mjs");
const dist = join(packageDir, "dist");

describe("dist/", () => {
  it("is up to date with src/ (the check the test command runs)", () => {
    const out = execFileSync(process.execPath, [buildScript, "--check"], { cwd: packageDir, encoding: "utf8" });
    expect(out).toContain("dist is up to date.");
  }, 120_000);

  it("--check fails with a clear message when dist/ is stale", () => {
    const copy = mkdtempSync(join(tmpdir(), "timely-keys-dist-"));
    try {
      cpSync(dist, copy, { recursive: true });
      appendFileSync(join(copy, "index.js"), "\n// edited by hand\n");
      const run = spawnSync(process.execPath, [buildScript, "--check", "--dist", copy], { cwd: packageDir, encoding: "utf8" });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("is stale (index.js differ from a fresh build of src/)");
      expect(run.stderr).toContain("Run `node scripts/build.mjs` in packages/github-action and commit dist/.");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);

  it("is one file, matching action.yml's main, that imports only Node built-ins", async () => {
    expect(readdirSync(dist)).toEqual(["index.js"]);
    expect(readFileSync(join(packageDir, "action.yml"), "utf8")).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/index\.js/);
    // esbuild parses the bundle and reports every import, dynamic import and require() call in it.
    const found: Array<{ path: string; kind: string }> = [];
    await build({
      entryPoints: [join(dist, "index.js")],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      logLevel: "silent",
      plugins: [
        {
          name: "record-imports",
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === "entry-point") return undefined;
              found.push({ path: args.path, kind: args.kind });
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect(found.filter((f) => f.kind === "import-statement").map((f) => f.path)).toContain("node:module");
    expect(found.filter((f) => !builtins.has(f.path))).toEqual([]);
    const code = readFileSync(join(dist, "index.js"), "utf8");
    // The sinks' lazily imported SDKs are inside, not left as imports to resolve at run time.
    expect(code).toContain("PutSecretValue");
    expect(code).toContain("crypto_box_seal");
  });
});

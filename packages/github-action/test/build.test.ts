// dist/index.js is what the runner runs: it must be exactly what src/ builds to, importing nothing
// but Node's built-ins and its own chunks in dist/chunks/ (the runner installs no node_modules for
// an action), with the sinks' SDKs left to chunks that only a delivery loads.
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { SUMMARY_FS_PROMISES } from "../scripts/actions-core-builtins.mjs";
import { manyKeysManifest } from "./support/fixtures.js";
import { ensureNode24 } from "./support/run-action.js";

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
      const run = spawnSync(process.execPath, [buildScript, "--check", "--dist", copy], {
        cwd: packageDir,
        encoding: "utf8",
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("is stale (index.js differ from a fresh build of src/)");
      expect(run.stderr).toContain("Run `node scripts/build.mjs` in packages/github-action and commit dist/.");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);

  it("is dist/index.js (action.yml's main) and its chunks, importing only Node built-ins and each other", async () => {
    expect(readFileSync(join(packageDir, "action.yml"), "utf8")).toMatch(
      /runs:\n {2}using: node24\n {2}main: dist\/index\.js/,
    );
    const files = readdirSync(dist, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dist, join(e.parentPath, e.name)))
      .sort();
    expect(files).toContain("index.js");
    expect(files.filter((f) => f !== "index.js").every((f) => /^chunks\/[\w-]+\.js$/.test(f))).toBe(true);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const importsOf = new Map<string, Array<{ path: string; kind: string }>>();
    for (const file of files) importsOf.set(file, await importsIn(join(dist, file)));
    // Every import is a built-in or a file of dist/; every chunk is reachable from index.js.
    const reached = new Set<string>(["index.js"]);
    const queue = ["index.js"];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      for (const imported of importsOf.get(file) ?? []) {
        if (builtins.has(imported.path)) continue;
        expect(imported.path, `${file} imports ${imported.path}`).toMatch(/^\.\.?\//);
        const target = relative(dist, resolve(dirname(join(dist, file)), imported.path));
        expect(existsSync(join(dist, target)), `${file} imports ${imported.path}, which dist/ lacks`).toBe(true);
        if (!reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    expect([...reached].sort()).toEqual(files);
    // Each file defines the require() its CommonJS dependencies call, made on the first call: a step that
    // stops at its inputs does not load node:module.
    for (const file of files) {
      expect(readFileSync(join(dist, file), "utf8").split("\n")[1]).toContain(
        'process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)',
      );
    }
    const staticImports = (importsOf.get("index.js") ?? []).filter((f) => f.kind === "import-statement");
    expect(staticImports.map((f) => f.path)).not.toContain("node:module");
  });

  it("keeps the sinks' SDKs out of index.js, in chunks it imports only when delivering, and undici out", () => {
    const index = readFileSync(join(dist, "index.js"), "utf8");
    const chunks = readdirSync(join(dist, "chunks")).map((f) => readFileSync(join(dist, "chunks", f), "utf8"));
    // Strings of the SDKs' own code (the sinks that call them name their commands too).
    for (const marker of ["AWS4-HMAC-SHA256", "sodium_init"]) {
      expect(index).not.toContain(marker);
      expect(chunks.some((c) => c.includes(marker))).toBe(true);
    }
    // Static imports of index.js: only the bundler's shared runtime helpers, never an SDK chunk.
    const staticChunks = [...index.matchAll(/from"(\.\/chunks\/[^"]+)"/g)].map((m) => m[1] as string);
    for (const chunk of staticChunks) {
      const text = readFileSync(join(dist, chunk), "utf8");
      expect(text).not.toContain("AWS4-HMAC-SHA256");
      expect(text).not.toContain("sodium_init");
    }
    // @actions/http-client's undici (only for getIDToken, never called) is not bundled.
    expect([index, ...chunks].some((c) => c.includes("llhttp"))).toBe(false);
  });

  it("starts without the YAML parser, the validator or the sinks' SDKs: those load after the inputs", () => {
    const out = mkdtempSync(join(tmpdir(), "timely-keys-dist-meta-"));
    try {
      const metafile = join(out, "meta.json");
      execFileSync(process.execPath, [buildScript, "--dist", join(out, "dist"), "--metafile", metafile], {
        cwd: packageDir,
      });
      const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
      const outputOf = (entryPoint: string) => {
        const found = Object.entries(meta.outputs).find(([, output]) => output.entryPoint === entryPoint);
        expect(found, `an output for ${entryPoint}`).toBeDefined();
        return (found as [string, MetafileOutput])[0];
      };
      // What node loads before run() reads the inputs: dist/index.js and what it imports statically.
      const startFiles = staticClosure(meta, outputOf("src/index.ts"));
      const startInputs = [...startFiles].flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));
      expect(startInputs).toContain("src/main.ts");
      expect(startInputs).toContain("src/inputs.ts");
      const heavy = new RegExp(
        "node_modules/(yaml|js-yaml|ajv|ajv-formats|@aws-sdk|@smithy|libsodium-wrappers|libsodium|" +
          "@actions/http-client|@actions/exec|@actions/io|undici|tunnel)/|provisioner/",
      );
      // Of the provisioner, only its error model (`@timely-keys/provisioner/errors`): inputs.ts throws
      // its UsageError, and it imports nothing of the pipeline.
      const provisionerErrors = /provisioner\/src\/errors\.ts$/;
      expect(startInputs.filter((input) => heavy.test(input) && !provisionerErrors.test(input))).toEqual([]);
      // The pipeline main.ts imports once the inputs are read holds them (so the check above can fail).
      const pipeline = outputOf("src/pipeline.ts");
      const entry = outputOf("src/index.ts");
      expect(meta.outputs[entry]?.imports).toContainEqual({ path: pipeline, kind: "dynamic-import" });
      const pipelineInputs = [...staticClosure(meta, pipeline)].flatMap((file) =>
        Object.keys(meta.outputs[file]?.inputs ?? {}),
      );
      for (const expected of [/node_modules\/yaml\//, /node_modules\/ajv-formats\//, /provisioner\/src\/validate\//]) {
        expect(
          pipelineInputs.some((input) => expected.test(input)),
          `pipeline holds ${expected}`,
        ).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the start of dist/index.js under Node 24", () => {
  // Node's own modules a step loads before it has read its inputs: a step that stops at a bad input
  // loads none of these (see scripts/actions-core-builtins.mjs); the manifest's pipeline, the
  // outputs and the job summary load them once they are needed.
  const notAtStart = [
    "module",
    "crypto",
    "fs/promises",
    "internal/fs/promises",
    "readline",
    "internal/readline/interface",
    "http",
    "https",
    "tls",
    "http2",
    "zlib",
    "child_process",
  ];

  /** The built-ins Node has loaded when dist/index.js exits (process.moduleLoadList, from a preload). */
  function startRun(inputs: Record<string, string>, files: Record<string, string> = {}, runnerTemp = false) {
    const dir = mkdtempSync(join(tmpdir(), "timely-keys-start-"));
    try {
      const recorder = join(dir, "record-modules.cjs");
      const modules = join(dir, "modules.txt");
      writeFileSync(
        recorder,
        'process.on("exit", () => require("node:fs").writeFileSync(process.env.MODULES_FILE, ' +
          'process.moduleLoadList.join("\\n")));\n',
      );
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      writeFileSync(join(dir, "output"), "");
      writeFileSync(join(dir, "summary.md"), "");
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GITHUB_WORKSPACE: dir,
        GITHUB_OUTPUT: join(dir, "output"),
        GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
        MODULES_FILE: modules,
        ...(runnerTemp ? { RUNNER_TEMP: dir } : {}),
      };
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
      const run = spawnSync(ensureNode24(), ["--require", recorder, join(dist, "index.js")], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      const loaded = readFileSync(modules, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("NativeModule "))
        .map((line) => line.slice("NativeModule ".length));
      const cache = join(dir, "timely-keys-compile-cache");
      const cached = existsSync(cache) ? readdirSync(cache, { recursive: true }).length : 0;
      return { ...run, loaded, cached, output: readFileSync(join(dir, "output"), "utf8") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("stops at a bad input without loading node:crypto, node:fs/promises, node:module, HTTP or TLS", () => {
    const run = startRun({ command: "none" });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::input command: "none" is not a command');
    expect(run.loaded).toContain("os");
    expect(run.loaded.filter((name) => notAtStart.includes(name))).toEqual([]);
  }, 60_000);

  it("loads node:crypto once it writes an output (its random delimiter), with the pipeline", () => {
    const run = startRun({ command: "matrix" }, { "timely-keys.yaml": manyKeysManifest(1) });
    expect(run.status, run.stdout).toBe(0);
    expect(run.output).toMatch(/^matrix<<ghadelimiter_[0-9a-f-]{36}\n/);
    expect(run.loaded).toContain("crypto");
    expect(run.loaded).toContain("fs/promises");
    expect(run.cached).toBe(0);
  }, 60_000);

  it("on a runner (RUNNER_TEMP), loads node:module to keep the compile cache there", () => {
    const run = startRun({ command: "matrix" }, { "timely-keys.yaml": manyKeysManifest(1) }, true);
    expect(run.status, run.stdout).toBe(0);
    expect(run.loaded).toContain("module");
    expect(run.cached).toBeGreaterThan(0);
  }, 60_000);

  it("binds the fs.promises functions @actions/core's summary takes as it loads (and no others)", () => {
    const summaryJs = readFileSync(join(packageDir, "node_modules", "@actions", "core", "lib", "summary.js"), "utf8");
    const taken = [...summaryJs.matchAll(/const \{([^}]*)\} = promises;/g)].flatMap((m) =>
      (m[1] as string).split(",").map((name) => name.trim()),
    );
    expect(taken.sort()).toEqual([...SUMMARY_FS_PROMISES].sort());
    // Only that destructuring uses fs.promises, so nothing else needs a stand-in.
    expect(summaryJs.match(/\bpromises\b/g)).toHaveLength(2);
  });
});

interface MetafileOutput {
  entryPoint?: string;
  inputs: Record<string, unknown>;
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}
interface Metafile {
  outputs: Record<string, MetafileOutput>;
}

/** `file` and the output files it imports with import statements, transitively (what node links before it runs). */
function staticClosure(meta: Metafile, file: string): Set<string> {
  const reached = new Set([file]);
  const queue = [file];
  while (queue.length > 0) {
    for (const imported of meta.outputs[queue.shift() as string]?.imports ?? []) {
      if (imported.external || imported.kind !== "import-statement" || reached.has(imported.path)) continue;
      reached.add(imported.path);
      queue.push(imported.path);
    }
  }
  return reached;
}

/** Every import, dynamic import and require() of a built file, as esbuild parses them. */
async function importsIn(file: string): Promise<Array<{ path: string; kind: string }>> {
  const found: Array<{ path: string; kind: string }> = [];
  await build({
    entryPoints: [file],
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
  return found;
}

// Bundles src/index.ts into dist/index.js, the file the runner starts (committed: a JavaScript
// action runs from the repository as it is, with no install step). Everything a plan, apply or
// check needs is in that one file; the delivery sinks' SDKs (@aws-sdk, libsodium-wrappers), which
// the provisioner imports lazily with import(), land in dist/chunks/ and are compiled only by a
// job that delivers to them, so a job's start-up does not pay for 1 MB it never runs
// (bench/RESULTS.md, cold-start). The same split the actions' usual bundler, ncc, makes.
//
//   node scripts/build.mjs           build dist/
//   node scripts/build.mjs --check   build into a temporary folder and exit 1 when dist/ differs
//   (--dist DIR builds into or compares against DIR instead of dist/: the tests use it on a copy;
//   --metafile FILE also writes esbuild's metafile, which inputs each output file holds, to FILE)
import { build } from "esbuild";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { actionsCoreBuiltins } from "./actions-core-builtins.mjs";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const distArg = args.indexOf("--dist");
const distDir = distArg >= 0 && args[distArg + 1] ? resolve(args[distArg + 1]) : join(packageDir, "dist");
const metafileArg = args.indexOf("--metafile");
const metafilePath = metafileArg >= 0 && args[metafileArg + 1] ? resolve(args[metafileArg + 1]) : undefined;

// Left out of the bundle: @actions/core imports @actions/http-client (and the 400 KB of undici under
// it) only for getIDToken(), and @actions/exec (with @actions/io) only for platform.getDetails(); the
// Action calls neither. Marked free of side effects, a package is bundled only as far as code that
// runs uses it, so a call added later still brings it in.
const unusedImports = {
  name: "drop-unused-actions-packages",
  setup(b) {
    b.onResolve({ filter: /^@actions\/(http-client|exec)$/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      const { path, errors } = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      return errors.length > 0 ? { errors } : { path, sideEffects: false };
    });
  },
};

/** The same inputs give the same bytes: no timestamps, no absolute paths, no source maps. */
async function bundle(outdir) {
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: [join(packageDir, "src", "index.ts")],
    outdir,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    plugins: [unusedImports, actionsCoreBuiltins],
    // Imported lazily by code the Action never reaches (tree-shaken), which esbuild would still emit
    // as a chunk: the AWS SDK's browser-only user-agent parser.
    external: ["bowser"],
    // The workspace libraries are bundled from their TypeScript sources, not their built dist/.
    conditions: ["@timely-keys/source"],
    // Packages' ES module builds first (the AWS SDK ships both): a lazily imported CommonJS module
    // in a chunk only has a default export, so `await import()` would lose its named exports.
    mainFields: ["module", "main"],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    minify: true,
    // License texts of the inlined packages stay with the code, in one block at the end.
    legalComments: "eof",
    sourcemap: false,
    charset: "utf8",
    logLevel: "warning",
    // A stand-in of actions-core-builtins.mjs that lacks what @actions/core uses fails the build.
    logOverride: { "import-is-undefined": "error" },
    metafile: metafilePath !== undefined,
    // Bundled CommonJS dependencies call require() for Node built-ins (e.g. require("net")). It is
    // made on its first call, not as a file loads: a step that stops at its inputs calls none, and
    // node:module (with Node's source map support) is then not loaded.
    banner: {
      js:
        "// Built by packages/github-action/scripts/build.mjs from src/; do not edit.\n" +
        "let requireHere; const require = (id) => " +
        '(requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);',
    },
  });
  if (metafilePath !== undefined) writeFileSync(metafilePath, JSON.stringify(result.metafile, null, 2));
}

function shown(dir) {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith("..") ? rel : dir;
}

function filesOf(dir) {
  if (!existsSync(dir)) return new Map();
  const names = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
  return new Map(names.map((name) => [name, readFileSync(join(dir, name))]));
}

if (!check) {
  rmSync(distDir, { recursive: true, force: true });
  await bundle(distDir);
} else {
  const scratch = mkdtempSync(join(tmpdir(), "timely-keys-action-build-"));
  try {
    await bundle(scratch);
    const fresh = filesOf(scratch);
    const committed = filesOf(distDir);
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter((name) => {
      const a = fresh.get(name);
      const b = committed.get(name);
      return a === undefined || b === undefined || !a.equals(b);
    });
    if (stale.length > 0) {
      console.error(
        `${shown(distDir)} is stale (${stale.join(", ")} differ from a fresh build of src/).\n` +
          "Run `node scripts/build.mjs` in packages/github-action and commit dist/.",
      );
      process.exit(1);
    }
    console.log(`${shown(distDir)} is up to date.`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Bundles src/index.ts into the one file the runner starts, dist/index.js (committed: a JavaScript
// action runs from the repository as it is, with no install step). Everything is inlined, the
// delivery sinks' lazily imported SDKs (@aws-sdk, libsodium-wrappers) included: without code
// splitting esbuild turns their dynamic import() into a call into the same file.
//
//   node scripts/build.mjs           build dist/
//   node scripts/build.mjs --check   build into a temporary folder and exit 1 when dist/ differs
//   (--dist DIR compares against DIR instead of dist/: the tests use it on a copy)
import { build } from "esbuild";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const distArg = args.indexOf("--dist");
const distDir = distArg >= 0 && args[distArg + 1] ? resolve(args[distArg + 1]) : join(packageDir, "dist");

/** The same inputs give the same bytes: no timestamps, no absolute paths, no source maps. */
async function bundle(outdir) {
  await build({
    absWorkingDir: packageDir,
    entryPoints: [join(packageDir, "src", "index.ts")],
    outfile: join(outdir, "index.js"),
    bundle: true,
    splitting: false,
    format: "esm",
    platform: "node",
    target: "node24",
    minify: true,
    // License texts of the inlined packages stay with the code, in one block at the end.
    legalComments: "eof",
    sourcemap: false,
    charset: "utf8",
    logLevel: "warning",
    // Some bundled CommonJS dependencies call require() for Node built-ins (e.g. require("net")).
    banner: {
      js: "// Built by packages/github-action/scripts/build.mjs from src/; do not edit.\nimport { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
}

function shown(dir) {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith("..") ? rel : dir;
}

function filesOf(dir) {
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name))]));
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

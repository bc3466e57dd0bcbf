// Builds what the packages publish. Runs on `pnpm install` (prepare) and `pnpm build`.
//
//   node scripts/build.mjs                 every package: the libraries with tsc, then the CLI bundle
//   node scripts/build.mjs --if-stale      a library only when a file of its src/ (or of a library it
//                                          depends on) is newer than its dist/; the CLI bundle always
//   node scripts/build.mjs --only cli      some packages (comma-separated: contract, sdk, emulator,
//                                          provisioner, cli) and the libraries they depend on
//   node scripts/build.mjs --only emulator,cli --if-stale   (the test setup: what the CLI runs in tests)
//
// The libraries (contract, sdk, emulator, provisioner) are compiled by tsc to dist/ (ESM, .d.ts, source
// maps) in dependency order, each against the others' built dist/, as a consumer sees them. Inside the
// repository, tests and typecheck read the TypeScript sources instead (the "@timely-keys/source" export
// condition, which `publishConfig.exports` leaves out of the published package.json).
//
// The `timely-keys` CLI (packages/cli) is one esbuild bundle of the provisioner and SDK sources with their
// dependencies inlined, so it starts without resolving hundreds of files; commands load lazily (code
// splitting), so `--version` reads almost nothing. Left out of the bundle, and depended on by the CLI
// package instead: the emulator (loaded only by `timely-keys emulator`) and the heavy SDKs that delivery
// sinks load on first use.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const ifStale = args.includes("--if-stale");
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? "").split(",") : undefined;

/** Libraries in dependency order, with the workspace libraries each one imports. */
const libraries = [
  { name: "contract", dependsOn: [] },
  { name: "sdk", dependsOn: ["contract"] },
  { name: "emulator", dependsOn: ["contract"] },
  { name: "provisioner", dependsOn: ["sdk", "contract"] },
];
const packages = [...libraries.map((library) => library.name), "cli"];
const unknown = only?.find((name) => !packages.includes(name));
if (unknown !== undefined) {
  console.error(`build: unknown package '${unknown}' (one of ${packages.join(", ")})`);
  process.exit(1);
}

const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");

function packageDir(name) {
  return join(root, "packages", name);
}

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function inputsMtime(name) {
  const dir = packageDir(name);
  return Math.max(
    newestMtime(join(dir, "src")),
    statSync(join(dir, "package.json")).mtimeMs,
    statSync(join(dir, "tsconfig.build.json")).mtimeMs,
  );
}

function buildLibrary(name) {
  const dir = packageDir(name);
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")], { cwd: dir, stdio: "inherit" });
  if (name === "provisioner") {
    execFileSync(process.execPath, [join(dir, "scripts", "copy-generated.mjs")], { stdio: "inherit" });
  }
}

/** The libraries to build: those of `only` and what they depend on (or all), in dependency order. */
function wanted() {
  if (only === undefined) return libraries;
  const names = new Set();
  const add = (name) => {
    const library = libraries.find((l) => l.name === name);
    if (!library || names.has(name)) return;
    library.dependsOn.forEach(add);
    names.add(name);
  };
  only.forEach(add);
  return libraries.filter((library) => names.has(library.name));
}

const rebuilt = new Set();
for (const library of wanted()) {
  const distIndex = join(packageDir(library.name), "dist", "index.js");
  const stale =
    !ifStale ||
    !existsSync(distIndex) ||
    library.dependsOn.some((name) => rebuilt.has(name)) ||
    inputsMtime(library.name) > statSync(distIndex).mtimeMs;
  if (!stale) continue;
  buildLibrary(library.name);
  rebuilt.add(library.name);
  if (ifStale)
    console.log(`build: rebuilt packages/${library.name}/dist (its sources or a library it depends on changed)`);
}

if (only === undefined || only.includes("cli")) {
  const cliDir = packageDir("cli");
  rmSync(join(cliDir, "dist"), { recursive: true, force: true });
  await build({
    entryPoints: { cli: join(cliDir, "src", "main.ts") },
    outdir: join(cliDir, "dist"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The workspace libraries are bundled from their TypeScript sources (the same code tsc compiles).
    conditions: ["@timely-keys/source"],
    sourcemap: false,
    logLevel: "warning",
    external: ["@timely-keys/emulator", "@aws-sdk/*", "libsodium-wrappers"],
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js:
        "// Built by scripts/build.mjs from the workspace's src/; do not edit.\n" +
        "import { createRequire as __createRequire } from 'node:module';\n" +
        "const require = __createRequire(import.meta.url);",
    },
  });
}

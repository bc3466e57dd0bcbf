// Bundles the command-line entry points (TypeScript sources of the workspace) into plain ESM under
// each package's dist/, so `timely-keys` and `timely-keys-emulator` start on bare Node without a TS
// loader. Dependencies are inlined (pnpm's strict layout would not resolve a workspace package's
// own dependencies from another package's dist/), except the heavy ones the delivery sinks load on
// first use, which the provisioner depends on directly. Commands load lazily (code splitting), so
// `--version` reads almost nothing. Runs on `pnpm install` (prepare) and `pnpm build`.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const external = ["@aws-sdk/*", "libsodium-wrappers"];

const targets = [
  { pkg: "provisioner", entry: "src/cli-main.ts" },
  { pkg: "emulator", entry: "src/cli-main.ts" },
];

for (const { pkg, entry } of targets) {
  const entryPath = join(root, "packages", pkg, entry);
  if (!existsSync(entryPath)) continue;
  await build({
    entryPoints: { cli: entryPath },
    outdir: join(root, "packages", pkg, "dist"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: false,
    logLevel: "warning",
    external,
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "// Built by scripts/build.mjs from the package's src/; do not edit.\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

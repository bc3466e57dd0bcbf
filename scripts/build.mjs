// Bundles the command-line entry points (TypeScript sources of the workspace) into plain ESM under
// each package's dist/, so `timely-keys` and `timely-keys-emulator` start on bare Node without a TS
// loader. npm dependencies stay external (resolved from node_modules at run time); only the
// workspace's own packages are inlined. Runs on `pnpm install` (prepare) and `pnpm build`.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const inlineWorkspace = {
  name: "inline-workspace-only",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@timely-keys/") || args.path.startsWith("node:")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

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
    plugins: [inlineWorkspace],
    banner: { js: "// Built by scripts/build.mjs from the package's src/; do not edit." },
  });
}

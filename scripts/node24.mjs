// Runs a command of this workspace under Node 24, the runtime GitHub gives JavaScript actions.
// The binary comes from the npm `node` package, installed once into .tools/node24 (git-ignored).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".tools", "node24");
const node24 = join(prefix, "node_modules", "node", "bin", "node");

if (!existsSync(node24)) {
  const install = spawnSync("npm", ["i", "--no-save", "--prefix", prefix, "node@24"], { stdio: "inherit" });
  if (install.status !== 0 || !existsSync(node24)) {
    console.error("error: could not install node@24 from the npm registry into .tools/node24");
    process.exit(1);
  }
}

const [tool, ...args] = process.argv.slice(2);
if (!tool) {
  console.error("usage: node scripts/node24.mjs <vitest|node> [args...]");
  process.exit(1);
}
const entry =
  tool === "node" ? args : [join(root, "node_modules", tool, tool === "vitest" ? "vitest.mjs" : "index.js"), ...args];
const run = spawnSync(node24, entry, { stdio: "inherit", cwd: root });
process.exit(run.status ?? 1);

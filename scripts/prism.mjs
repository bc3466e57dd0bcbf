// Installs Stoplight Prism (an independent OpenAPI validator) into .tools/prism once. Prism 5.16
// declares Node >= 24.18, so it runs on the Node 24 binary that scripts/node24.mjs installs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const prismEntry = join(root, ".tools", "prism", "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
export const node24 = join(root, ".tools", "node24", "node_modules", "node", "bin", "node");

export function ensurePrism() {
  if (!existsSync(node24)) {
    const r = spawnSync(process.execPath, [join(root, "scripts", "node24.mjs"), "node", "-e", "0"], {
      stdio: "inherit",
    });
    if (r.status !== 0) throw new Error("could not install node@24");
  }
  if (!existsSync(prismEntry)) {
    const r = spawnSync(
      "npm",
      ["i", "--no-save", "--prefix", join(root, ".tools", "prism"), "@stoplight/prism-cli@5.16"],
      { stdio: "inherit" },
    );
    if (r.status !== 0 || !existsSync(prismEntry))
      throw new Error("could not install @stoplight/prism-cli@5.16 from the npm registry");
  }
  return { node24, prismEntry };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensurePrism();

// tsc compiles src/ to dist/ but does not copy the ahead-of-time compiled validator (CommonJS, made by
// generate-validator.ts): copy it next to the dist/validate/schema.js that imports it.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(packageDir, "src", "validate", "generated");
const to = join(packageDir, "dist", "validate", "generated");
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));

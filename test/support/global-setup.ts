// Builds the CLI bundles once before the suite: end-to-end tests run `timely-keys` exactly as users do.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, "..", "..", "scripts", "build.mjs")], { stdio: "inherit" });
}

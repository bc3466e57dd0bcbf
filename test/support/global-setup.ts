// Before the suite: bundles the `timely-keys` CLI from the current sources (end-to-end tests run it exactly
// as users do) and rebuilds the emulator's dist/ when its sources changed (`timely-keys emulator` loads the
// emulator package, as installed users' CLI does).
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  const build = join(import.meta.dirname, "..", "..", "scripts", "build.mjs");
  execFileSync(process.execPath, [build, "--only", "emulator,cli", "--if-stale"], { stdio: "inherit" });
}

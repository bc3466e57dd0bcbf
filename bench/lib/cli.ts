// Where the built entry points are, and building them once per run.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mustRun, childEnv } from "./spawn.js";

export function cliPath(root: string): string {
  return join(root, "packages", "cli", "bin", "timely-keys.js");
}

export function emulatorBinPath(root: string): string {
  return join(root, "packages", "emulator", "bin", "timely-keys-emulator.js");
}

export function actionBundlePath(root: string): string {
  return join(root, "packages", "github-action", "dist", "index.js");
}

let built: Promise<void> | undefined;

/** `node scripts/build.mjs` from the root, once: the CLI and emulator bundles the benchmarks spawn. */
export function ensureBuilt(root: string): Promise<void> {
  built ??= (async () => {
    await mustRun(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, env: childEnv() });
    for (const path of [cliPath(root), join(root, "packages", "cli", "dist", "cli.js")]) {
      if (!existsSync(path)) throw new Error(`the build did not produce ${path}`);
    }
  })();
  return built;
}

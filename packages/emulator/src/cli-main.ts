// Entry point of the `timely-keys-emulator` bin, bundled to dist/cli.js by scripts/build.mjs. The
// bin imports it and calls runEmulatorCli; run directly (node dist/cli.js, or
// node --import tsx src/cli-main.ts) it starts the CLI itself.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runEmulatorCli } from "./cli.js";

export { runEmulatorCli };

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runEmulatorCli(process.argv.slice(2));
}

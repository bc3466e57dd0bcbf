// Runs the emulator CLI when started directly (node dist/cli-main.js, or
// node --import tsx src/cli-main.ts); the `timely-keys-emulator` bin calls runEmulatorCli from dist/cli.js.
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

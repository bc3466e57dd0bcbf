#!/usr/bin/env node
// Launcher of the emulator CLI. dist/cli.js is compiled from src/cli.ts by tsc (scripts/build.mjs,
// run on `pnpm install` and `pnpm build`).
let cli;
try {
  cli = await import("../dist/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli.js")) throw error;
  process.stderr.write("timely-keys-emulator: dist/cli.js is missing; run `pnpm build` first\n");
  process.exit(1);
}
process.exitCode = await cli.runEmulatorCli(process.argv.slice(2));

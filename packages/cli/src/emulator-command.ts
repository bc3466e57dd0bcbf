import { HELP, type CliIO } from "@timely-keys/provisioner/cli";

/** `timely-keys emulator` is `timely-keys-emulator`: the emulator package owns its flags. */
export async function emulatorCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(`${HELP.emulator}\n`);
    return 0;
  }
  const { runEmulatorCli } = await import("@timely-keys/emulator");
  return runEmulatorCli(argv);
}

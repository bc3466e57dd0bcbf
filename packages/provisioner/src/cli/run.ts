// The CLI's dispatcher: one command per module, one line per error (describeError), exit 0 / 1 / 2.
import { guardTerminalOutput, sanitize } from "@timely-keys/sdk";
import { describeError, ManifestError, UsageError } from "../errors.js";
import { HELP } from "./help.js";
import { checkCommand } from "./commands/check.js";
import { reportCommand } from "./commands/report.js";
import type { CliIO, Output } from "./io.js";
import { applyCommand, rollbackCommand } from "./commands/apply.js";
import { importCommand } from "./commands/import.js";
import { initCommand } from "./commands/init.js";
import { planCommand } from "./commands/plan.js";
import { rotateCommand } from "./commands/rotate.js";
import { usageCommand } from "./commands/usage.js";
import { validateCommand } from "./commands/validate.js";
import { workspacesCommand } from "./commands/workspaces.js";

const COMMANDS: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
  validate: validateCommand,
  plan: planCommand,
  apply: applyCommand,
  rotate: rotateCommand,
  rollback: rollbackCommand,
  init: initCommand,
  import: importCommand,
  usage: usageCommand,
  workspaces: workspacesCommand,
  check: checkCommand,
  report: reportCommand,
};

export type { CliIO } from "./io.js";

/** One command of the CLI: its arguments after the command name in, the exit code out. */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;

/** `extraCommands` are commands this package cannot hold: packages/cli adds `emulator` (it depends on the emulator). */
export async function runCli(
  argv: string[],
  given: CliIO,
  extraCommands: Readonly<Record<string, CliCommand>> = {},
): Promise<number> {
  // Everything the CLI writes passes the SDK's terminal guard: secrets the run knows are masked and
  // no escape sequence but the CLI's own colours reaches the terminal, whatever a message quotes.
  const io: CliIO = { ...given, stdout: guarded(given.stdout), stderr: guarded(given.stderr) };
  const [name, ...rest] = argv;
  // `timely-keys help CMD` is `timely-keys CMD --help`, word for word.
  if (name === "help" && rest.length > 0) return runCli([rest[0] as string, "--help"], io, extraCommands);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(`${HELP.main}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = (Object.hasOwn(extraCommands, name) ? extraCommands[name] : undefined) ?? COMMANDS[name];
  if (!command) {
    io.stderr.write(`error: unknown command '${sanitize(name)}'. Run 'timely-keys --help' for the list.\n`);
    return 1;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // A manifest's findings were printed as they were found: they are the message.
    if (error instanceof ManifestError) return 1;
    io.stderr.write(`error: ${describeError(error)}\n`);
    if (error instanceof UsageError && error.hint) io.stderr.write(`${sanitize(error.hint)}\n`);
    return 1;
  }
}

function guarded(output: Output): Output {
  const guard: Output = {
    write: (text: string) => output.write(guardTerminalOutput(text)),
    get destroyed() {
      return output.destroyed;
    },
  };
  if (output.isTTY !== undefined) guard.isTTY = output.isTTY;
  // Waiting for "drain" (writePieces) is waiting on the stream itself.
  const { once, off } = output;
  if (once !== undefined && off !== undefined) {
    guard.once = (event, listener) => once.call(output, event, listener);
    guard.off = (event, listener) => off.call(output, event, listener);
  }
  return guard;
}

// The CLI's dispatcher: one command per module, one line per error, exit 0 / 1 / 2.
import { TimelyError, guardTerminalOutput, sanitize } from "@timely-keys/sdk";
import { ReportedError, UserError } from "../errors.js";
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
    if (error instanceof ReportedError) return 1;
    io.stderr.write(`error: ${sanitizeMessage(describe(error, io.env))}\n`);
    return 1;
  }
}

function guarded(output: Output): Output {
  const write = (text: string) => output.write(guardTerminalOutput(text));
  return output.isTTY === undefined ? { write } : { write, isTTY: output.isTTY };
}

/** Each line of a message inert (a debug stack trace keeps its lines). */
function sanitizeMessage(message: string): string {
  return message
    .split("\n")
    .map((line) => sanitize(line))
    .join("\n");
}

/** One line; SDK errors carry status and code and are already free of credentials. */
function describe(error: unknown, env: NodeJS.ProcessEnv): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof TimelyError) {
    if (error.status) {
      const where = `${error.status} ${error.code ?? ""}`.trim();
      return `the API answered ${where}: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ""}`;
    }
    return clientSideProblem(error);
  }
  if (error instanceof Error) {
    return env.TIMELY_KEYS_DEBUG ? (error.stack ?? error.message) : `${error.name}: ${error.message}`;
  }
  return String(error);
}

/** No answer came from the API: say what went wrong on this side, never "the API answered". */
function clientSideProblem(error: TimelyError): string {
  switch (error.code) {
    case "INVALID_OPTION":
      return `invalid API setting: ${error.message} (check TIMELY_API_URL, the workspace's apiUrl and TIMELY_API_TIMEOUT)`;
    case "CONNECTION_ERROR":
      return `could not reach the API: ${error.message}. Check the API URL (TIMELY_API_URL or apiUrl) and the network.`;
    case "TIMEOUT":
      return `the API did not answer in time: ${error.message}. TIMELY_API_TIMEOUT sets the seconds one attempt may take.`;
    case "VALIDATION_ERROR":
      return `refused before sending (the SDK's check): ${error.message}`;
    default:
      return `no usable answer from the API (${error.code ?? error.name}): ${error.message}`;
  }
}

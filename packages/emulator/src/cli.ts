import { parseArgs } from "node:util";
import { startEmulator, type Emulator, type EmulatorOptions } from "./emulator.js";

export const DEFAULT_PORT = 8787;

const USAGE = `Usage: timely-keys-emulator [--port N] [--host H] [--seed FILE] [--state FILE] [--rate-limit N]

  --port N         TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H         interface to listen on (default 127.0.0.1)
  --seed FILE      YAML seed: workspaces, members and their management tokens, keys
  --state FILE     JSON state file, loaded if present and rewritten after every change
  --rate-limit N   requests per 60 s per credential (default 100)
  --help           show this help`;

/** Where the CLI writes, and what stops it; process streams and signals by default. */
export interface CliIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Resolves when the emulator should stop; default: SIGINT or SIGTERM. */
  stopSignal?: (emulator: Emulator) => Promise<void>;
}

/**
 * `timely-keys-emulator`: starts the emulator, prints one line with its URL (never a token), and
 * runs until SIGINT/SIGTERM. Returns the exit code: 0 after a clean stop, 1 on bad input.
 */
export async function runEmulatorCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: EmulatorOptions;
  try {
    const parsed = parseCliArgs(argv);
    if (parsed === "help") {
      out(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    err(`timely-keys-emulator: ${(error as Error).message} (see --help)`);
    return 1;
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    err(`timely-keys-emulator: ${(error as Error).message}`);
    return 1;
  }
  out(`Timely.ai emulator listening on ${emulator.url}`);
  await (io.stopSignal ?? waitForSignal)(emulator);
  await emulator.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function parseCliArgs(argv: string[]): EmulatorOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        state: { type: "string" },
        "rate-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // node's messages are long and mention internals; keep the first sentence.
    const first = (error as Error).message.split(/\. |\n/)[0] ?? "invalid arguments";
    throw new Error(first.charAt(0).toLowerCase() + first.slice(1));
  }
  if (values.help) return "help";
  const options: EmulatorOptions = { port: DEFAULT_PORT };
  if (values.port !== undefined) options.port = integerFlag("--port", values.port as string, 0, 65_535);
  if (values.host !== undefined) options.host = nonEmpty("--host", values.host as string);
  if (values.seed !== undefined) options.seed = nonEmpty("--seed", values.seed as string);
  if (values.state !== undefined) options.state = nonEmpty("--state", values.state as string);
  if (values["rate-limit"] !== undefined)
    options.rateLimit = integerFlag("--rate-limit", values["rate-limit"] as string, 1, 1_000_000);
  return options;
}

function integerFlag(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${flag} must be an integer between ${min} and ${max}, got "${raw.slice(0, 20)}"`);
  }
  return Number(raw);
}

function nonEmpty(flag: string, raw: string): string {
  if (raw.trim() === "") throw new Error(`${flag} needs a value`);
  return raw;
}

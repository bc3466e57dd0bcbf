// What a command needs from the process, injectable so tests can run the CLI in-process.
import { createInterface } from "node:readline";

export interface Output {
  /** false: the text is buffered past the stream's limit (a Node stream), wait for "drain". */
  write(text: string): unknown;
  isTTY?: boolean;
  once?(event: "drain" | "close", listener: () => void): unknown;
  off?(event: "drain" | "close", listener: () => void): unknown;
  /** A Node stream that was closed (the reader went away): it takes no more text and never drains. */
  readonly destroyed?: boolean;
}

export interface CliIO {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Output;
  stderr: Output;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** ANSI colour only on a terminal, never with NO_COLOR set (https://no-color.org), always with FORCE_COLOR. */
export function useColor(io: CliIO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return io.stdout.isTTY === true && io.env.TERM !== "dumb";
}

export function isInteractive(io: CliIO): boolean {
  return io.stdin?.isTTY === true && io.stdout.isTTY === true;
}

/** Asks on the terminal; true only for the answer "yes", as Terraform does. */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin) return false;
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream, terminal: false });
  try {
    io.stdout.write(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

/**
 * Writes `pieces` one after the other, waiting for the stream to drain whenever it says its buffer
 * is full: a long text (a plan of 100,000 lines) is then never all in memory, rendered or buffered.
 */
export async function writePieces(output: Output, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (output.destroyed === true) return;
    if (output.write(piece) === false) await drained(output);
  }
}

/** Resolves on "drain", or on "close" (a closed stream never drains: its error is reported elsewhere). */
function drained(output: Output): Promise<void> {
  const { once, off } = output;
  if (once === undefined || off === undefined || output.destroyed === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      off.call(output, "drain", done);
      off.call(output, "close", done);
      resolve();
    };
    once.call(output, "drain", done);
    once.call(output, "close", done);
  });
}

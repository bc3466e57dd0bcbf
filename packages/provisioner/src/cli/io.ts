// What a command needs from the process, injectable so tests can run the CLI in-process.
import { createInterface } from "node:readline";

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
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

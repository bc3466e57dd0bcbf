// Runs a command as a child process and measures its wall time, from spawn to the end of its output.
import { spawn } from "node:child_process";

export interface TimedRun {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kills the child after this long (the run then reports signal SIGKILL). */
  timeoutMs?: number;
}

/**
 * The environment children start from: this process's, minus anything that would load a loader
 * (tsx) or change node's start-up into the child, plus `extra`.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_OPTIONS;
  delete env.FORCE_COLOR;
  delete env.TIMELY_API_URL;
  return { ...env, ...extra };
}

/** Async on purpose: an emulator in this process must keep answering while the child runs. */
export function timedRun(command: string, args: readonly string[], options: RunOptions = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? childEnv(),
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      const elapsed = performance.now() - started;
      if (timer) clearTimeout(timer);
      resolve({
        ms: elapsed,
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/** Like timedRun, but a non-zero exit (or a kill) is an error carrying the child's stderr. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
  okCodes: readonly number[] = [0],
): Promise<TimedRun> {
  const run = await timedRun(command, args, options);
  if (run.code === null || !okCodes.includes(run.code)) {
    const tail = run.stderr.trim().split("\n").slice(-5).join("\n");
    throw new Error(`${[command, ...args].join(" ")} exited with ${run.code ?? run.signal}:\n${tail}`);
  }
  return run;
}

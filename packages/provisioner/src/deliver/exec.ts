import type { ChildProcess } from "node:child_process";
import type { ExecSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { DOTENV_NAME } from "./dotenv-edit.js";
import { SinkFailure, configFailure } from "./failure.js";
import { OutputCapture } from "./output-capture.js";
import { runDelivery } from "./run-delivery.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_ENV_NAME = "TIMELY_API_KEY";
const STDERR_LINES_IN_ERROR = 10;
const OUTPUT_DRAIN_MS = 2_000;

export interface ExecSinkOptions {
  /** How long a program gets between SIGTERM and SIGKILL after its timeout. Default 2 s. */
  killGraceMs?: number;
}

/** The variables every program gets from the run's environment, when set there. */
const BASE_VARIABLES = ["PATH", "HOME", "LANG"] as const;

/**
 * The whole environment a program run by timely-keys (an exec sink, a probe) receives: PATH, HOME
 * and LANG, the names it lists in `passEnv`, and `extra` (the secret's variable, TIMELY_KEYS_*).
 * Never the rest of the run's environment: management tokens and other sinks' credentials stay out.
 */
export function minimalEnvironment(
  runEnv: NodeJS.ProcessEnv,
  passEnv: readonly string[] = [],
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...BASE_VARIABLES, ...passEnv]) {
    const value = runEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a program (argv, never a shell) that receives the secret on stdin, written exactly with no
 * trailing newline and then closed, or in a named env var. The program runs in the manifest's
 * folder, in its own process group so a timeout can stop everything it started, and gets
 * TIMELY_KEYS_WORKSPACE / _ENTRY / _KEY_NAME / _KEY_ID to know which key it receives. Its output is
 * captured (capped, secret masked) and only ever shown in an error, masked.
 */
export function createExecSink(config: ExecSinkConfig, manifestDir: string, options: ExecSinkOptions = {}): Sink {
  const killGraceMs = options.killGraceMs ?? 2_000;
  const timeoutMs = (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const input = config.input ?? "stdin";
  const envName = config.env ?? DEFAULT_ENV_NAME;
  const [program, ...args] = config.command;
  const sink: Sink = {
    type: "exec",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, redactor, log }) => {
        if (program === undefined || program === "") throw configFailure("the command is empty");
        if (input === "env" && !DOTENV_NAME.test(envName)) {
          throw configFailure(`"${envName}" is not a valid environment variable name`);
        }
        const identity: Record<string, string> = {
          TIMELY_KEYS_WORKSPACE: ctx.workspace,
          TIMELY_KEYS_ENTRY: ctx.entryId,
          TIMELY_KEYS_KEY_NAME: ctx.keyName,
          TIMELY_KEYS_KEY_ID: ctx.keyId,
        };
        const env = minimalEnvironment(
          ctx.env,
          config.passEnv,
          input === "env" ? { ...identity, [envName]: clear } : identity,
        );
        const stdout = new OutputCapture(redactor);
        const stderr = new OutputCapture(redactor);
        const outcome = await runProgram({
          program,
          args,
          cwd: manifestDir,
          env,
          stdin: input === "stdin" ? clear : undefined,
          timeoutMs,
          killGraceMs,
          signal: ctx.signal,
          stdout,
          stderr,
        });
        if (outcome.kind === "spawn-error") {
          throw configFailure(`could not start ${program} (${outcome.code})`);
        }
        const output = stderr.lastLines(STDERR_LINES_IN_ERROR) || stdout.lastLines(STDERR_LINES_IN_ERROR);
        const tail = output ? `; last output:\n${output}` : "";
        if (outcome.kind === "timeout") {
          throw new SinkFailure(`${program} did not finish within ${timeoutMs / 1000}s and was stopped${tail}`, {
            retryable: true,
            maybeDelivered: true,
          });
        }
        if (outcome.kind === "cancelled") {
          throw new SinkFailure(`${program} was stopped because the run was cancelled`, { maybeDelivered: true });
        }
        if (outcome.code !== 0) {
          const how =
            outcome.code === null
              ? `was killed by ${outcome.signal ?? "a signal"}`
              : `exited with code ${outcome.code}`;
          // The program may fail for passing reasons (network); running it again is safe.
          throw new SinkFailure(`${program} ${how}${tail}`, { retryable: true, maybeDelivered: true });
        }
        log(`exec: ${program} received the key (${input === "env" ? `env ${envName}` : "stdin"})`);
      }),
  };
  return sink;
}

export interface RunOptions {
  program: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string | undefined;
  timeoutMs: number;
  killGraceMs: number;
  signal: AbortSignal | undefined;
  stdout: OutputCapture;
  stderr: OutputCapture;
}

export type Outcome =
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "spawn-error"; code: string };

/**
 * Runs a program (argv, no shell) in its own process group with a hard time bound: at `timeoutMs`
 * the group gets SIGTERM, `killGraceMs` later SIGKILL, and the outcome is settled then at the latest
 * (pipes abandoned), whatever the program or anything it started does. The one spawn of the
 * provisioner: exec sinks and probes both run programs through it, with `minimalEnvironment`.
 */
export async function runProgram(options: RunOptions): Promise<Outcome> {
  // Loaded here, not at start-up: only a delivery to an exec sink needs it.
  const { spawn } = await import("node:child_process");
  return new Promise((resolvePromise) => {
    let child: ChildProcess;
    try {
      child = spawn(options.program, options.args, {
        cwd: options.cwd,
        env: options.env,
        shell: false,
        // Its own process group, so the whole tree can be signalled on timeout.
        detached: process.platform !== "win32",
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
      });
    } catch (error) {
      resolvePromise({ kind: "spawn-error", code: (error as NodeJS.ErrnoException).code ?? "error" });
      return;
    }
    let stopped: "timeout" | "cancelled" | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: "timeout" | "cancelled") => {
      if (stopped) return;
      stopped = why;
      signalTree(child, "SIGTERM");
      // The hard bound: the group is killed and the outcome settled, even if something that escaped
      // the group still holds the pipes open.
      killTimer = setTimeout(() => {
        signalTree(child, "SIGKILL");
        abandonPipes(child);
        finish({ kind: why });
      }, options.killGraceMs);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = () => stop("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => options.stdout.push(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => options.stderr.push(chunk));
    // A program that exits without reading stdin gives EPIPE; its exit code tells the story.
    child.stdin?.on("error", () => undefined);
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    else child.stdin?.end();

    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      // Once stopped, the SIGKILL still comes: the program may be gone while its group lives on.
      if (killTimer && !stopped) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      resolvePromise(outcome);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      // Only a failure to start matters here; a running child reports through exit and close.
      if (child.pid === undefined) finish({ kind: "spawn-error", code: error.code ?? "error" });
    });
    // The status is taken when the program exits; "close" then waits for its output to end. A
    // background process it left holding the pipes open gets a moment, then the pipes are dropped.
    let exit: Outcome | undefined;
    child.on("exit", (code, signal) => {
      const status: Outcome = stopped ? { kind: stopped } : { kind: "exit", code, signal };
      exit = status;
      if (stopped) return; // the stop's SIGKILL ends the whole group, and with it the pipes
      drainTimer = setTimeout(() => {
        abandonPipes(child);
        finish(status);
      }, OUTPUT_DRAIN_MS);
    });
    child.on("close", (code, signal) => finish(exit ?? (stopped ? { kind: stopped } : { kind: "exit", code, signal })));
  });
}

function abandonPipes(child: ChildProcess): void {
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Signals the child's process group (its whole tree); falls back to the child alone. */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform !== "win32") process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

// Probes: prove the systems work with the new key before it is promoted (the guide's step 3, "test
// to confirm the systems work with the new key"). `afterDeliver` probes run first (e.g. restart a
// consumer that reads its secret once), then `verify` probes. An exec probe runs through the exec
// sink's own spawn function (argv, no shell, process group, timeout, masked output); an http probe
// asks a consumer's health endpoint and sends no secret.
import type { ProbeConfig } from "../desired.js";
import type { DeliveryContext } from "../deliver/sink.js";
import { Redactor } from "@timely-keys/sdk";
import { minimalEnvironment, runProgram } from "../deliver/exec.js";
import { OutputCapture } from "../deliver/output-capture.js";

const DEFAULT_TIMEOUT_SECONDS = 30;
const KILL_GRACE_MS = 5_000;
const OUTPUT_LINES_IN_ERROR = 5;

/** What a probe is told: the same as a sink (its `log` is not used). */
export type ProbeContext = Omit<DeliveryContext, "log">;

/** One line naming a probe, without anything secret (a probe config holds none). */
export function probeLabel(probe: ProbeConfig): string {
  return probe.type === "exec" ? `exec:${JSON.stringify(probe.command)}` : `http:${probe.url}`;
}

/** Runs one probe; resolves with null when it passed, or the reason it failed (masked). */
export async function runProbe(probe: ProbeConfig, secret: string, ctx: ProbeContext): Promise<string | null> {
  const timeoutMs = (probe.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const redactor = new Redactor([secret]);
  if (probe.type === "http") return redactor.redact((await httpProbe(probe, timeoutMs, ctx)) ?? "") || null;
  const [program, ...args] = probe.command;
  if (program === undefined || program === "") return "the command is empty";
  const input = probe.input ?? "stdin";
  // The exec sink's minimal environment: never the run's management tokens or sink credentials.
  const env = minimalEnvironment(ctx.env, [], {
    TIMELY_KEYS_WORKSPACE: ctx.workspace,
    TIMELY_KEYS_ENTRY: ctx.entryId,
    TIMELY_KEYS_KEY_NAME: ctx.keyName,
    TIMELY_KEYS_KEY_ID: ctx.keyId,
    ...(input === "env" && { [probe.env ?? "TIMELY_API_KEY"]: secret }),
  });
  const stdout = new OutputCapture(redactor);
  const stderr = new OutputCapture(redactor);
  const outcome = await runProgram({
    program,
    args,
    cwd: ctx.manifestDir,
    env,
    stdin: input === "stdin" ? secret : undefined,
    timeoutMs,
    killGraceMs: KILL_GRACE_MS,
    signal: ctx.signal,
    stdout,
    stderr,
  });
  const output = stderr.lastLines(OUTPUT_LINES_IN_ERROR) || stdout.lastLines(OUTPUT_LINES_IN_ERROR);
  const tail = output ? `; last output: ${output.replace(/\n/g, " | ")}` : "";
  switch (outcome.kind) {
    case "spawn-error":
      return `could not start ${program} (${outcome.code})`;
    case "timeout":
      return `${program} did not finish within ${timeoutMs / 1000}s and was stopped${tail}`;
    case "cancelled":
      return `${program} was stopped because the run was cancelled`;
    case "exit":
      if (outcome.code === 0) return null;
      if (outcome.code === null) return `${program} was killed by ${outcome.signal ?? "a signal"}${tail}`;
      return `${program} exited with code ${outcome.code}${tail}`;
  }
}

async function httpProbe(
  probe: Extract<ProbeConfig, { type: "http" }>,
  timeoutMs: number,
  ctx: ProbeContext,
): Promise<string | null> {
  const expected = probe.expectStatus ?? 200;
  const signals = [AbortSignal.timeout(timeoutMs), ...(ctx.signal ? [ctx.signal] : [])];
  try {
    // No redirect is followed: the answer of the URL the manifest names is the one that counts.
    const answer = await (ctx.fetch ?? fetch)(probe.url, { redirect: "manual", signal: AbortSignal.any(signals) });
    await answer.body?.cancel();
    return answer.status === expected ? null : `${probe.url} answered ${answer.status}, expected ${expected}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const name =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000}s`
        : (cause ?? (error as Error).message);
    return `${probe.url} could not be reached (${name})`;
  }
}

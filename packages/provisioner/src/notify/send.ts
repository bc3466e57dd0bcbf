// Sends events to the manifest's targets: POST, a 10-second timeout, retried with the SDK's retry
// policy, redirects never followed. Never throws: a failed notification is a warning line for the
// caller, never a failed rotation or check. Failure lines name the target by type and origin only
// (a Slack webhook URL's path is a credential).
import { randomUUID } from "node:crypto";
import {
  decideRetry,
  DEFAULT_RETRY_SETTINGS,
  serverWaitMs,
  sleep,
  type AttemptOutcome,
  type RetrySettings,
  type Sleep,
} from "@timely-keys/sdk";
import type { ApplyReport } from "../apply/report.js";
import type { Finding } from "../check/model.js";
import type { Desired } from "../desired.js";
import { UserError } from "../errors.js";
import { eventsOfApply, eventsOfFindings, slackBody, wants, webhookBody } from "./events.js";
import type { NotifyEvent, NotifyTarget } from "./model.js";
import { notifyUrlProblem } from "./origin.js";

const ATTEMPT_TIMEOUT_MS = 10_000;

export interface NotifyOptions {
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  sleep?: Sleep;
  retry?: RetrySettings;
  random?: () => number;
}

interface ResolvedTarget {
  target: NotifyTarget;
  url: string;
  /** `webhook https://hooks.example.com`: how messages name it. */
  label: string;
}

function targetsOf(desired: Pick<Desired, "notify" | "workspaces">, workspace: string): NotifyTarget[] {
  return [...(desired.notify ?? []), ...(desired.workspaces.find((w) => w.name === workspace)?.notify ?? [])];
}

function resolve(target: NotifyTarget, env: NodeJS.ProcessEnv): ResolvedTarget | string {
  const url = target.url ?? (target.urlEnv !== undefined ? env[target.urlEnv] : undefined);
  const name = target.url !== undefined ? "url" : `urlEnv ${target.urlEnv}`;
  if (url === undefined || url === "") return `notify ${target.type}: ${name} is not set`;
  const problem = notifyUrlProblem(url);
  if (problem !== undefined) return `notify ${target.type}: ${name} ${problem}`;
  return { target, url, label: `${target.type} ${new URL(url).origin}` };
}

/**
 * Every notification target's problem (an unset urlEnv, a URL that breaks the origin rule), as one
 * UserError: the commands call it before reading or changing anything.
 */
export function checkNotifyTargets(desired: Pick<Desired, "notify" | "workspaces">, env: NodeJS.ProcessEnv): void {
  const all = [...(desired.notify ?? []), ...desired.workspaces.flatMap((w) => w.notify ?? [])];
  const problems = [...new Set(all.map((t) => resolve(t, env)).filter((r): r is string => typeof r === "string"))];
  if (problems.length > 0) throw new UserError(`${problems.join("; ")} (nothing was read or changed)`);
}

/** Sends each event to each target of its workspace that wants it; returns one line per failure. */
export async function sendEvents(
  desired: Pick<Desired, "notify" | "workspaces">,
  events: readonly NotifyEvent[],
  options: NotifyOptions,
): Promise<string[]> {
  const failures: string[] = [];
  for (const event of events) {
    for (const target of targetsOf(desired, event.workspace)) {
      if (!wants(target, event)) continue;
      const resolved = resolve(target, options.env);
      if (typeof resolved === "string") {
        failures.push(`${resolved}: ${event.type} not sent`);
        continue;
      }
      const body = target.type === "slack" ? slackBody(event) : webhookBody(event);
      const problem = await post(resolved, body, options);
      if (problem !== undefined) failures.push(`notification ${event.type} to ${resolved.label} not sent: ${problem}`);
    }
  }
  return failures;
}

export function notifyApply(
  desired: Pick<Desired, "notify" | "workspaces">,
  report: ApplyReport,
  options: NotifyOptions & { at?: string },
): Promise<string[]> {
  return sendEvents(desired, eventsOfApply(report, options.at ?? new Date().toISOString()), options);
}

export function notifyFindings(
  desired: Pick<Desired, "notify" | "workspaces">,
  findings: readonly Finding[],
  options: NotifyOptions & { at: string },
): Promise<string[]> {
  return sendEvents(desired, eventsOfFindings(findings, options.at), options);
}

/** One POST with the SDK's retries (429, 5xx, no answer); undefined when delivered. */
async function post(target: ResolvedTarget, body: string, options: NotifyOptions): Promise<string | undefined> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const wait = options.sleep ?? sleep;
  const settings = options.retry ?? DEFAULT_RETRY_SETTINGS;
  // The same id on every attempt: a receiver can drop a repeat.
  const deliveryId = randomUUID();
  for (let retries = 0; ; retries++) {
    let outcome: AttemptOutcome;
    let problem: string;
    try {
      const response = await doFetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "timely-keys", "idempotency-key": deliveryId },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return undefined;
      problem =
        response.status >= 300 && response.status < 400
          ? `HTTP ${response.status} (redirects are not followed)`
          : `HTTP ${response.status}`;
      outcome = {
        kind: "response",
        status: response.status,
        serverWaitMs: serverWaitMs(response.status, response.headers, Date.now()),
      };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      problem = timedOut ? "no answer in 10 s" : "no answer (connection failed)";
      outcome = timedOut ? { kind: "timeout" } : { kind: "connection" };
    }
    const decision = decideRetry({
      method: "POST",
      hasIdempotencyKey: true,
      retriesSoFar: retries,
      outcome,
      settings,
      random: (options.random ?? Math.random)(),
    });
    if (!decision.retry) return retries > 0 ? `${problem} after ${retries + 1} attempts` : problem;
    await wait(decision.delayMs);
  }
}

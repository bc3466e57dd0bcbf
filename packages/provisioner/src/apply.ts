// apply: executes a plan's actions through the SDK and the delivery sinks, and reports each one
// as done, failed or skipped. Actions of one entry run in plan order; entries run side by side up
// to `concurrency`; the SDK's pacing keeps every token under its rate limit.
import { dirname } from "node:path";
import { registerSecret, TimelyClient, type TimelyClientOptions } from "@timely-keys/sdk";
import { mapBounded, WORKSPACE_CONCURRENCY } from "./bounded.js";
import type { ClientFactory } from "./clients.js";
import type { DeliverAllOptions } from "./deliver/index.js";
import { describeError, ManagementTokenError, StepError } from "./errors.js";
import type { Plan, PlanAction, PlanWorkspace } from "./model.js";
import { actionSummary } from "./render/words.js";
import { asTokenError } from "./read.js";
import type { WorkspaceExecution } from "./apply/context.js";
import { runOperations } from "./apply/operations.js";
import { VERIFY_USER_AGENT } from "./self-calls.js";
import {
  countResults,
  type ActionResult,
  type ApplyEvent,
  type ApplyReport,
  type ApplyStep,
  type WorkspaceError,
} from "./apply/report.js";
import { runGrouped } from "./apply/schedule.js";
import { runSuccessor } from "./apply/successor.js";

export type { ActionResult, ApplyEvent, ApplyReport, ApplyStep, WorkspaceError } from "./apply/report.js";
export { countResults } from "./apply/report.js";

export interface ApplyOptions {
  clients: ClientFactory;
  env: NodeJS.ProcessEnv;
  /** Entries worked on at once per workspace (default 4). */
  concurrency?: number;
  /** Workspaces applied at once, each through its own client and rate limit (default WORKSPACE_CONCURRENCY). */
  workspaceConcurrency?: number;
  /** Options of the clients that verify new secrets (retries, timeouts). */
  probeOptions?: Omit<TimelyClientOptions, "apiKey" | "baseUrl">;
  fetch?: typeof fetch;
  deliverOptions?: DeliverAllOptions;
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Receives every new secret the moment the API returns it, before any sink: e.g. to mask it in CI logs. */
  onSecret?: (secret: string) => void;
  afterStep?: (action: PlanAction, step: ApplyStep, keyId: string) => Promise<void> | void;
}

export async function apply(plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const results: ActionResult[] = [];
  const workspaceErrors: WorkspaceError[] = [];
  const emit = options.onEvent ?? (() => {});
  await mapBounded(plan.workspaces, options.workspaceConcurrency ?? WORKSPACE_CONCURRENCY, (workspace) =>
    applyWorkspace(plan, workspace, options, results, workspaceErrors, emit),
  );
  // Report in plan order, whatever order the work finished in.
  const order = new Map<PlanAction, number>();
  for (const workspace of plan.workspaces) for (const action of workspace.actions) order.set(action, order.size);
  results.sort((a, b) => (order.get(a.action) ?? 0) - (order.get(b.action) ?? 0));
  const rotated = [
    ...new Set(
      results
        .filter(
          (r) =>
            r.status === "done" &&
            r.action.entryId !== undefined &&
            ["rotate", "deactivate-previous", "revoke-previous"].includes(r.action.kind),
        )
        .map((r) => r.action.entryId as string),
    ),
  ];
  return { ok: countResults(results).failed === 0 && workspaceErrors.length === 0, results, workspaceErrors, rotated };
}

async function applyWorkspace(
  plan: Plan,
  workspace: PlanWorkspace,
  options: ApplyOptions,
  results: ActionResult[],
  workspaceErrors: WorkspaceError[],
  emit: (event: ApplyEvent) => void,
): Promise<void> {
  const actions = workspace.actions.filter((action) => action.mutates);
  if (actions.length === 0) return;
  const connection = {
    name: workspace.name,
    tokenEnv: workspace.tokenEnv,
    ...(workspace.apiUrl ? { apiUrl: workspace.apiUrl } : {}),
  };
  let stopped: string | undefined;
  const failedGroups = new Set<string>();
  let client: TimelyClient;
  try {
    client = options.clients(connection);
  } catch (error) {
    const message = describeError(error);
    for (const action of actions) results.push({ action, status: "skipped", message: `skipped: ${message}` });
    workspaceErrors.push({ workspace: workspace.name, message });
    return;
  }
  // Ask who the token belongs to before changing anything: a token without the role, or an API key
  // given as a management token, stops here with zero mutating requests.
  let workspaceId: string;
  try {
    const me = await client.me({ signal: options.signal });
    if (me.principal !== "member" || (me.role !== "owner" && me.role !== "manager")) {
      throw new ManagementTokenError(
        workspace.name,
        workspace.tokenEnv,
        `workspace ${workspace.name}: the token in ${workspace.tokenEnv} belongs to ` +
          `${me.principal === "member" ? `a member with role ${me.role}` : "an API key"}; ` +
          "only owners and managers may create, edit, activate, deactivate or revoke keys",
      );
    }
    workspaceId = me.workspace_id;
  } catch (error) {
    const message = describeError(
      error instanceof ManagementTokenError ? error : (asTokenError(error, connection) ?? error),
    );
    for (const action of actions) {
      results.push({ action, status: "skipped", message: `skipped: ${message}` });
      emit({ type: "skipped", action, message });
    }
    workspaceErrors.push({ workspace: workspace.name, message });
    return;
  }
  const run: WorkspaceExecution = {
    workspace,
    client,
    // The User-Agent marks these calls as timely-keys' own in the key's usage statistics.
    probe: (secret) =>
      new TimelyClient({
        ...options.probeOptions,
        userAgent: VERIFY_USER_AGENT,
        apiKey: secret,
        baseUrl: client.baseUrl,
      }),
    workspaceId: async () => workspaceId,
    manifestDir: dirname(plan.manifest),
    env: options.env,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.deliverOptions ? { deliverOptions: options.deliverOptions } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    emit,
    // Every new secret joins the run-wide redaction registry the moment it exists.
    onSecret: (secret: string) => {
      registerSecret(secret);
      options.onSecret?.(secret);
    },
    afterStep: async (action, step, keyId) => {
      emit({ type: "step", action, step, keyId });
      await options.afterStep?.(action, step, keyId);
    },
  };

  const groupOf = (action: PlanAction) => action.entryId ?? action.keyId ?? actionSummary(action);
  await runGrouped(actions, groupOf, options.concurrency ?? 4, async (action) => {
    const group = groupOf(action);
    if (stopped !== undefined) {
      results.push({ action, status: "skipped", message: stopped });
      emit({ type: "skipped", action, message: stopped });
      return;
    }
    if (failedGroups.has(group)) {
      const message = "skipped: an earlier action of the same key failed";
      results.push({ action, status: "skipped", message });
      emit({ type: "skipped", action, message });
      return;
    }
    emit({ type: "start", action });
    try {
      if (action.kind === "create" || action.kind === "rotate") {
        const newKeyId = await runSuccessor(action, run);
        results.push({
          action,
          status: "done",
          ...(newKeyId ? { newKeyId } : { message: "already completed by another run" }),
        });
      } else {
        await runOperations(action, run);
        results.push({ action, status: "done" });
      }
      emit({ type: "done", action });
    } catch (error) {
      const tokenError = error instanceof ManagementTokenError ? error : asTokenError(error, connection);
      if (tokenError) stopped = `skipped: ${tokenError.message}`;
      failedGroups.add(group);
      const message = describeError(tokenError ?? error);
      const newKeyId = error instanceof StepError ? error.newKeyId : undefined;
      results.push({ action, status: "failed", message, ...(newKeyId ? { newKeyId } : {}) });
      emit({ type: "failed", action, message });
    }
  });
}

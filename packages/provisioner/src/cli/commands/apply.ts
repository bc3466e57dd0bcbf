// apply, rotate and rollback: plan (or read a saved plan), show, confirm, execute, report.
import { apply, countResults, type ApplyEvent, type ApplyReport } from "../../apply.js";
import { describeStep } from "../../apply/progress.js";
import { clientsFromEnv, type ClientFactory } from "../../clients.js";
import { UserError } from "../../errors.js";
import type { Desired } from "../../desired.js";
import type { Plan, PlanOptions } from "../../model.js";
import { fingerprintKeys } from "../../plan/fingerprint.js";
import { read } from "../../read.js";
import { renderText } from "../../render.js";
import { readSavedPlan } from "../../saved-plan.js";
import { parseCommandArgs, positiveInt, stringList } from "../args.js";
import { HELP } from "../help.js";
import { confirm, isInteractive, useColor, type CliIO } from "../io.js";
import { connectionOf, loadDesired, pathFrom, readAndPlan } from "../pipeline.js";
import { crashHook } from "../crash-hook.js";

const APPLY_FLAGS = {
  file: { type: "string", short: "f" },
  "auto-approve": { type: "boolean" },
  workspace: { type: "string", multiple: true },
  target: { type: "string", multiple: true },
  concurrency: { type: "string" },
} as const;

export async function applyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs("apply", argv, APPLY_FLAGS, { min: 0, max: 1 });
  if (values.help) return help(io, "apply");
  const concurrency = positiveInt("apply", "concurrency", values.concurrency, 4);
  const clients = clientsFromEnv(io.env);
  const savedPlanFile = positionals[0];
  if (savedPlanFile !== undefined) {
    if (values.file || values.workspace || values.target) {
      throw new UserError("a saved plan is applied as it is: -f, --workspace and --target cannot be combined with PLAN.json");
    }
    const plan = await readSavedPlan(pathFrom(io, savedPlanFile));
    await refuseStalePlan(plan, clients, savedPlanFile);
    // The plan was reviewed when it was saved: applying it is the approval.
    return execute(io, plan, clients, concurrency);
  }
  return planConfirmExecute(io, "apply", values, clients, concurrency, {});
}

export async function rollbackCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs("rollback", argv, APPLY_FLAGS, { min: 1, max: 1 });
  if (values.help) return help(io, "rollback");
  const id = positionals[0] as string;
  return planConfirmExecute(io, "rollback", { ...values, target: [id] }, clientsFromEnv(io.env), 1, { rollback: id });
}

export async function planConfirmExecute(
  io: CliIO,
  command: string,
  values: Record<string, unknown>,
  clients: ClientFactory,
  concurrency: number,
  extra: Pick<PlanOptions, "forceRotate" | "rollback" | "compromised" | "revokeFirst">,
  before?: (plan: Plan) => void,
  loaded?: Desired,
): Promise<number> {
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const workspaces = stringList(values.workspace as string[] | undefined);
  const targets = stringList(values.target as string[] | undefined);
  const autoApprove = values["auto-approve"] === true;
  // Refuse before reading anything: a non-interactive run must say it approves.
  if (!autoApprove && !isInteractive(io)) {
    throw new UserError(`${command} needs --auto-approve when not run in a terminal (nothing was changed)`);
  }
  const desired = loaded ?? (await loadDesired(io, { file, workspaces, targets, requireEnv: true }));
  const { plan } = await readAndPlan(desired, clients, { workspaces, targets }, extra);
  io.stdout.write(`${renderText(plan, { color: useColor(io) })}\n`);
  if (extra.rollback && !plan.workspaces.some((w) => w.actions.some((a) => a.kind === "rollback"))) {
    throw new UserError(`rollback ${extra.rollback}: there is no previous key in quarantine to restore`);
  }
  if (!plan.changes) return 0;
  before?.(plan);
  if (!autoApprove) {
    const approved = await confirm(io, "\nDo you want to perform these actions?");
    if (!approved) {
      io.stdout.write("\nApply cancelled. Nothing was changed.\n");
      return 1;
    }
  }
  return execute(io, plan, clients, concurrency);
}

async function refuseStalePlan(plan: Plan, clients: ClientFactory, file: string): Promise<void> {
  const live = await read(plan.workspaces.map(connectionOf), { clients });
  for (const [index, workspace] of plan.workspaces.entries()) {
    const now = fingerprintKeys(live.workspaces[index]?.keys ?? []);
    if (now !== workspace.fingerprint) {
      throw new UserError(
        `${file}: the live state of workspace ${workspace.name} changed since this plan was made; it is stale and was not applied. Run 'timely-keys plan --out' again.`,
      );
    }
  }
}

async function execute(io: CliIO, plan: Plan, clients: ClientFactory, concurrency: number): Promise<number> {
  if (!plan.changes) {
    io.stdout.write("No changes to apply.\n");
    return 0;
  }
  io.stdout.write("\n");
  const report = await apply(plan, {
    clients,
    env: io.env,
    concurrency,
    onEvent: (event) => io.stdout.write(progressLine(event)),
    afterStep: crashHook(io.env),
  });
  io.stdout.write(`\n${closingLines(report)}\n`);
  return report.ok ? 0 : 1;
}

function label(event: ApplyEvent): string {
  const a = event.action;
  return `${a.workspace}/${a.entryId ?? a.keyName ?? a.keyId ?? "?"}`;
}

function progressLine(event: ApplyEvent): string {
  switch (event.type) {
    case "start":
      return `${label(event)}: ${event.action.kind}...\n`;
    case "step":
      return `${label(event)}:   ${event.message ?? stepText(event)}\n`;
    case "done":
      return `${label(event)}: ${event.action.kind} done\n`;
    case "failed":
      return `${label(event)}: ${event.action.kind} FAILED: ${event.message ?? ""}\n`;
    case "skipped":
      return `${label(event)}: ${event.action.kind} skipped: ${event.message ?? ""}\n`;
  }
}

function stepText(event: ApplyEvent): string {
  return event.step ? describeStep(event.step, event.keyId) : "";
}

function closingLines(report: ApplyReport): string {
  const counts = countResults(report.results);
  const head = report.ok ? "Apply complete!" : "Apply failed.";
  const lines = [`${head} ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`];
  if (!report.ok) {
    for (const e of report.workspaceErrors) lines.push(`  error: ${e.message}`);
    for (const r of report.results.filter((x) => x.status !== "done")) {
      lines.push(`  ${r.status}: ${r.action.workspace}/${r.action.entryId ?? r.action.keyId ?? "?"} ${r.action.kind}: ${r.message ?? ""}`);
    }
    lines.push("Re-run apply to continue: completed steps are not repeated.");
  }
  return lines.join("\n");
}

export function help(io: CliIO, command: string): number {
  io.stdout.write(`${HELP[command]}\n`);
  return 0;
}

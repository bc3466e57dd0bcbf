// apply, rotate and rollback: plan (or read a saved plan), show, confirm, execute, report.
import { apply } from "../../apply.js";
import { ApplyLog } from "../../apply/progress.js";
import { clientsFromEnv, fetchFromEnv, type ClientFactory } from "../../clients.js";
import type { Desired } from "../../desired.js";
import { UserError } from "../../errors.js";
import { checkNotifyTargets, notifyApply } from "../../notify/send.js";
import type { Plan, PlanOptions } from "../../model.js";
import { fingerprintKeys } from "../../plan/fingerprint.js";
import { read } from "../../read.js";
import { renderTextPieces } from "../../render.js";
import { checkPlanAgainstManifest, readSavedPlan } from "../../saved-plan.js";
import { checkWorkspaceIdentity } from "../../identity.js";
import { parseCommandArgs, positiveInt, stringList } from "../args.js";
import { HELP } from "../help.js";
import { confirm, isInteractive, useColor, writePieces, type CliIO } from "../io.js";
import { connectionOf, loadDesired, pathFrom, readAndPlan } from "../pipeline.js";
import { crashHook } from "../crash-hook.js";

export const APPLY_FLAGS = {
  file: { type: "string", short: "f" },
  "auto-approve": { type: "boolean" },
  workspace: { type: "string", multiple: true },
  target: { type: "string", multiple: true },
  concurrency: { type: "string" },
  quiet: { type: "boolean", short: "q" },
} as const;

export async function applyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs("apply", argv, APPLY_FLAGS, { min: 0, max: 1 });
  if (values.help) return help(io, "apply");
  const concurrency = positiveInt("apply", "concurrency", values.concurrency, 4);
  const quiet = values.quiet === true;
  const pacing = pacingRelay();
  const clients = clientsFromEnv(io.env, { onPacingHold: pacing.hold });
  const savedPlanFile = positionals[0];
  if (savedPlanFile !== undefined) {
    if (values.file || values.workspace || values.target) {
      throw new UserError(
        "a saved plan is applied as it is: -f, --workspace and --target cannot be combined with PLAN.json",
      );
    }
    const plan = await readSavedPlan(pathFrom(io, savedPlanFile));
    // The plan's manifest, loaded and validated now (origin rules included): the plan may carry
    // nothing it does not, whoever recomputed the digest.
    const workspaces = plan.workspaces.map((workspace) => workspace.name);
    const desired = await loadDesired(io, { file: plan.manifest, workspaces, targets: [], requireEnv: true });
    checkPlanAgainstManifest(plan, desired, savedPlanFile);
    await refuseStalePlan(plan, desired, clients, savedPlanFile, io.env);
    // The plan was reviewed when it was saved: applying it is the approval. It is shown again first.
    checkNotifyTargets(desired, io.env);
    await showPlan(io, plan);
    return execute(io, plan, clients, { concurrency, quiet, pacing }, desired);
  }
  return planConfirmExecute(io, "apply", values, clients, { concurrency, quiet, pacing }, {});
}

export async function rollbackCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs("rollback", argv, APPLY_FLAGS, {
    min: 1,
    max: 1,
    missing:
      "which key? Give the id of the key to roll back (its keys[].id in the manifest), e.g. 'timely-keys rollback crm'",
  });
  if (values.help) return help(io, "rollback");
  const id = positionals[0] as string;
  const pacing = pacingRelay();
  const clients = clientsFromEnv(io.env, { onPacingHold: pacing.hold });
  return planConfirmExecute(
    io,
    "rollback",
    { ...values, target: [id] },
    clients,
    { concurrency: 1, quiet: values.quiet === true, pacing },
    { rollback: id },
  );
}

export interface RunSettings {
  concurrency: number;
  quiet: boolean;
  pacing: PacingRelay;
}

/** The clients are made before the printer that reports their pacing holds: a late-bound relay. */
export interface PacingRelay {
  hold: (hold: { waitMs: number; queued: number }) => void;
  to?: (hold: { waitMs: number; queued: number }) => void;
}

export function pacingRelay(): PacingRelay {
  const relay: PacingRelay = { hold: (hold) => relay.to?.(hold) };
  return relay;
}

export async function planConfirmExecute(
  io: CliIO,
  command: string,
  values: Record<string, unknown>,
  clients: ClientFactory,
  settings: RunSettings,
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
  // rotate and rollback name keys as arguments: errors about them say so, not "--target".
  const targetLabel = command === "apply" ? "--target" : command;
  const desired = loaded ?? (await loadDesired(io, { file, workspaces, targets, requireEnv: true, targetLabel }));
  for (const id of extra.forceRotate ?? []) {
    const entry = desired.workspaces.flatMap((w) => w.keys).find((k) => k.id === id);
    if (entry !== undefined && entry.deliver.length === 0) {
      throw new UserError(
        `rotate ${id}: the entry has no deliver sinks, so a new secret would reach no one; ` +
          "add a deliver: sink to it first (nothing was changed)",
      );
    }
  }
  checkNotifyTargets(desired, io.env);
  const { plan } = await readAndPlan(desired, clients, { workspaces, targets }, extra, io.env);
  // Checked before printing anything: a plan with nothing to restore is not worth showing.
  if (extra.rollback && !plan.workspaces.some((w) => w.actions.some((a) => a.kind === "rollback"))) {
    throw new UserError(
      `rollback ${extra.rollback}: there is no previous key in quarantine to restore ` +
        "(it was revoked, or the entry never rotated); nothing was changed",
    );
  }
  // --quiet with --auto-approve prints no plan; a confirmation always shows what it confirms.
  if (!settings.quiet || !autoApprove) await showPlan(io, plan);
  if (!plan.changes) return 0;
  before?.(plan);
  if (!autoApprove) {
    const approved = await confirm(io, "\nDo you want to perform these actions?");
    if (!approved) {
      io.stdout.write("\nApply cancelled. Nothing was changed.\n");
      return 1;
    }
  }
  return execute(io, plan, clients, settings, desired);
}

async function refuseStalePlan(
  plan: Plan,
  desired: Desired,
  clients: ClientFactory,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const live = await read(plan.workspaces.map(connectionOf), { clients });
  checkWorkspaceIdentity(desired.workspaces, live, env);
  for (const [index, workspace] of plan.workspaces.entries()) {
    const now = fingerprintKeys(live.workspaces[index]?.keys ?? []);
    if (now !== workspace.fingerprint) {
      throw new UserError(
        `${file}: the live state of workspace ${workspace.name} changed since this plan was made; ` +
          "it is stale and was not applied. Run 'timely-keys plan --out' again.",
      );
    }
  }
}

async function execute(
  io: CliIO,
  plan: Plan,
  clients: ClientFactory,
  settings: RunSettings,
  notify: Pick<Desired, "notify" | "workspaces"> | undefined,
): Promise<number> {
  if (!plan.changes) {
    if (!settings.quiet) io.stdout.write("No changes to apply.\n");
    return 0;
  }
  // The same log lines as the Action's (apply/progress.ts).
  const log = new ApplyLog(plan, { quiet: settings.quiet });
  const print = (line: string | null) => {
    if (line !== null) io.stdout.write(`${line}\n`);
  };
  settings.pacing.to = (hold) => print(log.pacingLine(hold));
  if (!settings.quiet) io.stdout.write("\n");
  // The sinks, probes and notifications send through the same HTTP client as the API's clients.
  const fetch = fetchFromEnv(io.env);
  const report = await apply(plan, {
    clients,
    env: io.env,
    fetch,
    probeOptions: { fetch },
    concurrency: settings.concurrency,
    onEvent: (event) => print(log.line(event)),
    afterStep: crashHook(io.env),
  });
  const closing = log.closingLines(report);
  if (closing.length > 0) io.stdout.write(`${settings.quiet ? "" : "\n"}${closing.join("\n")}\n`);
  // A notification that cannot be sent is a warning: it never fails the rotation it reports.
  if (notify !== undefined)
    for (const failure of await notifyApply(notify, report, { env: io.env, fetch }))
      io.stderr.write(`warning: ${failure}\n`);
  return report.ok ? 0 : 1;
}

export function help(io: CliIO, command: string): number {
  io.stdout.write(`${HELP[command]}\n`);
  return 0;
}

/** The text plan, in pieces as `plan` writes it: one of 100,000 unmanaged keys is 100,000 lines. */
async function showPlan(io: CliIO, plan: Plan): Promise<void> {
  await writePieces(io.stdout, renderTextPieces(plan, { color: useColor(io) }));
  io.stdout.write("\n");
}

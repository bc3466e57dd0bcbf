// The shared front half of every command: load + validate the manifest (printing findings),
// pick the workspaces, read the live state, and plan.
import { relative, resolve } from "node:path";
import type { ClientFactory, WorkspaceConnection } from "../clients.js";
import type { Desired, DesiredWorkspace } from "../desired.js";
import { formatDiagnostic } from "../diagnostics.js";
import { ReportedError, UserError } from "../errors.js";
import type { Live, Plan, PlanOptions } from "../model.js";
import { plan as makePlan } from "../plan.js";
import { read } from "../read.js";
import { validateFile } from "../validate.js";
import type { CliIO } from "./io.js";

export interface ManifestSelection {
  file: string;
  workspaces: string[];
  targets: string[];
  /** Check that the token env vars of the selected workspaces are set. */
  requireEnv: boolean;
}

/** Loads and validates; prints every finding to stderr; throws when any is an error. */
export async function loadDesired(io: CliIO, selection: ManifestSelection): Promise<Desired> {
  const display = selection.file;
  const result = await validateFile(pathFrom(io, display), {
    env: io.env,
    requireEnv: selection.requireEnv,
    ...(selection.workspaces.length > 0 ? { workspaces: selection.workspaces } : {}),
  });
  for (const diagnostic of result.diagnostics) io.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (!result.desired) {
    // The findings printed above are the message.
    throw new ReportedError();
  }
  checkFilters(result.desired, selection);
  return result.desired;
}

function checkFilters(desired: Desired, selection: ManifestSelection): void {
  const names = new Set(desired.workspaces.map((w) => w.name));
  for (const name of selection.workspaces) {
    if (!names.has(name)) throw new UserError(`--workspace ${name}: no such workspace in ${selection.file} (it has: ${[...names].join(", ") || "none"})`);
  }
  const ids = new Set(desired.workspaces.flatMap((w) => w.keys.map((k) => k.id)));
  for (const id of selection.targets) {
    if (!ids.has(id)) throw new UserError(`--target ${id}: no key with this id in ${selection.file}`);
  }
}

export function selectedWorkspaces(desired: Desired, workspaces: readonly string[]): DesiredWorkspace[] {
  return workspaces.length === 0 ? desired.workspaces : desired.workspaces.filter((w) => workspaces.includes(w.name));
}

export function connectionOf(workspace: { name: string; tokenEnv: string; apiUrl?: string }): WorkspaceConnection {
  return { name: workspace.name, tokenEnv: workspace.tokenEnv, ...(workspace.apiUrl ? { apiUrl: workspace.apiUrl } : {}) };
}

/** "now" is the server's clock (the Date header), so a runner with a skewed clock cannot rotate early or late. */
export function serverNowOf(live: Live): Date {
  const times = live.workspaces.map((w) => Date.parse(w.serverNow)).filter((t) => Number.isFinite(t));
  return new Date(times.length > 0 ? Math.max(...times) : Date.now());
}

export interface Planned {
  desired: Desired;
  live: Live;
  plan: Plan;
}

export async function readAndPlan(
  io: CliIO,
  desired: Desired,
  clients: ClientFactory,
  options: PlanOptions & { workspaces: string[] },
): Promise<Planned> {
  const workspaces = selectedWorkspaces(desired, options.workspaces).map(connectionOf);
  const live = await read(workspaces, { clients });
  const plan = makePlan(desired, live, serverNowOf(live), {
    ...options,
    ...(options.workspaces.length > 0 ? { workspaces: options.workspaces } : { workspaces: undefined }),
  });
  return { desired, live, plan };
}

/** A path the user gave, for this process: relative to the CLI's cwd (which in-process callers may set). */
export function pathFrom(io: CliIO, file: string): string {
  return io.cwd === process.cwd() ? file : resolve(io.cwd, file);
}

export function displayPath(io: CliIO, file: string): string {
  const rel = relative(io.cwd, file);
  return rel && !rel.startsWith("..") ? rel : file;
}

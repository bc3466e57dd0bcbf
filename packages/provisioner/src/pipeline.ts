// The front half of every command, shared by the CLI and the GitHub Action: check the filters, pick
// the workspaces, read the live state, and plan on the server's clock.
import type { ClientFactory, WorkspaceConnection } from "./clients.js";
import type { Desired, DesiredWorkspace } from "./desired.js";
import { UserError } from "./errors.js";
import { checkWorkspaceIdentity } from "./identity.js";
import type { Live, Plan, PlanOptions } from "./model.js";
import { plan as makePlan } from "./plan.js";
import { read } from "./read.js";
import { maxOf } from "./append.js";

export interface Filters {
  workspaces: readonly string[];
  targets: readonly string[];
}

/** Unknown workspace names or key ids in the filters are a mistake, not an empty plan. */
export function checkFilters(
  desired: Desired,
  filters: Filters,
  describe: { workspace: string; target: string; manifest: string },
): void {
  const names = desired.workspaces.map((w) => w.name);
  for (const name of filters.workspaces) {
    if (!names.includes(name))
      throw new UserError(
        `${describe.workspace} ${name}: no such workspace in ${describe.manifest} (it has: ` +
          `${names.join(", ") || "none"})`,
      );
  }
  const ids = new Set(desired.workspaces.flatMap((w) => w.keys.map((k) => k.id)));
  for (const id of filters.targets) {
    if (!ids.has(id)) throw new UserError(`${describe.target} ${id}: no key with this id in ${describe.manifest}`);
  }
}

export function selectedWorkspaces(desired: Desired, workspaces: readonly string[]): DesiredWorkspace[] {
  return workspaces.length === 0 ? desired.workspaces : desired.workspaces.filter((w) => workspaces.includes(w.name));
}

export function connectionOf(workspace: { name: string; tokenEnv: string; apiUrl?: string }): WorkspaceConnection {
  return {
    name: workspace.name,
    tokenEnv: workspace.tokenEnv,
    ...(workspace.apiUrl ? { apiUrl: workspace.apiUrl } : {}),
  };
}

/** "now" is the server's clock (the Date header), so a runner with a skewed clock cannot rotate early or late. */
export function serverNowOf(live: Live): Date {
  const times = live.workspaces.map((w) => Date.parse(w.serverNow)).filter((t) => Number.isFinite(t));
  return new Date(times.length > 0 ? maxOf(times) : Date.now());
}

export interface Planned {
  live: Live;
  plan: Plan;
  /** The server's clock at read time. */
  now: Date;
}

export async function readAndPlan(
  desired: Desired,
  clients: ClientFactory,
  filters: Filters,
  extra: Pick<PlanOptions, "forceRotate" | "rollback" | "compromised" | "revokeFirst"> = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Planned> {
  const workspaces = workspacesToPlan(desired, filters);
  const live = await read(selectedWorkspaces(desired, workspaces).map(connectionOf), { clients });
  // Before anything is planned: each token belongs to the workspace the manifest says it does.
  checkWorkspaceIdentity(desired.workspaces, live, env);
  const now = serverNowOf(live);
  const plan = makePlan(desired, live, now, {
    ...(workspaces.length > 0 ? { workspaces: [...workspaces] } : {}),
    ...(filters.targets.length > 0 ? { targets: [...filters.targets] } : {}),
    ...extra,
  });
  return { live, plan, now };
}

/**
 * The workspaces a plan covers: those named by --workspace (all when none), narrowed by --target to
 * the ones that hold a targeted key, so a filtered plan neither reads nor shows the others.
 */
function workspacesToPlan(desired: Desired, filters: Filters): readonly string[] {
  if (filters.targets.length === 0) return filters.workspaces;
  const holding = selectedWorkspaces(desired, filters.workspaces)
    .filter((w) => w.keys.some((k) => filters.targets.includes(k.id)))
    .map((w) => w.name);
  if (holding.length === 0) {
    // An empty list would mean "every workspace".
    throw new UserError(
      `${filters.targets.join(", ")}: not in the selected workspace${filters.workspaces.length === 1 ? "" : "s"} ` +
        `${filters.workspaces.join(", ")}`,
    );
  }
  return holding;
}

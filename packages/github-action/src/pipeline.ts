// The front half every command shares, as the CLI strings it together (packages/provisioner
// src/cli/pipeline.ts): pick the workspaces, read the live state, plan on the server's clock.
// Those helpers are not exported by the library, so their few lines are repeated here.
import { plan as makePlan, read, type ClientFactory, type Desired, type Live, type Plan, type WorkspaceConnection } from "@timely-keys/provisioner";
import { InputError, type ActionInputs } from "./inputs.js";

export interface Planned {
  live: Live;
  plan: Plan;
  /** The server's clock at read time. */
  now: Date;
}

/** Unknown workspace names or key ids in the filters are a mistake, not an empty plan. */
export function checkFilters(desired: Desired, inputs: Pick<ActionInputs, "workspaces" | "targets" | "manifestDisplay">): void {
  const names = desired.workspaces.map((w) => w.name);
  for (const name of inputs.workspaces) {
    if (!names.includes(name)) {
      throw new InputError(`input workspace: ${name} is not a workspace of ${inputs.manifestDisplay} (it has: ${names.join(", ") || "none"})`);
    }
  }
  const ids = new Set(desired.workspaces.flatMap((w) => w.keys.map((k) => k.id)));
  for (const id of inputs.targets) {
    if (!ids.has(id)) throw new InputError(`input target: ${id} is not a key id of ${inputs.manifestDisplay}`);
  }
}

export function connectionsOf(desired: Desired, workspaces: readonly string[]): WorkspaceConnection[] {
  return desired.workspaces
    .filter((w) => workspaces.length === 0 || workspaces.includes(w.name))
    .map((w) => ({ name: w.name, tokenEnv: w.tokenEnv, ...(w.apiUrl ? { apiUrl: w.apiUrl } : {}) }));
}

/** "now" is the server's clock (the Date header), so a runner with a skewed clock cannot rotate early or late. */
export function serverNowOf(live: Live, fallback: () => Date = () => new Date()): Date {
  const times = live.workspaces.map((w) => Date.parse(w.serverNow)).filter((t) => Number.isFinite(t));
  return times.length > 0 ? new Date(Math.max(...times)) : fallback();
}

export async function readAndPlan(desired: Desired, clients: ClientFactory, inputs: Pick<ActionInputs, "workspaces" | "targets">): Promise<Planned> {
  const live = await read(connectionsOf(desired, inputs.workspaces), { clients });
  const now = serverNowOf(live);
  const plan = makePlan(desired, live, now, {
    ...(inputs.workspaces.length > 0 ? { workspaces: inputs.workspaces } : {}),
    ...(inputs.targets.length > 0 ? { targets: inputs.targets } : {}),
  });
  return { live, plan, now };
}

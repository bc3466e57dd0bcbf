// `rotate --exposed-to WHO`: which manifest entries a person (or a team) could read, from the
// entries' and workspaces' `access:` lists and the manifest's `teams:`; and what `rotate` then
// rotates. Pure: no I/O.
import type { Desired } from "./desired.js";
import { UserError } from "./errors.js";
import type { PlanOptions } from "./model.js";

export interface ExposedEntry {
  workspace: string;
  entryId: string;
  name: string;
  /** The access items that matched (the person, or `team:NAME` of a team they are in). */
  via: string[];
}

/** Every enabled entry whose access lists one of `who` or a team one of them belongs to, in manifest order. */
export function exposedEntries(desired: Desired, who: readonly string[]): ExposedEntry[] {
  const wanted = new Set<string>();
  for (const person of who) {
    const id = normalize(person);
    wanted.add(id);
    for (const team of desired.teams ?? []) {
      if (team.members.some((member) => normalize(member) === id)) wanted.add(`team:${team.name.toLowerCase()}`);
    }
  }
  const found: ExposedEntry[] = [];
  for (const workspace of desired.workspaces) {
    for (const entry of workspace.keys) {
      if (!entry.enabled) continue;
      const via = (entry.access ?? []).filter((item) => wanted.has(normalize(item)));
      if (via.length > 0) found.push({ workspace: workspace.name, entryId: entry.id, name: entry.name, via });
    }
  }
  return found;
}

/** E-mail addresses and team names compare without case (Alice@Acme.com is alice@acme.com). */
function normalize(item: string): string {
  return item.trim().toLowerCase();
}

export interface RotationRequest {
  /** The entry ids to plan for. */
  targets: string[];
  options: Pick<PlanOptions, "forceRotate" | "compromised" | "revokeFirst">;
  /** With `exposedTo`: what was found, for the caller to show before the plan. */
  exposed: ExposedEntry[];
}

/**
 * What `rotate` rotates, for the CLI and the Action alike: the keys named in `targets`, or every key
 * of the selected workspaces whose access lists someone in `exposedTo`; as an emergency
 * (`compromised`, optionally `revokeFirst`) when asked. `named` says how the caller spells the
 * exposed-to option and the manifest, for the error when no key matches. `desired` is read only
 * with `exposedTo`.
 */
export function rotationRequest(
  desired: Desired | undefined,
  request: {
    targets: readonly string[];
    workspaces: readonly string[];
    exposedTo: readonly string[];
    compromised: boolean;
    revokeFirst: boolean;
  },
  named: { exposedTo: string; manifest: string },
): RotationRequest {
  let targets = [...request.targets];
  let force = [...request.targets];
  let exposed: ExposedEntry[] = [];
  if (request.exposedTo.length > 0) {
    if (desired === undefined) throw new Error("rotationRequest: exposedTo needs the manifest");
    const scope =
      request.workspaces.length === 0
        ? desired
        : { ...desired, workspaces: desired.workspaces.filter((w) => request.workspaces.includes(w.name)) };
    exposed = exposedEntries(scope, request.exposedTo);
    if (exposed.length === 0) {
      throw new UserError(
        `${named.exposedTo} ${request.exposedTo.join(", ")}: no key in ${named.manifest} lists them (or their teams) ` +
          "in access: nothing to rotate",
      );
    }
    targets = [...new Set(exposed.map((f) => f.entryId))];
    force = exposed.map((f) => `${f.workspace}/${f.entryId}`);
  }
  const options = request.compromised
    ? { forceRotate: force, compromised: force, revokeFirst: request.revokeFirst }
    : { forceRotate: force };
  return { targets, options, exposed };
}

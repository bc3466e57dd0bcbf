// `rotate --exposed-to WHO`: which manifest entries a person (or a team) could read, from the
// entries' and workspaces' `access:` lists and the manifest's `teams:`. Pure: no I/O.
import type { Desired } from "./desired.js";

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

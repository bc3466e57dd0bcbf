// Workspace identity: which live workspace each manifest workspace's token really belongs to.
// A token copied into the wrong variable would otherwise plan another workspace's keys as "removed
// from the manifest" and deactivate them. Checked after GET /v1/me and before anything is planned,
// so a mismatch stops the run with zero mutating requests.
import type { DesiredWorkspace } from "./desired.js";
import { UserError } from "./errors.js";
import type { Live } from "./model.js";

type Pinned = Pick<DesiredWorkspace, "name" | "tokenEnv" | "id">;

/**
 * Throws a UserError when a pinned id differs from the live workspace its token answers for, or
 * when two manifest workspaces resolve to one live workspace (both read, a read one whose live id is
 * pinned by another, or two that name variables holding the same token).
 */
export function checkWorkspaceIdentity(manifest: readonly Pinned[], live: Live, env: NodeJS.ProcessEnv): void {
  const byName = new Map(manifest.map((workspace) => [workspace.name, workspace]));
  const owners = new Map<string, string>();
  for (const liveWs of live.workspaces) {
    const workspaceId = liveWs.workspaceId;
    const declared = byName.get(liveWs.name);
    if (workspaceId === undefined || declared === undefined) continue;
    if (declared.id !== undefined && declared.id !== workspaceId) {
      throw new UserError(
        `workspace ${declared.name}: the management token in ${declared.tokenEnv} belongs to live workspace ` +
          `${workspaceId}, ` +
          `but the manifest pins id ${declared.id}; nothing was changed. Put ${declared.name}'s own token in ` +
          `${declared.tokenEnv}.`,
      );
    }
    const other =
      owners.get(workspaceId) ?? manifest.find((w) => w.name !== declared.name && w.id === workspaceId)?.name;
    if (other !== undefined) throw sharedWorkspace(declared.name, other, workspaceId);
    owners.set(workspaceId, declared.name);
  }
  // Without a request: two variables holding one token are one workspace.
  const read = new Set(live.workspaces.map((w) => w.name));
  for (const name of read) {
    const declared = byName.get(name);
    const token = declared === undefined ? undefined : env[declared.tokenEnv]?.trim();
    if (declared === undefined || !token) continue;
    const twin = manifest.find(
      (w) => w.name !== name && w.tokenEnv !== declared.tokenEnv && env[w.tokenEnv]?.trim() === token,
    );
    if (twin !== undefined)
      throw sharedWorkspace(name, twin.name, `of ${declared.tokenEnv} and ${twin.tokenEnv} (the same token)`);
  }
}

function sharedWorkspace(first: string, second: string, what: string): UserError {
  return new UserError(
    `workspaces ${first} and ${second} of the manifest resolve to the same live workspace ${what}; nothing was ` +
      `changed. ` +
      "Each manifest workspace needs its own workspace's management token (pin each with `id:`).",
  );
}

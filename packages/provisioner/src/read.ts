// read: the live keys of each workspace (every page, nothing per key) and the server's clock.
import {
  AuthenticationError,
  InvalidResponseError,
  PermissionError,
  type ApiKey,
  type TimelyClient,
} from "@timely-keys/sdk";
import type { ClientFactory, WorkspaceConnection } from "./clients.js";
import { mapBounded, WORKSPACE_CONCURRENCY } from "./bounded.js";
import { ManagementTokenError } from "./errors.js";
import type { Live, LiveWorkspace } from "./model.js";

export interface ReadOptions {
  clients: ClientFactory;
  signal?: AbortSignal;
  /** Workspaces read at once (default WORKSPACE_CONCURRENCY). */
  workspaceConcurrency?: number;
}

export async function read(workspaces: readonly WorkspaceConnection[], options: ReadOptions): Promise<Live> {
  // Workspaces are independent: read them side by side (each has its own token and rate limit).
  const live = await mapBounded(workspaces, options.workspaceConcurrency ?? WORKSPACE_CONCURRENCY, (workspace) =>
    readWorkspace(workspace, options),
  );
  return { workspaces: live };
}

export async function readWorkspace(workspace: WorkspaceConnection, options: ReadOptions): Promise<LiveWorkspace> {
  const client = options.clients(workspace);
  const keys: ApiKey[] = [];
  let workspaceId: string;
  try {
    // First: which live workspace this token belongs to (checked against the manifest's pin
    // before anything is planned or changed).
    workspaceId = (await client.me({ signal: options.signal })).workspace_id;
    for await (const key of client.apiKeys.list({ perPage: 100, signal: options.signal })) {
      checkKeyShape(key, keys.length, workspace.name);
      keys.push(key);
    }
  } catch (error) {
    throw asTokenError(error, workspace) ?? error;
  }
  return { name: workspace.name, keys, serverNow: serverNow(client).toISOString(), workspaceId };
}

/** The server's clock when known, the local one otherwise (an answer without a Date header). */
export function serverNow(client: TimelyClient): Date {
  return client.serverTime() ?? new Date();
}

/** 401/403 on the management token: stop this workspace with a message naming the env var. */
export function asTokenError(error: unknown, workspace: WorkspaceConnection): ManagementTokenError | undefined {
  if (error instanceof AuthenticationError) {
    return new ManagementTokenError(
      workspace.name,
      workspace.tokenEnv,
      `workspace ${workspace.name}: the management token in ${workspace.tokenEnv} was rejected (401 UNAUTHORIZED): it is invalid, revoked or expired`,
    );
  }
  if (error instanceof PermissionError) {
    return new ManagementTokenError(
      workspace.name,
      workspace.tokenEnv,
      `workspace ${workspace.name}: the management token in ${workspace.tokenEnv} may not do this (403 FORBIDDEN): only owners and managers may create, edit, activate, deactivate or revoke keys, and an API key (tml_) can never manage keys`,
    );
  }
  return undefined;
}

/**
 * The planner trusts the fields of live keys, so an answer that breaks the contract stops here with
 * one clear message (naming the field, never its value) instead of failing deep inside plan.
 */
function checkKeyShape(key: unknown, index: number, workspace: string): asserts key is ApiKey {
  const problem = keyShapeProblem(key);
  if (problem === undefined) return;
  throw new InvalidResponseError({
    message: `workspace ${workspace}: key ${index + 1} of the list does not match the API contract (${problem})`,
    code: "INVALID_RESPONSE",
  });
}

function keyShapeProblem(key: unknown): string | undefined {
  if (typeof key !== "object" || key === null || Array.isArray(key)) return "it is not an object";
  const fields = key as Record<string, unknown>;
  for (const name of ["id", "workspace_id", "name", "created_at", "updated_at"]) {
    if (typeof fields[name] !== "string") return `${name} is not a string`;
  }
  for (const name of ["description", "expires_at", "last_used_at", "deactivated_at"]) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== "string")
      return `${name} is not a string`;
  }
  if (fields.status !== "active" && fields.status !== "inactive") return "status is neither active nor inactive";
  if (!Array.isArray(fields.scopes) || !fields.scopes.every((scope) => typeof scope === "string"))
    return "scopes is not a list of strings";
  return undefined;
}

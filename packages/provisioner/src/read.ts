// read: the live keys of each workspace (every page, nothing per key) and the server's clock.
import { AuthenticationError, PermissionError, type ApiKey, type TimelyClient } from "@timely-keys/sdk";
import type { ClientFactory, WorkspaceConnection } from "./clients.js";
import { ManagementTokenError } from "./errors.js";
import type { Live, LiveWorkspace } from "./model.js";

export interface ReadOptions {
  clients: ClientFactory;
  signal?: AbortSignal;
}

export async function read(workspaces: readonly WorkspaceConnection[], options: ReadOptions): Promise<Live> {
  // Workspaces are independent: read them at once (each has its own token and rate limit).
  const live = await Promise.all(workspaces.map((workspace) => readWorkspace(workspace, options)));
  return { workspaces: live };
}

export async function readWorkspace(workspace: WorkspaceConnection, options: ReadOptions): Promise<LiveWorkspace> {
  const client = options.clients(workspace);
  const keys: ApiKey[] = [];
  try {
    for await (const key of client.apiKeys.list({ perPage: 100, signal: options.signal })) keys.push(key);
  } catch (error) {
    throw asTokenError(error, workspace) ?? error;
  }
  return { name: workspace.name, keys, serverNow: serverNow(client).toISOString() };
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

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
  let keys: ApiKey[];
  let workspaceId: string;
  try {
    // First: which live workspace this token belongs to (checked against the manifest's pin
    // before anything is planned or changed).
    workspaceId = (await client.me({ signal: options.signal })).workspace_id;
    keys = await listAllKeys(client, options.signal);
  } catch (error) {
    throw asTokenError(error, workspace) ?? error;
  }
  for (let index = 0; index < keys.length; index++) checkKeyShape(keys[index], index, workspace.name);
  return { name: workspace.name, keys, serverNow: serverNow(client).toISOString(), workspaceId };
}

/** Pages of one workspace requested at once after the first (which says how many there are). */
export const PAGE_CONCURRENCY = 4;
const PER_PAGE = 100;

/**
 * Every key of the workspace, in page order: page 1, then the other pages side by side (the API pages
 * by number, so they do not depend on each other; the client's pacing keeps them within the rate
 * limit). Like a page-by-page read, it makes ceil(N / 100) requests and ends at the first empty page.
 * After a failed page no further page is requested, and the earliest failed page's error is thrown.
 */
async function listAllKeys(client: TimelyClient, signal: AbortSignal | undefined): Promise<ApiKey[]> {
  const first = await client.apiKeys.listPage({ page: 1, perPage: PER_PAGE, signal });
  const totalPages = first.data.length === 0 ? 1 : first.meta.total_pages;
  const pages: ApiKey[][] = [first.data];
  const failures: Array<{ page: number; error: unknown }> = [];
  let next = 2;
  const worker = async () => {
    while (next <= totalPages && failures.length === 0) {
      const page = next++;
      try {
        pages[page - 1] = (await client.apiKeys.listPage({ page, perPage: PER_PAGE, signal })).data;
      } catch (error) {
        failures.push({ page, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, totalPages - 1) }, worker));
  if (failures.length > 0) throw failures.reduce((a, b) => (b.page < a.page ? b : a)).error;
  const keys: ApiKey[] = [];
  for (const data of pages) {
    if (data === undefined || data.length === 0) break;
    for (const key of data) keys.push(key);
  }
  return keys;
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
      `workspace ${workspace.name}: the management token in ${workspace.tokenEnv} was rejected (401 ` +
        `UNAUTHORIZED): it is invalid, revoked or expired`,
    );
  }
  if (error instanceof PermissionError) {
    return new ManagementTokenError(
      workspace.name,
      workspace.tokenEnv,
      `workspace ${workspace.name}: the management token in ${workspace.tokenEnv} may not do this (403 ` +
        `FORBIDDEN): only owners and managers may create, edit, activate, deactivate or revoke keys, and an API key ` +
        `(tml_) can never manage keys`,
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
  // Field by field by name (every key of every page passes here): the same checks, in the order of the messages.
  const fields = key as Record<string, unknown>;
  if (typeof fields.id !== "string") return "id is not a string";
  if (typeof fields.workspace_id !== "string") return "workspace_id is not a string";
  if (typeof fields.name !== "string") return "name is not a string";
  if (typeof fields.created_at !== "string") return "created_at is not a string";
  if (typeof fields.updated_at !== "string") return "updated_at is not a string";
  if (!isOptionalText(fields.description)) return "description is not a string";
  if (!isOptionalText(fields.expires_at)) return "expires_at is not a string";
  if (!isOptionalText(fields.last_used_at)) return "last_used_at is not a string";
  if (!isOptionalText(fields.deactivated_at)) return "deactivated_at is not a string";
  if (fields.status !== "active" && fields.status !== "inactive") return "status is neither active nor inactive";
  if (!isTextList(fields.scopes)) return "scopes is not a list of strings";
  return undefined;
}

function isOptionalText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "string";
}

function isTextList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  // As `every` reads a list: a hole is skipped (JSON has none).
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string" && i in value) return false;
  return true;
}

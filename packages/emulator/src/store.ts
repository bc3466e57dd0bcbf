import type { Agent, ApiKey, Conversation, KeyStatus, Role, Scope } from "./contract-types.js";

export interface RecentActivity {
  timestamp: number;
  method: string;
  path: string;
  status: number;
  /** The request's User-Agent, cut at 200 characters (absent in states saved before it was kept). */
  userAgent?: string | null;
}

export interface KeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  prefix: string;
  scopes: Scope[];
  status: KeyStatus;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  deactivatedAt: number | null;
  requestCount: number;
  /** SHA-256 of the secret; the secret itself is never stored. */
  secretHash: string;
  successfulRequests: number;
  /** "METHOD /path/template" -> requests. */
  endpoints: Map<string, number>;
  /** Newest first, at most RECENT_ACTIVITY_MAX. */
  recent: RecentActivity[];
}

export interface MemberRecord {
  id: string;
  workspaceId: string;
  name: string;
  role: Role;
  /** SHA-256 of the management token. */
  tokenHash: string;
}

export interface WorkspaceRecord {
  id: string;
  name: string;
  members: MemberRecord[];
  keys: Map<string, KeyRecord>;
  /** Every key of the workspace sorted by (createdAt, id): the list order. */
  ordered: KeyRecord[];
  agents: Agent[];
  conversations: Conversation[];
  messages: number;
}

export type Credential =
  | { kind: "member"; member: MemberRecord; workspace: WorkspaceRecord }
  | { kind: "key"; key: KeyRecord; workspace: WorkspaceRecord };

export const RECENT_ACTIVITY_MAX = 50;

/** The emulator's world. Lookups by id or credential hash are Map hits; listing slices `ordered`. */
export class Store {
  readonly workspaces = new Map<string, WorkspaceRecord>();
  private readonly keysByHash = new Map<string, KeyRecord>();
  private readonly membersByHash = new Map<string, MemberRecord>();

  constructor(
    readonly companyId: string,
    readonly rateLimit: number,
  ) {}

  addWorkspace(workspace: Omit<WorkspaceRecord, "members" | "keys" | "ordered">): WorkspaceRecord {
    const record: WorkspaceRecord = { ...workspace, members: [], keys: new Map(), ordered: [] };
    this.workspaces.set(record.id, record);
    return record;
  }

  addMember(member: MemberRecord): void {
    const workspace = this.requireWorkspace(member.workspaceId);
    workspace.members.push(member);
    this.membersByHash.set(member.tokenHash, member);
  }

  /** Adds a key keeping `ordered` sorted; appending is the common case (time moves forward). */
  addKey(key: KeyRecord): void {
    const workspace = this.requireWorkspace(key.workspaceId);
    workspace.keys.set(key.id, key);
    this.keysByHash.set(key.secretHash, key);
    const ordered = workspace.ordered;
    const last = ordered[ordered.length - 1];
    if (!last || compareKeys(last, key) <= 0) ordered.push(key);
    else ordered.splice(lowerBound(ordered, key), 0, key);
  }

  removeKey(key: KeyRecord): void {
    const workspace = this.requireWorkspace(key.workspaceId);
    workspace.keys.delete(key.id);
    this.keysByHash.delete(key.secretHash);
    const index = lowerBound(workspace.ordered, key);
    if (workspace.ordered[index] === key) workspace.ordered.splice(index, 1);
  }

  findCredential(hash: string): Credential | undefined {
    const key = this.keysByHash.get(hash);
    if (key) return { kind: "key", key, workspace: this.requireWorkspace(key.workspaceId) };
    const member = this.membersByHash.get(hash);
    if (member) return { kind: "member", member, workspace: this.requireWorkspace(member.workspaceId) };
    return undefined;
  }

  private requireWorkspace(id: string): WorkspaceRecord {
    const workspace = this.workspaces.get(id);
    if (!workspace) throw new Error(`unknown workspace ${id}`);
    return workspace;
  }
}

function compareKeys(a: KeyRecord, b: KeyRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** First index whose key sorts at or after `key`. */
function lowerBound(ordered: KeyRecord[], key: KeyRecord): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(ordered[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** The contract's view of a key: no secret, no hash. */
export function toApiKey(key: KeyRecord): ApiKey {
  return {
    id: key.id,
    workspace_id: key.workspaceId,
    name: key.name,
    description: key.description,
    prefix: key.prefix,
    scopes: [...key.scopes],
    status: key.status,
    created_at: iso(key.createdAt),
    updated_at: iso(key.updatedAt),
    expires_at: isoOrNull(key.expiresAt),
    last_used_at: isoOrNull(key.lastUsedAt),
    deactivated_at: isoOrNull(key.deactivatedAt),
    request_count: key.requestCount,
  };
}

export function isExpired(key: KeyRecord, nowMs: number): boolean {
  return key.expiresAt !== null && nowMs >= key.expiresAt;
}

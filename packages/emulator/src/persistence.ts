import { mkdir, readFile, rename, writeFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { demoAgents, demoConversations, demoMessageCount } from "./demo-data.js";
import type { KeyStatus, Role, Scope } from "./contract-types.js";
import { Store, type KeyRecord, type RecentActivity } from "./store.js";

/** What the state file holds: hashes, never secrets or tokens; no idempotency cache. */
export interface StateFile {
  format: "timely-keys-emulator-state";
  version: 1;
  company_id: string;
  rate_limit: number;
  clock_offset_ms: number;
  workspaces: Array<{
    id: string;
    name: string;
    agents: number;
    conversations: number;
    members: Array<{ id: string; name: string; role: Role; token_sha256: string }>;
    keys: Array<{
      id: string;
      name: string;
      description: string;
      prefix: string;
      scopes: Scope[];
      status: KeyStatus;
      created_at: number;
      updated_at: number;
      expires_at: number | null;
      last_used_at: number | null;
      deactivated_at: number | null;
      request_count: number;
      successful_requests: number;
      secret_sha256: string;
      endpoints: Array<[string, number]>;
      recent: RecentActivity[];
    }>;
  }>;
}

export function serializeStore(store: Store, clockOffsetMs: number): StateFile {
  return {
    format: "timely-keys-emulator-state",
    version: 1,
    company_id: store.companyId,
    rate_limit: store.rateLimit,
    clock_offset_ms: clockOffsetMs,
    workspaces: [...store.workspaces.values()].map((ws) => ({
      id: ws.id,
      name: ws.name,
      agents: ws.agents.length,
      conversations: ws.conversations.length,
      members: ws.members.map((m) => ({ id: m.id, name: m.name, role: m.role, token_sha256: m.tokenHash })),
      keys: ws.ordered.map((k) => ({
        id: k.id,
        name: k.name,
        description: k.description,
        prefix: k.prefix,
        scopes: k.scopes,
        status: k.status,
        created_at: k.createdAt,
        updated_at: k.updatedAt,
        expires_at: k.expiresAt,
        last_used_at: k.lastUsedAt,
        deactivated_at: k.deactivatedAt,
        request_count: k.requestCount,
        successful_requests: k.successfulRequests,
        secret_sha256: k.secretHash,
        endpoints: [...k.endpoints],
        recent: k.recent,
      })),
    })),
  };
}

export function deserializeStore(state: StateFile, rateLimitOverride?: number): Store {
  if (state?.format !== "timely-keys-emulator-state" || state.version !== 1) {
    throw new Error("not a timely-keys emulator state file (format/version missing or unknown)");
  }
  const store = new Store(state.company_id, rateLimitOverride ?? state.rate_limit);
  for (const ws of state.workspaces) {
    const agents = demoAgents(ws.id, ws.agents);
    const conversations = demoConversations(ws.id, ws.conversations, agents);
    store.addWorkspace({
      id: ws.id,
      name: ws.name,
      agents,
      conversations,
      messages: demoMessageCount(conversations.length),
    });
    for (const m of ws.members)
      store.addMember({ id: m.id, workspaceId: ws.id, name: m.name, role: m.role, tokenHash: m.token_sha256 });
    for (const k of ws.keys) {
      const key: KeyRecord = {
        id: k.id,
        workspaceId: ws.id,
        name: k.name,
        description: k.description,
        prefix: k.prefix,
        scopes: k.scopes,
        status: k.status,
        createdAt: k.created_at,
        updatedAt: k.updated_at,
        expiresAt: k.expires_at,
        lastUsedAt: k.last_used_at,
        deactivatedAt: k.deactivated_at,
        requestCount: k.request_count,
        successfulRequests: k.successful_requests,
        secretHash: k.secret_sha256,
        endpoints: new Map(k.endpoints),
        recent: k.recent,
      };
      store.addKey(key);
    }
  }
  return store;
}

/** Reads a state file; undefined when it does not exist yet. */
export async function readStateFile(path: string): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${path}: cannot read the state file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as StateFile;
  } catch {
    throw new Error(`${path}: the state file is not valid JSON`);
  }
}

/**
 * Writes the state file atomically (temp file + rename) and coalesces bursts: mutations only mark
 * the state dirty; one write runs at a time and picks up everything marked meanwhile.
 */
export class StateWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private lastError: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => StateFile,
    private readonly delayMs = 20,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.delayMs);
  }

  /** Writes any pending change now; resolves once the file on disk is current. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.drain();
    if (this.lastError) {
      const error = this.lastError;
      this.lastError = undefined;
      throw error;
    }
  }

  private async drain(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.writing = (async () => {
      while (this.dirty) {
        this.dirty = false;
        try {
          await writeAtomically(this.path, JSON.stringify(this.snapshot()), ++this.sequence);
        } catch (error) {
          this.lastError = error as Error;
        }
      }
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }
}

async function writeAtomically(path: string, text: string, sequence: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${sequence}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

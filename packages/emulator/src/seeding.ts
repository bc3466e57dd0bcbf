import { demoAgents, demoConversations, demoMessageCount } from "./demo-data.js";
import { stableId } from "./ids.js";
import { hashCredential, maskSecret, mintSecret } from "./secrets.js";
import type { Seed, SeedKey } from "./seed.js";
import { Store, type KeyRecord } from "./store.js";

export const DEFAULT_RATE_LIMIT = 100;
const DAY = 86_400_000;

export interface SeedingOptions {
  nowMs: number;
  /** Wins over the seed's rate_limit. */
  rateLimit?: number;
  /** Called with every secret the seed declares (not for random ones nobody can know). */
  onKnownSecret?: (secret: string) => void;
}

/** Builds the world a seed describes. */
export function buildStore(seed: Seed, options: SeedingOptions): Store {
  const companyId = seed.company_id ?? stableId("company");
  const store = new Store(companyId, options.rateLimit ?? seed.rate_limit ?? DEFAULT_RATE_LIMIT);
  for (const ws of seed.workspaces ?? []) {
    const id = ws.id ?? stableId("workspace", ws.name);
    const agents = demoAgents(id, ws.agents ?? 0);
    const conversations = demoConversations(id, ws.conversations ?? 0, agents);
    store.addWorkspace({ id, name: ws.name, agents, conversations, messages: demoMessageCount(conversations.length) });
    (ws.members ?? []).forEach((member, index) => {
      store.addMember({
        id: stableId(id, "member", String(index), member.name),
        workspaceId: id,
        name: member.name,
        role: member.role,
        tokenHash: hashCredential(member.token),
      });
    });
    (ws.keys ?? []).forEach((key, index) => {
      if (key.secret) options.onKnownSecret?.(key.secret);
      store.addKey(seedKey(id, key, index, options.nowMs));
    });
    const generated = ws.generated_keys ?? 0;
    for (let i = 0; i < generated; i++) {
      // Staggered a second apart, oldest first, all before "now".
      const createdAt = options.nowMs - (generated - i) * 1000;
      store.addKey(
        newKeyRecord({
          id: stableId(id, "generated-key", String(i)),
          workspaceId: id,
          name: `generated-key-${String(i + 1).padStart(5, "0")}`,
          description: "",
          scopes: ["read"],
          secret: mintSecret(),
          createdAt,
          expiresInDays: null,
        }),
      );
    }
  }
  return store;
}

function seedKey(workspaceId: string, key: SeedKey, index: number, nowMs: number): KeyRecord {
  const createdAt = key.created_at ? Date.parse(key.created_at) : nowMs;
  const record = newKeyRecord({
    id: key.id ?? stableId(workspaceId, "seed-key", String(index), key.name),
    workspaceId,
    name: key.name,
    description: key.description ?? "",
    scopes: key.scopes,
    secret: key.secret ?? mintSecret(),
    createdAt,
    expiresInDays: key.expires_in_days ?? null,
  });
  record.lastUsedAt = key.last_used_at ? Date.parse(key.last_used_at) : null;
  record.requestCount = key.request_count ?? 0;
  record.successfulRequests = record.requestCount;
  if (key.status === "inactive") {
    record.status = "inactive";
    record.deactivatedAt = key.deactivated_at ? Date.parse(key.deactivated_at) : createdAt;
  }
  return record;
}

export interface NewKey {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  scopes: KeyRecord["scopes"];
  secret: string;
  createdAt: number;
  expiresInDays: number | null;
}

export function newKeyRecord(key: NewKey): KeyRecord {
  return {
    id: key.id,
    workspaceId: key.workspaceId,
    name: key.name,
    description: key.description,
    prefix: maskSecret(key.secret),
    scopes: [...key.scopes],
    status: "active",
    createdAt: key.createdAt,
    updatedAt: key.createdAt,
    expiresAt: key.expiresInDays === null ? null : key.createdAt + key.expiresInDays * DAY,
    lastUsedAt: null,
    deactivatedAt: null,
    requestCount: 0,
    secretHash: hashCredential(key.secret),
    successfulRequests: 0,
    endpoints: new Map(),
    recent: [],
  };
}

import type { ApiKey, Role } from "./contract-types.js";
import type { Clock } from "./clock.js";
import { toApiKey, type Store } from "./store.js";

/** `GET /_emulator/state`: the world without secrets, hashes or tokens. */
export interface StateDump {
  now: string;
  clock_offset_seconds: number;
  company_id: string;
  rate_limit: number;
  workspaces: Array<{
    id: string;
    name: string;
    members: Array<{ id: string; name: string; role: Role }>;
    keys: ApiKey[];
    agents: number;
    conversations: number;
  }>;
}

export function dumpState(store: Store, clock: Clock): StateDump {
  return {
    now: clock.now().toISOString(),
    clock_offset_seconds: clock.getOffsetMs() / 1000,
    company_id: store.companyId,
    rate_limit: store.rateLimit,
    workspaces: [...store.workspaces.values()].map((ws) => ({
      id: ws.id,
      name: ws.name,
      members: ws.members.map((m) => ({ id: m.id, name: m.name, role: m.role })),
      keys: ws.ordered.map(toApiKey),
      agents: ws.agents.length,
      conversations: ws.conversations.length,
    })),
  };
}

import type { Agent, Conversation } from "./contract-types.js";
import { stableId } from "./ids.js";

// Demo records are derived from the workspace id and a count, so the state file only keeps counts.
const DATA_EPOCH = Date.parse("2026-01-05T09:00:00.000Z");
const HOUR = 3_600_000;
const AGENT_NAMES = ["Sales Assistant", "Support Bot", "Onboarding Guide", "Billing Helper", "Scheduler"];

/** Past the list of names, the same names again with a number: "Ada 2". */
function agentName(i: number): string {
  const round = Math.floor(i / AGENT_NAMES.length);
  return `${AGENT_NAMES[i % AGENT_NAMES.length]}${round > 0 ? ` ${round + 1}` : ""}`;
}

export function demoAgents(workspaceId: string, count: number): Agent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: stableId(workspaceId, "agent", String(i)),
    name: agentName(i),
    status: i % 4 === 3 ? "paused" : "active",
    created_at: new Date(DATA_EPOCH + i * 24 * HOUR).toISOString(),
  }));
}

export function demoConversations(workspaceId: string, count: number, agents: Agent[]): Conversation[] {
  return Array.from({ length: count }, (_, i) => ({
    id: stableId(workspaceId, "conversation", String(i)),
    agent_id: agents[i % agents.length]!.id,
    status: i % 3 === 0 ? "closed" : "open",
    created_at: new Date(DATA_EPOCH + i * HOUR).toISOString(),
  }));
}

export function demoMessageCount(conversations: number): number {
  let total = 0;
  for (let i = 0; i < conversations; i++) total += 3 + (i % 7);
  return total;
}

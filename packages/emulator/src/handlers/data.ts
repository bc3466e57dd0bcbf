import { ok } from "../answer.js";
import type { AnalyticsSummary } from "../contract-types.js";
import { parsePagination } from "../validation.js";
import { callerWorkspace, pageMeta, type Handler } from "./context.js";

function page<T>(items: T[], query: URLSearchParams) {
  const { page, perPage } = parsePagination(query);
  const start = (page - 1) * perPage;
  return {
    status: 200,
    body: { data: items.slice(start, start + perPage), meta: pageMeta(page, perPage, items.length) },
  };
}

export const listAgents: Handler = (ctx) => page(callerWorkspace(ctx).agents, ctx.query);

export const listConversations: Handler = (ctx) => page(callerWorkspace(ctx).conversations, ctx.query);

export const getAnalyticsSummary: Handler = (ctx) => {
  const workspace = callerWorkspace(ctx);
  const summary: AnalyticsSummary = {
    conversations: workspace.conversations.length,
    agents: workspace.agents.length,
    messages: workspace.messages,
    period_start: new Date(ctx.nowMs - 30 * 86_400_000).toISOString(),
    period_end: new Date(ctx.nowMs).toISOString(),
  };
  return ok(summary);
};

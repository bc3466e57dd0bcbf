import type { Answer } from "../answer.js";
import type { EmulatorCore } from "../core.js";
import type { Credential, WorkspaceRecord } from "../store.js";

export interface HandlerContext {
  core: EmulatorCore;
  /** The authenticated caller; absent only on public routes. */
  credential: Credential | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  nowMs: number;
}

export type Handler = (ctx: HandlerContext) => Answer;

export function callerWorkspace(ctx: HandlerContext): WorkspaceRecord {
  if (!ctx.credential) throw new Error("route needs a credential");
  return ctx.credential.workspace;
}

export function pageMeta(page: number, perPage: number, total: number) {
  return { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) };
}

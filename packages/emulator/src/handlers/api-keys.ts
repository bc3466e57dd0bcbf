import { ok, type Answer } from "../answer.js";
import type { CreatedApiKey } from "../contract-types.js";
import { notFound } from "../errors.js";
import { newId } from "../ids.js";
import { mintSecret } from "../secrets.js";
import { newKeyRecord } from "../seeding.js";
import { toApiKey, type KeyRecord } from "../store.js";
import { parseCreateBody, parseKeyId, parsePagination, parseStatusFilter, parseUpdateBody } from "../validation.js";
import { callerWorkspace, pageMeta, type Handler, type HandlerContext } from "./context.js";

export const listApiKeys: Handler = (ctx) => {
  const { page, perPage } = parsePagination(ctx.query);
  const status = parseStatusFilter(ctx.query);
  const ordered = callerWorkspace(ctx).ordered;
  // Unfiltered pages are a slice of the ordered array; a status filter has to look at every key.
  const matching = status ? ordered.filter((key) => key.status === status) : ordered;
  const start = (page - 1) * perPage;
  const data = start >= matching.length ? [] : matching.slice(start, start + perPage).map(toApiKey);
  return { status: 200, body: { data, meta: pageMeta(page, perPage, matching.length) } };
};

export const createApiKey: Handler = (ctx) => {
  const input = parseCreateBody(ctx.body);
  const workspace = callerWorkspace(ctx);
  const secret = mintSecret();
  const key = newKeyRecord({
    id: newId(),
    workspaceId: workspace.id,
    name: input.name,
    description: input.description,
    scopes: input.scopes,
    secret,
    createdAt: ctx.nowMs,
    expiresInDays: input.expiresInDays,
  });
  ctx.core.store.addKey(key);
  ctx.core.recordSecret(secret);
  ctx.core.changed();
  const created: CreatedApiKey = { ...toApiKey(key), secret };
  return ok(created, 201);
};

export const getApiKey: Handler = (ctx) => ok(toApiKey(findKey(ctx)));

export const updateApiKey: Handler = (ctx) => {
  const key = findKey(ctx);
  const input = parseUpdateBody(ctx.body);
  if (input.name !== undefined) key.name = input.name;
  if (input.description !== undefined) key.description = input.description;
  key.updatedAt = ctx.nowMs;
  ctx.core.changed();
  return ok(toApiKey(key));
};

export const revokeApiKey: Handler = (ctx): Answer => {
  ctx.core.store.removeKey(findKey(ctx));
  ctx.core.changed();
  return { status: 204 };
};

export const activateApiKey: Handler = (ctx) => {
  const key = findKey(ctx);
  if (key.status !== "active") {
    key.status = "active";
    key.deactivatedAt = null;
    key.updatedAt = ctx.nowMs;
    ctx.core.changed();
  }
  return ok(toApiKey(key));
};

export const deactivateApiKey: Handler = (ctx) => {
  const key = findKey(ctx);
  if (key.status !== "inactive") {
    key.status = "inactive";
    key.deactivatedAt = ctx.nowMs;
    key.updatedAt = ctx.nowMs;
    ctx.core.changed();
  }
  return ok(toApiKey(key));
};

/** The key named by the path, in the caller's workspace only: another workspace's key is NOT_FOUND. */
export function findKey(ctx: HandlerContext): KeyRecord {
  const id = parseKeyId(ctx.params.key_id);
  const key = callerWorkspace(ctx).keys.get(id);
  if (!key) throw notFound(`No API key ${id} in this workspace`);
  return key;
}

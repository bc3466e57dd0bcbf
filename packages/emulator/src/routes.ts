import type { Access } from "./auth.js";
import {
  activateApiKey,
  createApiKey,
  deactivateApiKey,
  getApiKey,
  listApiKeys,
  revokeApiKey,
  updateApiKey,
} from "./handlers/api-keys.js";
import type { Handler } from "./handlers/context.js";
import { getAnalyticsSummary, listAgents, listConversations } from "./handlers/data.js";
import { getHealth } from "./handlers/health.js";
import { getMe } from "./handlers/me.js";
import { getApiKeyUsage } from "./handlers/usage.js";

export interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The contract's path template, e.g. `/v1/api-keys/{key_id}`. */
  template: string;
  operationId: string;
  access: Access;
  /** Reads a JSON body. */
  body: boolean;
  /** Honours Idempotency-Key (POSTs). */
  idempotent: boolean;
  handler: Handler;
}

const read: Access = { kind: "manage", write: false };
const write: Access = { kind: "manage", write: true };

/** One entry per operation of packages/contract/openapi/timely-api-keys.yaml (test/contract.test.ts checks). */
export const routes: Route[] = [
  {
    method: "GET",
    template: "/v1/health",
    operationId: "getHealth",
    access: { kind: "public" },
    body: false,
    idempotent: false,
    handler: getHealth,
  },
  {
    method: "GET",
    template: "/v1/me",
    operationId: "getMe",
    access: { kind: "any" },
    body: false,
    idempotent: false,
    handler: getMe,
  },
  {
    method: "GET",
    template: "/v1/api-keys",
    operationId: "listApiKeys",
    access: read,
    body: false,
    idempotent: false,
    handler: listApiKeys,
  },
  {
    method: "POST",
    template: "/v1/api-keys",
    operationId: "createApiKey",
    access: write,
    body: true,
    idempotent: true,
    handler: createApiKey,
  },
  {
    method: "GET",
    template: "/v1/api-keys/{key_id}",
    operationId: "getApiKey",
    access: read,
    body: false,
    idempotent: false,
    handler: getApiKey,
  },
  {
    method: "PATCH",
    template: "/v1/api-keys/{key_id}",
    operationId: "updateApiKey",
    access: write,
    body: true,
    idempotent: false,
    handler: updateApiKey,
  },
  {
    method: "DELETE",
    template: "/v1/api-keys/{key_id}",
    operationId: "revokeApiKey",
    access: write,
    body: false,
    idempotent: false,
    handler: revokeApiKey,
  },
  {
    method: "POST",
    template: "/v1/api-keys/{key_id}/activate",
    operationId: "activateApiKey",
    access: write,
    body: false,
    idempotent: true,
    handler: activateApiKey,
  },
  {
    method: "POST",
    template: "/v1/api-keys/{key_id}/deactivate",
    operationId: "deactivateApiKey",
    access: write,
    body: false,
    idempotent: true,
    handler: deactivateApiKey,
  },
  {
    method: "GET",
    template: "/v1/api-keys/{key_id}/usage",
    operationId: "getApiKeyUsage",
    access: read,
    body: false,
    idempotent: false,
    handler: getApiKeyUsage,
  },
  {
    method: "GET",
    template: "/v1/agents",
    operationId: "listAgents",
    access: { kind: "scopes", anyOf: ["read", "agents"] },
    body: false,
    idempotent: false,
    handler: listAgents,
  },
  {
    method: "GET",
    template: "/v1/conversations",
    operationId: "listConversations",
    access: { kind: "scopes", anyOf: ["read", "conversations"] },
    body: false,
    idempotent: false,
    handler: listConversations,
  },
  {
    method: "GET",
    template: "/v1/analytics/summary",
    operationId: "getAnalyticsSummary",
    access: { kind: "scopes", anyOf: ["analytics"] },
    body: false,
    idempotent: false,
    handler: getAnalyticsSummary,
  },
];

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "none" };

const compiled = routes.map((route) => ({ route, segments: route.template.split("/") }));

export function matchRoute(method: string, pathname: string): RouteMatch {
  const segments = pathname.split("/");
  const allowed: string[] = [];
  for (const { route, segments: template } of compiled) {
    const params = matchSegments(template, segments);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const a = actual[i]!;
    if (t.startsWith("{") && t.endsWith("}")) {
      if (a === "") return undefined;
      try {
        params[t.slice(1, -1)] = decodeURIComponent(a);
      } catch {
        params[t.slice(1, -1)] = a;
      }
    } else if (t !== a) return undefined;
  }
  return params;
}

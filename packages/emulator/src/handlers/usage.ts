import { ok } from "../answer.js";
import type { KeyUsage } from "../contract-types.js";
import { topEndpoints } from "../core.js";
import { findKey } from "./api-keys.js";
import type { Handler } from "./context.js";

export const getApiKeyUsage: Handler = (ctx) => {
  const key = findKey(ctx);
  const usage: KeyUsage = {
    key_id: key.id,
    total_requests: key.requestCount,
    successful_requests: key.successfulRequests,
    success_rate: key.requestCount === 0 ? null : key.successfulRequests / key.requestCount,
    last_used_at: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
    top_endpoints: topEndpoints(key),
    recent_activity: key.recent.map((r) => ({
      timestamp: new Date(r.timestamp).toISOString(),
      method: r.method,
      path: r.path,
      status: r.status,
      user_agent: r.userAgent ?? null,
    })),
  };
  return ok(usage);
};

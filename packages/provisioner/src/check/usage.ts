// Findings from a key's usage statistics (`GET /v1/api-keys/{id}/usage`: totals, top endpoints and
// the last 50 requests). "Recent" means those of the last 50 requests made within the last
// RECENT_WINDOW_SECONDS. Pure: the usage answer, the key and the clock in, findings out.
import type { ApiKey, KeyUsage } from "@timely-keys/sdk";
import { HOUR, isoOrNull, ms, SECOND } from "../plan/time.js";
import { VERIFY_USER_AGENT } from "../self-calls.js";
import { MIN_RECENT_SAMPLE, RECENT_WINDOW_SECONDS, type Finding, type MonitorSettings } from "./model.js";

type UsageFinding = Pick<Finding, "kind" | "severity" | "evidence" | "fix">;

type Request = KeyUsage["recent_activity"][number];

/** Endpoints named by method and path template (`GET /v1/api-keys/{key_id}`), as top_endpoints does. */
function matchesTemplate(request: Request, endpoint: { method: string; path: string }): boolean {
  if (request.method !== endpoint.method) return false;
  const wanted = endpoint.path.split("/");
  const actual = request.path.split("?")[0]!.split("/");
  return (
    wanted.length === actual.length &&
    wanted.every((part, i) => (part.startsWith("{") && part.endsWith("}")) || part === actual[i])
  );
}

export function usageFindings(key: ApiKey, usage: KeyUsage, now: Date, monitor: MonitorSettings): UsageFinding[] {
  const at = now.getTime();
  // timely-keys' own verification requests are not the integration's use: left out of every rule.
  const isSelf = (r: Request) => (r.user_agent ?? "").startsWith(VERIFY_USER_AGENT);
  const selfRequests = usage.recent_activity.filter(isSelf).length;
  const totalRequests = Math.max(0, usage.total_requests - selfRequests);
  // Newest first, as the contract orders them.
  const all = usage.recent_activity.filter((r) => !isSelf(r)).sort((a, b) => ms(b.timestamp) - ms(a.timestamp));
  const recent = all.filter((r) => at - ms(r.timestamp) <= RECENT_WINDOW_SECONDS * SECOND);
  const found: UsageFinding[] = [];

  const forbidden = recent.filter((r) => r.status === 403);
  if (forbidden.length > 0) {
    found.push({
      kind: "forbidden",
      severity: "warning",
      evidence: {
        forbiddenRequests: forbidden.length,
        recentRequests: recent.length,
        paths: [...new Set(forbidden.map((r) => `${r.method} ${r.path}`))].slice(0, 5),
        lastAt: forbidden[0]!.timestamp,
        scopes: [...key.scopes],
      },
      fix: "review-scopes",
    });
  }

  if (recent.length >= MIN_RECENT_SAMPLE) {
    const successes = recent.filter((r) => r.status < 400).length;
    const rate = successes / recent.length;
    if (rate < monitor.minSuccessRate) {
      found.push({
        kind: "low-success-rate",
        severity: "warning",
        evidence: { successRate: round(rate), recentRequests: recent.length, minSuccessRate: monitor.minSuccessRate },
        fix: "review-client",
      });
    }
    // Requests per hour: over the span of the recent requests (up to now), against the key's whole life.
    const oldest = ms(recent.at(-1)!.timestamp);
    const recentPerHour = recent.length / (Math.max(at - oldest, HOUR) / HOUR);
    const created = ms(key.created_at);
    const lifetimePerHour = totalRequests / (Math.max(at - created, HOUR) / HOUR);
    if (Number.isFinite(lifetimePerHour) && recentPerHour > monitor.spikeFactor * lifetimePerHour) {
      found.push({
        kind: "spike",
        severity: "warning",
        evidence: {
          recentPerHour: round(recentPerHour),
          lifetimePerHour: round(lifetimePerHour),
          spikeFactor: monitor.spikeFactor,
          recentRequests: recent.length,
          since: isoOrNull(oldest),
        },
        fix: "investigate",
      });
    }
  }

  // An endpoint first used recently by a key that was used before it: every one of its lifetime
  // uses (top_endpoints) is among the recent requests, and the key has older requests. (An endpoint
  // outside the top endpoints cannot be judged: no finding.)
  const newEndpoints: string[] = [];
  for (const endpoint of usage.top_endpoints) {
    const uses = all.filter((r) => matchesTemplate(r, endpoint));
    if (uses.length === 0 || uses.length !== endpoint.count) continue;
    // Refused calls are not use: the forbidden finding reports them.
    if (uses.every((r) => r.status === 403)) continue;
    const first = uses.at(-1)!;
    if (at - ms(first.timestamp) > RECENT_WINDOW_SECONDS * SECOND) continue;
    const sinceFirst = all.filter((r) => ms(r.timestamp) >= ms(first.timestamp)).length;
    if (totalRequests > sinceFirst) newEndpoints.push(`${endpoint.method} ${endpoint.path}`);
  }
  if (newEndpoints.length > 0) {
    found.push({
      kind: "new-endpoint",
      severity: "warning",
      evidence: { endpoints: newEndpoints, totalRequests },
      fix: "investigate",
    });
  }
  return found;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

// Usage anomalies from the usage endpoint's answer, against policy.monitor's thresholds.
import type { ApiKey, KeyUsage } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import { DEFAULT_MONITOR } from "../../src/check/model.js";
import { usageFindings } from "../../src/check/usage.js";

const now = new Date("2026-06-01T12:00:00Z");
const HOUR = 3_600_000;
const at = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();

const key = (createdHoursAgo: number) =>
  ({ id: "k", name: "K", created_at: at(createdHoursAgo * HOUR), scopes: ["read"] }) as unknown as ApiKey;

function usage(
  requests: Array<{ path: string; status?: number; ago?: number }>,
  extra: Partial<KeyUsage> = {},
): KeyUsage {
  const recent = requests.map((r) => ({
    timestamp: at(r.ago ?? 60_000),
    method: "GET",
    path: r.path,
    status: r.status ?? 200,
  }));
  const counts = new Map<string, number>();
  for (const r of recent) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
  return {
    key_id: "k",
    total_requests: recent.length,
    successful_requests: recent.filter((r) => r.status < 400).length,
    success_rate: null,
    last_used_at: recent[0]?.timestamp ?? null,
    top_endpoints: [...counts].map(([path, count]) => ({ method: "GET", path, count })),
    recent_activity: recent,
    ...extra,
  };
}

const repeat = (n: number, r: { path: string; status?: number; ago?: number }) => Array.from({ length: n }, () => r);

describe("usageFindings", () => {
  it("low success rate: only with a sample of 10, under minSuccessRate", () => {
    const failing = usage([...repeat(8, { path: "/v1/agents" }), ...repeat(2, { path: "/v1/agents", status: 400 })]);
    expect(usageFindings(key(2), failing, now, DEFAULT_MONITOR).map((f) => f.kind)).toEqual(["low-success-rate"]);
    expect(usageFindings(key(2), failing, now, { ...DEFAULT_MONITOR, minSuccessRate: 0.8 })).toEqual([]);
    const few = usage([...repeat(3, { path: "/v1/agents" }), ...repeat(6, { path: "/v1/agents", status: 400 })]);
    expect(usageFindings(key(2), few, now, DEFAULT_MONITOR)).toEqual([]);
  });

  it("spike: the recent rate against the lifetime average, times spikeFactor", () => {
    const burst = usage(repeat(20, { path: "/v1/agents" }));
    expect(usageFindings(key(24 * 30), burst, now, DEFAULT_MONITOR).map((f) => f.kind)).toEqual(["spike"]);
    expect(usageFindings(key(24 * 30), burst, now, { ...DEFAULT_MONITOR, spikeFactor: 1000 })).toEqual([]);
    // A young key's recent rate is its lifetime rate.
    expect(usageFindings(key(2), burst, now, DEFAULT_MONITOR)).toEqual([]);
  });

  it("forbidden: any recent 403, within the recent window only", () => {
    const denied = usage([{ path: "/v1/analytics/summary", status: 403 }, ...repeat(3, { path: "/v1/agents" })]);
    expect(usageFindings(key(2), denied, now, DEFAULT_MONITOR)).toMatchObject([
      { kind: "forbidden", evidence: { forbiddenRequests: 1, paths: ["GET /v1/analytics/summary"] } },
    ]);
    const old = usage([{ path: "/v1/analytics/summary", status: 403, ago: 8 * 24 * HOUR }]);
    expect(usageFindings(key(24 * 30), old, now, DEFAULT_MONITOR)).toEqual([]);
  });

  it("new endpoint: every use of it is recent and the key was used before it", () => {
    const roaming = usage([{ path: "/v1/conversations" }, ...repeat(5, { path: "/v1/agents", ago: 9 * 24 * HOUR })]);
    expect(usageFindings(key(24 * 20), roaming, now, DEFAULT_MONITOR)).toMatchObject([
      { kind: "new-endpoint", evidence: { endpoints: ["GET /v1/conversations"] } },
    ]);
    // The same endpoint used long ago too: not new.
    const familiar = usage([{ path: "/v1/conversations" }, { path: "/v1/conversations", ago: 9 * 24 * HOUR }]);
    expect(usageFindings(key(24 * 20), familiar, now, DEFAULT_MONITOR)).toEqual([]);
    // A key whose whole life is recent has no "before".
    expect(usageFindings(key(2), usage([{ path: "/v1/agents" }]), now, DEFAULT_MONITOR)).toEqual([]);
  });
});

describe("usageFindings and timely-keys' own requests", () => {
  it("leaves out the verification of a new key: the integration's first endpoint is not 'new'", () => {
    const verified = usage([{ path: "/v1/agents" }, { path: "/v1/agents" }]);
    verified.recent_activity.push({
      timestamp: at(2 * HOUR),
      method: "GET",
      path: "/v1/me",
      status: 200,
      user_agent: "timely-keys-verify/1 timely-keys-sdk/0.1.0",
    });
    verified.total_requests += 1;
    verified.top_endpoints.push({ method: "GET", path: "/v1/me", count: 1 });
    expect(usageFindings(key(3), verified, now, DEFAULT_MONITOR)).toEqual([]);
    // The same first request made by someone else is a use before the new endpoint.
    verified.recent_activity.at(-1)!.user_agent = "curl/8.0";
    expect(usageFindings(key(3), verified, now, DEFAULT_MONITOR).map((f) => f.kind)).toEqual(["new-endpoint"]);
  });
});

// A seeded workspace with one key for each kind of `check` finding (and nothing else wrong), built
// the way real keys get there: seeded history, then real requests made with the keys' secrets at
// controlled emulator times. Shared by the check, report and notification tests.
import type { Emulator, Seed, SeedKey } from "@timely-keys/emulator";
import { OWNER_TOKEN, startTestEmulator } from "../support/emulator.js";
import { type EntryFields, entry, type ManifestSpec, manifestYaml } from "../support/manifest.js";

const DAY = 86_400_000;
/** The emulated "now" of every check in these tests. */
export const NOW = Date.parse("2026-06-01T12:00:00Z");
const iso = (time: number) => new Date(time).toISOString();
const daysAgo = (days: number) => iso(NOW - days * DAY);

/** A seed secret per key (fixtures for the local emulator only): tml_ + 32+ base62. */
const secret = (name: string) => `tml_${`CheckWorld${name.replace(/[^A-Za-z0-9]/g, "")}`.padEnd(40, "0")}`;

/** entry id -> the finding kind its key must produce (exactly one each). */
export const EXPECTED: Record<string, string> = {
  "old-key": "overdue",
  "soon-key": "expiring",
  "dead-key": "expired",
  "stuck-key": "stuck",
  "idle-key": "unused",
  "denied-key": "forbidden",
  "failing-key": "low-success-rate",
  "burst-key": "spike",
  "roaming-key": "new-endpoint",
  "moved-key": "straggler",
  "sinkless-key": "cannot-rotate",
};

function managed(
  id: string,
  generation: number,
  options: Partial<SeedKey> & { phase?: string; promotedDaysAgo?: number } = {},
): SeedKey {
  const { phase, promotedDaysAgo, ...rest } = options;
  const tokens = [
    phase,
    promotedDaysAgo !== undefined ? `@${Math.floor((NOW - promotedDaysAgo * DAY) / 1000)}` : undefined,
  ].filter(Boolean);
  return {
    name: `Key ${id}`,
    description: `[tk:${id}#${generation}${tokens.length > 0 ? ` ${tokens.join(" ")}` : ""}]`,
    scopes: ["read"],
    secret: secret(`${id}${generation}`),
    created_at: daysAgo(5),
    last_used_at: daysAgo(1),
    ...rest,
  };
}

export const worldSeed: Seed = {
  workspaces: [
    {
      name: "acme-prod",
      members: [{ name: "Ana Owner", role: "owner", token: OWNER_TOKEN }],
      agents: 2,
      conversations: 2,
      keys: [
        managed("old-key", 1, { created_at: daysAgo(120) }),
        managed("soon-key", 1, { created_at: daysAgo(80), expires_in_days: 90 }),
        managed("dead-key", 1, { created_at: daysAgo(40), expires_in_days: 30, last_used_at: daysAgo(11) }),
        managed("stuck-key", 1, { created_at: daysAgo(10) }),
        managed("stuck-key", 2, { phase: "pending", created_at: iso(NOW - 2 * 3600_000), last_used_at: null }),
        managed("idle-key", 1, { created_at: daysAgo(60), last_used_at: daysAgo(45) }),
        managed("denied-key", 1, { created_at: iso(NOW - 2 * 3600_000), last_used_at: null, scopes: ["analytics"] }),
        managed("failing-key", 1, { created_at: iso(NOW - 2 * 3600_000), last_used_at: null }),
        managed("burst-key", 1, { created_at: daysAgo(60), last_used_at: null }),
        managed("roaming-key", 1, { created_at: daysAgo(20), last_used_at: null }),
        managed("moved-key", 1, { created_at: daysAgo(40), last_used_at: null, promotedDaysAgo: 40 }),
        managed("moved-key", 2, { created_at: daysAgo(3), last_used_at: daysAgo(1), promotedDaysAgo: 3 }),
        managed("sinkless-key", 1, { created_at: daysAgo(10) }),
        {
          name: "Made by hand <b>",
          description: "Nobody knows",
          scopes: ["read"],
          created_at: daysAgo(5),
          last_used_at: daysAgo(1),
        },
      ],
    },
  ],
} as Seed;

/**
 * The manifest of the world's keys in acme-prod: "Key <id>", read, ./secrets/<id>.env; `spec` adds
 * top-level parts (notify, policy), `entries` changes entries by id.
 */
export function worldManifest(
  spec: Omit<ManifestSpec, "keys" | "workspaces"> = {},
  entries: Record<string, EntryFields> = {},
): string {
  const key = (id: string, fields: EntryFields = {}) => entry(id, { name: `Key ${id}`, ...fields, ...entries[id] });
  return manifestYaml({
    ...spec,
    keys: [
      key("old-key"),
      key("soon-key", { expiresInDays: 90 }),
      key("dead-key", { expiresInDays: 30 }),
      key("stuck-key"),
      key("idle-key"),
      key("denied-key", { scopes: ["analytics"] }),
      key("failing-key"),
      key("burst-key"),
      key("roaming-key"),
      key("moved-key"),
      key("sinkless-key", { deliver: undefined }),
    ],
  });
}

async function call(emulator: Emulator, id: string, generation: number, path: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    const answer = await fetch(`${emulator.url}${path}`, { headers: { "x-api-key": secret(`${id}${generation}`) } });
    await answer.arrayBuffer();
  }
}

/** Starts the emulator 10 days before NOW, makes the older history, then the recent requests at NOW. */
export async function startWorld(): Promise<Emulator> {
  const emulator = await startTestEmulator(worldSeed, { now: iso(NOW - 10 * DAY), rateLimit: 10_000 });
  // roaming-key's history: it always read agents...
  await call(emulator, "roaming-key", 1, "/v1/agents", 12);
  emulator.clock.set(iso(NOW - 60_000));
  // ...and now reads conversations too.
  await call(emulator, "roaming-key", 1, "/v1/conversations");
  // denied-key: mostly fine, one call its scopes do not allow (success rate stays 95%).
  await call(emulator, "denied-key", 1, "/v1/analytics/summary", 19);
  await call(emulator, "denied-key", 1, "/v1/agents");
  // failing-key: 10 invalid requests (400), 2 good ones.
  await call(emulator, "failing-key", 1, "/v1/agents?per_page=1000", 10);
  await call(emulator, "failing-key", 1, "/v1/agents", 2);
  // burst-key: silent for 60 days, then 50 requests at once.
  await call(emulator, "burst-key", 1, "/v1/agents", 50);
  // moved-key #1: a consumer still on the previous key, 3 days after #2 was promoted.
  await call(emulator, "moved-key", 1, "/v1/agents");
  emulator.clock.set(iso(NOW));
  return emulator;
}

// The lifecycle findings (formerly the Action's overdue alarm, now the library's): expired, expiring,
// overdue, on the server's clock, per entry's own rotation settings.
import type { ApiKey } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import { expiryMarginMs } from "../../src/check/lifecycle.js";
import { findings } from "../../src/check/run.js";
import { parseManifest } from "../../src/load.js";
import { formatMarker } from "../../src/marker.js";
import { plan } from "../../src/plan.js";
import { validate } from "../../src/validate.js";
import { entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";

const DAY_MS = 86_400_000;
const now = new Date("2026-06-01T00:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);

const manifest = manifestYaml({
  policy: { rotation: { maxAgeDays: 90, rotateBeforeExpiryDays: 14 } },
  workspaces: [
    workspace({
      name: "prod",
      keys: [
        entry("aged", { name: "Aged", deliver: [fileSink("./a.env")] }),
        entry("custom", { name: "Custom", rotation: { maxAgeDays: 30 }, deliver: [fileSink("./b.env")] }),
        entry("expiring", { name: "Expiring", expiresInDays: 90, deliver: [fileSink("./c.env")] }),
        entry("off", { name: "Off", enabled: false, deliver: [fileSink("./d.env")] }),
      ],
    }),
  ],
});

let counter = 0;
function managedKey(
  entryId: string,
  generation: number,
  created: Date,
  options: { expiresInDays?: number; status?: "active" | "inactive" } = {},
): ApiKey {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    workspace_id: "ws_1",
    name: entryId[0]!.toUpperCase() + entryId.slice(1),
    description: formatMarker({
      entryId,
      generation,
      phase: "current",
      promotedAt: Math.floor(created.getTime() / 1000),
    }),
    prefix: "tml_abcd",
    scopes: ["read"],
    status: options.status ?? "active",
    created_at: created.toISOString(),
    updated_at: created.toISOString(),
    expires_at:
      options.expiresInDays === undefined
        ? null
        : new Date(created.getTime() + options.expiresInDays * DAY_MS).toISOString(),
    // Used just now: these tests are about age and expiry, not about use.
    last_used_at: now.toISOString(),
    deactivated_at: null,
    request_count: 1,
  } as ApiKey;
}

function check(keys: ApiKey[], maxOverdueDays = 7) {
  const desired = validate(parseManifest(manifest, "/repo/timely-keys.yaml")).desired!;
  const live = { workspaces: [{ name: "prod", keys, serverNow: now.toISOString() }] };
  return findings({ desired, live, plan: plan(desired, live, now), now, usage: new Map() }, { maxOverdueDays })
    .findings;
}

const kinds = (list: ReturnType<typeof check>) => list.map((f) => [f.entryId, f.kind]);

describe("lifecycle findings", () => {
  it("overdue: older than maxAgeDays + maxOverdueDays, not within the allowance", () => {
    expect(kinds(check([managedKey("aged", 1, ago(97.5))]))).toEqual([["aged", "overdue"]]);
    expect(check([managedKey("aged", 1, ago(96.5))])).toEqual([]);
    expect(kinds(check([managedKey("aged", 1, ago(91))], 0))).toEqual([["aged", "overdue"]]);
  });

  it("uses each entry's own rotation settings", () => {
    expect(kinds(check([managedKey("custom", 1, ago(38))]))).toEqual([["custom", "overdue"]]);
    expect(check([managedKey("custom", 1, ago(36))])).toEqual([]);
  });

  it("expiring within rotateBeforeExpiryDays, and expired, both errors with their evidence", () => {
    const [soon] = check([managedKey("expiring", 1, ago(80), { expiresInDays: 90 })]);
    expect(soon).toMatchObject({
      kind: "expiring",
      severity: "error",
      fix: "run-apply",
      evidence: { expiresAt: "2026-06-11T00:00:00.000Z", daysLeft: 10, rotateBeforeExpiryDays: 14 },
    });
    expect(check([managedKey("expiring", 1, ago(70), { expiresInDays: 90 })])).toEqual([]);
    expect(kinds(check([managedKey("expiring", 1, ago(95), { expiresInDays: 90 })]))).toEqual([
      ["expiring", "expired"],
    ]);
  });

  it("lists every finding of a key, the most pressing first", () => {
    expect(kinds(check([managedKey("expiring", 1, ago(120), { expiresInDays: 90 })]))).toEqual([
      ["expiring", "expired"],
      ["expiring", "overdue"],
    ]);
  });

  it("ignores disabled entries", () => {
    expect(check([managedKey("off", 1, ago(400), { status: "inactive" })])).toEqual([]);
  });

  it("points at the entry in the manifest", () => {
    const [found] = check([managedKey("aged", 1, ago(200))]);
    expect(found?.source).toMatchObject({ line: manifest.split("\n").indexOf("      - id: aged") + 1, col: 9 });
  });

  it("looks at the current key, not at a previous one still draining", () => {
    const previous = { ...managedKey("aged", 1, ago(200)), last_used_at: ago(150).toISOString() };
    expect(check([previous, managedKey("aged", 2, ago(1))])).toEqual([]);
  });
});

describe("expiryMarginMs", () => {
  it("is rotateBeforeExpiryDays, but never more than half the key's lifetime", () => {
    const entry = {
      rotation: {
        rotateBeforeExpiryDays: 14,
        maxAgeDays: 90,
        drainWindowSeconds: 0,
        maxGraceSeconds: 0,
        quarantineSeconds: 0,
      },
    };
    expect(expiryMarginMs(0, 90 * DAY_MS, entry)).toBe(14 * DAY_MS);
    expect(expiryMarginMs(0, 10 * DAY_MS, entry)).toBe(5 * DAY_MS);
    expect(expiryMarginMs(Number.NaN, 10 * DAY_MS, entry)).toBe(14 * DAY_MS);
  });
});

describe("cannot-rotate", () => {
  const sinkless = manifestYaml({
    workspaces: [workspace({ name: "prod", keys: [entry("sinkless", { name: "Sinkless", deliver: undefined })] })],
  });
  function checkSinkless(keys: ApiKey[]) {
    const desired = validate(parseManifest(sinkless, "/repo/timely-keys.yaml")).desired!;
    const live = { workspaces: [{ name: "prod", keys, serverNow: now.toISOString() }] };
    return findings({ desired, live, plan: plan(desired, live, now), now, usage: new Map() }).findings;
  }

  // 82 days: fresh even with the default 7d spread moving the due date earlier.
  it("is a warning while the key is fresh, an error once its rotation is due (no run will rotate it)", () => {
    expect(
      checkSinkless([managedKey("sinkless", 1, ago(82))]).map((f) => [f.kind, f.severity, f.evidence.rotationDue]),
    ).toEqual([["cannot-rotate", "warning", false]]);
    expect(
      checkSinkless([managedKey("sinkless", 1, ago(91))]).map((f) => [f.kind, f.severity, f.evidence.rotationDue]),
    ).toEqual([["cannot-rotate", "error", true]]);
  });
});

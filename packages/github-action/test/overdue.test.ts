import { describe, expect, it } from "vitest";
import { expiryMarginMs, findOverdue } from "../src/overdue.js";
import { DAY_MS, desiredOf, liveOf, managedKey, planOf } from "./support/fixtures.js";

const now = new Date("2026-06-01T00:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);

const manifest = `version: 1
policy:
  rotation: { maxAgeDays: 90, rotateBeforeExpiryDays: 14 }
workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
    keys:
      - id: aged
        name: Aged
        scopes: [read]
        deliver: [{ type: file, path: ./a.env }]
      - id: custom
        name: Custom
        scopes: [read]
        rotation: { maxAgeDays: 30 }
        deliver: [{ type: file, path: ./b.env }]
      - id: expiring
        name: Expiring
        scopes: [read]
        expiresInDays: 90
        deliver: [{ type: file, path: ./c.env }]
      - id: off
        name: Off
        scopes: [read]
        enabled: false
        deliver: [{ type: file, path: ./d.env }]
      - id: missing
        name: Missing
        scopes: [read]
        deliver: [{ type: file, path: ./e.env }]
      - id: sinkless
        name: Sinkless
        scopes: [read]
`;

function check(keys: Parameters<typeof liveOf>[0]["prod"], maxOverdueDays = 7) {
  const desired = desiredOf(manifest);
  const live = liveOf({ prod: keys }, now);
  return findOverdue(desired, live, planOf(desired, live, now), now, maxOverdueDays);
}

describe("findOverdue", () => {
  it("flags a key older than maxAgeDays + max-overdue-days, not one within the allowance", () => {
    expect(check([managedKey("aged", 1, ago(97.5), { name: "Aged" })]).map((o) => [o.entryId, o.reasons])).toEqual([["aged", ["overdue"]]]);
    expect(check([managedKey("aged", 1, ago(96.5), { name: "Aged" })])).toEqual([]);
    expect(check([managedKey("aged", 1, ago(91), { name: "Aged" })], 0).map((o) => o.entryId)).toEqual(["aged"]);
  });

  it("uses each entry's own rotation settings", () => {
    expect(check([managedKey("custom", 1, ago(38), { name: "Custom" })]).map((o) => o.entryId)).toEqual(["custom"]);
    expect(check([managedKey("custom", 1, ago(36), { name: "Custom" })])).toEqual([]);
  });

  it("flags a key expiring within rotateBeforeExpiryDays, and an expired one", () => {
    const soon = check([managedKey("expiring", 1, ago(80), { name: "Expiring", expiresInDays: 90 })]);
    expect(soon.map((o) => [o.entryId, o.reasons])).toEqual([["expiring", ["expiring"]]]);
    expect(soon[0]?.message).toMatch(/^prod\/expiring: key #1 \(.+\) expires on 2026-06-11, in 10 days \(rotateBeforeExpiryDays 14\)/);
    expect(check([managedKey("expiring", 1, ago(70), { name: "Expiring", expiresInDays: 90 })])).toEqual([]);
    const expired = check([managedKey("expiring", 1, ago(95), { name: "Expiring", expiresInDays: 90 })]);
    expect(expired[0]?.reasons).toEqual(["expired"]);
  });

  it("lists every reason of a key, the most pressing first", () => {
    const both = check([managedKey("expiring", 1, ago(120), { name: "Expiring", expiresInDays: 90 })]);
    expect(both[0]?.reasons).toEqual(["expired", "overdue"]);
    expect(both[0]?.message).toContain("is 120 days old, past maxAgeDays 90 + max-overdue-days 7");
  });

  it("ignores disabled entries and entries that have no key yet", () => {
    expect(check([managedKey("off", 1, ago(400), { name: "Off", status: "inactive" })])).toEqual([]);
  });

  it("flags a due key whose entry has no sinks (the plan does not rotate it), as soon as it is due", () => {
    const [found, ...rest] = check([managedKey("sinkless", 1, ago(91), { name: "Sinkless" })]);
    expect(rest).toEqual([]);
    expect(found?.reasons).toEqual(["no_sinks"]);
    expect(found?.message).toMatch(/^prod\/sinkless: key #1 \(.+\) is due for rotation, but its entry has no deliver sinks, so no run rotates it: add a deliver: sink\.$/);
    // Not due yet: 82 days is under maxAgeDays 90 less the largest spread offset (policy.rotation.spread 7d).
    expect(check([managedKey("sinkless", 1, ago(82), { name: "Sinkless" })])).toEqual([]);
  });

  it("points at the entry in the manifest", () => {
    const [found] = check([managedKey("aged", 1, ago(200), { name: "Aged" })]);
    expect(found?.source).toMatchObject({ line: manifest.split("\n").indexOf("      - id: aged") + 1, col: 9 });
  });

  it("looks at the current key, not at a previous one still draining", () => {
    const previous = { ...managedKey("aged", 1, ago(200), { name: "Aged" }) };
    const current = managedKey("aged", 2, ago(1), { name: "Aged" });
    expect(check([previous, current])).toEqual([]);
  });
});

describe("expiryMarginMs", () => {
  it("is rotateBeforeExpiryDays, but never more than half the key's lifetime", () => {
    const entry = { rotation: { rotateBeforeExpiryDays: 14, maxAgeDays: 90, drainWindowSeconds: 0, maxGraceSeconds: 0, quarantineSeconds: 0 } };
    expect(expiryMarginMs(0, 90 * DAY_MS, entry)).toBe(14 * DAY_MS);
    expect(expiryMarginMs(0, 10 * DAY_MS, entry)).toBe(5 * DAY_MS);
    expect(expiryMarginMs(Number.NaN, 10 * DAY_MS, entry)).toBe(14 * DAY_MS);
  });
});

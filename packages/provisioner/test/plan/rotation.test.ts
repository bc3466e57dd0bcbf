import { describe, expect, it } from "vitest";
import type { Live } from "../../src/model.js";
import { parseMarker } from "../../src/marker.js";
import { plan } from "../../src/plan.js";
import {
  actions,
  at,
  DAY,
  desired,
  entry,
  HOUR,
  kinds,
  live,
  managed,
  mutating,
  NOW,
  only,
  stateOf,
  unix,
} from "./fixtures.js";
import { simulateApply } from "./simulate.js";

const crm = entry("crm", {
  name: "CRM sync",
  description: "Salesforce sync",
  deliver: [
    { type: "file", path: ".env" },
    { type: "exec", command: ["./reload"] },
  ],
});
const manifest = desired([crm]);

function keysOf(state: Live) {
  return state.workspaces[0]!.keys;
}

function byGeneration(state: Live, generation: number) {
  const key = keysOf(state).find((k) => parseMarker(k.description)?.generation === generation);
  if (!key) throw new Error(`no key #${generation}`);
  return key;
}

/** A consumer uses key `id` at `when`. */
function use(state: Live, id: string, when: Date): Live {
  const next = structuredClone(state);
  const key = keysOf(next).find((k) => k.id === id)!;
  key.last_used_at = when.toISOString();
  key.request_count += 1;
  return next;
}

const t = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

describe("a full rotation across scheduled runs", () => {
  it("create successor -> promote -> drain (while used) -> deactivate -> quarantine -> revoke", () => {
    // Run 1: the key is 91 days old: rotate.
    let state = live([managed(crm, 1, {}, { created_at: at(-91 * DAY), last_used_at: at(-HOUR) })]);
    const old = keysOf(state)[0]!;
    const run1 = plan(manifest, state, t(0));
    const rotate = only(run1, "rotate");
    expect(rotate.reason).toBe("max_age");
    expect(rotate.replace).toBe(false);
    expect(rotate.keyId).toBe(old.id);
    expect(rotate.successor.generation).toBe(2);
    expect(rotate.successor.idempotencyKey).toBe("tk:acme:crm:2");
    expect(rotate.successor.create).toEqual({
      name: "CRM sync",
      // Created already delivering: no edit is needed before the first sink.
      description: "Salesforce sync [tk:crm#2 delivering 0/2]",
      scopes: ["read"],
      expires_in_days: 180,
    });
    expect(rotate.successor.descriptions.delivering).toBe("Salesforce sync [tk:crm#2 delivering 0/2]");
    expect(parseMarker(rotate.successor.descriptions.current)).toMatchObject({
      entryId: "crm",
      generation: 2,
      phase: "current",
      promotedAt: unix(0),
    });
    expect(rotate.successor.sinks).toEqual(crm.deliver);
    expect(rotate.successor.verify).toEqual({ keyName: "CRM sync", scopes: ["read"], workspaceId: old.workspace_id });
    expect(rotate.facts).toEqual({
      say: "rotate",
      triggers: [{ reason: "max_age", ageMs: 91 * DAY, maxAgeDays: 90, spreadMs: 0 }],
    });
    expect(stateOf(run1, "crm")).toMatchObject({ phase: "rotating", step: "1/6", generation: 1 });
    // Nothing about the old key changes in the run that makes its successor.
    expect(mutating(run1)).toHaveLength(1);

    state = simulateApply(run1, state, t(0));
    const successor = byGeneration(state, 2);
    expect(keysOf(state).filter((k) => k.status === "active")).toHaveLength(2);

    // Run 2, an hour later: the old key was used 30 minutes ago (its consumer has not switched).
    state = use(state, old.id, t(30 * 60 * 1000));
    const run2 = plan(manifest, state, t(HOUR));
    expect(mutating(run2)).toEqual([]);
    const drain = only(run2, "drain");
    expect(drain.keyId).toBe(old.id);
    expect(drain.facts).toEqual({
      say: "drain",
      name: "CRM sync",
      lastUsedAgoMs: 30 * 60 * 1000,
      drainWindowMs: DAY,
      graceMs: 7 * DAY,
      drainEndsAt: "2026-11-24T12:30:00.000Z",
      graceEndsAt: "2026-11-30T12:00:00.000Z",
    });
    expect(drain.until).toBe(t(30 * 60 * 1000 + DAY).toISOString());
    expect(stateOf(run2, "crm")).toMatchObject({
      phase: "draining",
      step: "4/6",
      generation: 2,
      currentKeyId: successor.id,
      nextAt: drain.until,
    });

    // Run 3, 25h after the promote: still used 20h after the promote, so the silence restarted.
    state = use(state, old.id, t(20 * HOUR));
    const run3 = plan(manifest, state, t(25 * HOUR));
    expect(mutating(run3)).toEqual([]);
    expect(only(run3, "drain").until).toBe(t(44 * HOUR).toISOString());

    // Run 4, after 24h of silence: deactivate.
    const run4 = plan(manifest, state, t(45 * HOUR));
    const deactivate = only(run4, "deactivate-previous");
    expect(deactivate).toMatchObject({ reason: "drained", keyId: old.id, currentKeyId: successor.id, generation: 1 });
    expect(deactivate.operations).toEqual([{ op: "deactivate", keyId: old.id }]);
    expect(stateOf(run4, "crm")).toMatchObject({ phase: "draining", step: "5/6" });
    expect(run4.warnings).toEqual([]);
    state = simulateApply(run4, state, t(45 * HOUR));

    // Run 5: quarantine, with the date the revoke becomes due.
    const run5 = plan(manifest, state, t(46 * HOUR));
    expect(mutating(run5)).toEqual([]);
    const quarantine = only(run5, "quarantine");
    expect(quarantine.until).toBe(t(45 * HOUR + 7 * DAY).toISOString());
    expect(quarantine).toMatchObject({ entryId: "crm", facts: { say: "quarantine", quarantineMs: 7 * DAY } });
    expect(stateOf(run5, "crm")).toMatchObject({ phase: "quarantine", step: "6/6", nextAt: quarantine.until });

    // Run 6: quarantine over: revoke.
    const run6 = plan(manifest, state, t(45 * HOUR + 7 * DAY));
    expect(only(run6, "revoke-previous")).toMatchObject({
      reason: "quarantine_elapsed",
      keyId: old.id,
      currentKeyId: successor.id,
    });
    state = simulateApply(run6, state, t(45 * HOUR + 7 * DAY));
    expect(keysOf(state).map((k) => k.id)).toEqual([successor.id]);

    // Run 7: steady, the next rotation 90 days after the successor was made.
    const run7 = plan(manifest, state, t(8 * DAY));
    expect(actions(run7)).toEqual([]);
    expect(run7.changes).toBe(false);
    expect(stateOf(run7, "crm")).toMatchObject({ phase: "steady", generation: 2, nextAt: t(90 * DAY).toISOString() });
  });

  it("an unused previous key drains from the promote time", () => {
    let state = live([managed(crm, 1, {}, { created_at: at(-91 * DAY), last_used_at: at(-5 * DAY) })]);
    state = simulateApply(plan(manifest, state, t(0)), state, t(0));
    expect(kinds(plan(manifest, state, t(DAY - 1000)))).toEqual(["drain"]);
    expect(kinds(plan(manifest, state, t(DAY)))).toEqual(["deactivate-previous"]);
  });

  it("the longest grace deactivates a key still in use, with a warning naming it and its last use", () => {
    let state = live([managed(crm, 1, {}, { created_at: at(-91 * DAY) })]);
    const old = keysOf(state)[0]!;
    state = simulateApply(plan(manifest, state, t(0)), state, t(0));
    state = use(state, old.id, t(7 * DAY - HOUR));
    const result = plan(manifest, state, t(7 * DAY));
    const action = only(result, "deactivate-previous");
    expect(action.reason).toBe("grace_expired");
    const warning = {
      code: "grace_expired",
      name: "CRM sync",
      keyId: old.id,
      lastUsedAgoMs: HOUR,
      lastUsedAt: t(7 * DAY - HOUR).toISOString(),
      graceMs: 7 * DAY,
    };
    expect(action.warning).toEqual(warning);
    expect(result.warnings).toEqual([{ workspace: "acme", entryId: "crm", keyId: old.id, facts: warning }]);
  });

  it("starts a new rotation while an older previous key still drains; both drain from the newest promote", () => {
    let state = live([managed(crm, 1, {}, { created_at: at(-91 * DAY) })]);
    state = simulateApply(plan(manifest, state, t(0)), state, t(0));
    const replace = plan(desired([{ ...crm, scopes: ["read", "write"] }]), state, t(HOUR));
    const rotate = only(replace, "rotate");
    expect(rotate).toMatchObject({ reason: "scopes_changed", replace: true, generation: 2 });
    expect(rotate.successor.generation).toBe(3);
    expect(kinds(replace)).toEqual(["rotate", "drain"]);
    state = simulateApply(replace, state, t(HOUR));
    const next = plan(desired([{ ...crm, scopes: ["read", "write"] }]), state, t(2 * HOUR));
    expect(kinds(next)).toEqual(["drain", "drain"]);
    expect(actions(next).map((a) => a.until)).toEqual([t(HOUR + DAY).toISOString(), t(HOUR + DAY).toISOString()]);
  });

  it("replacement ends with exactly one active key carrying the new scopes", () => {
    const wanted = desired([{ ...crm, scopes: ["read", "write"] }]);
    let state = live([managed(crm, 1)]);
    let now = t(0);
    for (let i = 0; i < 4; i += 1) {
      state = simulateApply(plan(wanted, state, now), state, now);
      now = new Date(now.getTime() + 8 * DAY);
    }
    const keys = keysOf(state);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ status: "active", scopes: ["read", "write"] });
    expect(plan(wanted, state, now).changes).toBe(false);
  });

  it("never retires a previous key while the current key has expired", () => {
    const e = { ...crm, expiresInDays: 30 };
    const previous = managed(
      e,
      1,
      {},
      { created_at: at(-60 * DAY), status: "inactive", deactivated_at: at(-20 * DAY) },
    );
    const stillActive = managed(e, 2, {}, { id: "00000000-0000-4000-8000-00000000bbbb", created_at: at(-59 * DAY) });
    const current = managed(e, 3, { promotedAt: unix(-31 * DAY) }, { created_at: at(-31 * DAY) });
    const result = plan(desired([e]), live([previous, stillActive, current]), NOW);
    expect(only(result, "rotate").reason).toBe("expired");
    expect(kinds(result).filter((k) => k === "deactivate-previous" || k === "revoke-previous")).toEqual([]);
  });

  it("rotates before expiry, but never sooner than half a short-lived key's lifetime", () => {
    const short = { ...crm, expiresInDays: 20 };
    // 20-day key, 14-day margin: the effective margin is 10 days.
    expect(kinds(plan(desired([short]), live([managed(short, 1, {}, { created_at: at(-5 * DAY) })]), NOW))).toEqual([]);
    const due = plan(desired([short]), live([managed(short, 1, {}, { created_at: at(-10 * DAY) })]), NOW);
    expect(only(due, "rotate").reason).toBe("expiring");
  });

  it("reports every trigger that applies, the most pressing first", () => {
    const e = { ...crm, scopes: ["read", "write"] as ("read" | "write")[], expiresInDays: 30 };
    const key = managed(crm, 1, {}, { created_at: at(-200 * DAY) });
    const result = plan(desired([e]), live([key]), NOW, { forceRotate: ["crm"] });
    const rotate = only(result, "rotate");
    expect(rotate.reasons).toEqual(["expired", "scopes_changed", "expiry_changed", "manual", "max_age"]);
    expect(rotate.reason).toBe("expired");
    expect(rotate.replace).toBe(true);
    expect(rotate.attributes.filter((a) => a.forcesReplacement).map((a) => a.name)).toEqual(["scopes", "expires"]);
    // Values, not words: render/attributes.ts writes `#1 tml_… (id) -> #2 (new key)`, `180 days (until …)`.
    expect(rotate.attributes).toStrictEqual([
      { name: "key", before: { generation: 1, prefix: key.prefix, id: key.id }, after: { generation: 2, new: true } },
      { name: "scopes", before: ["read"], after: ["read", "write"], forcesReplacement: true },
      { name: "expires", before: { days: 180, until: key.expires_at }, after: { days: 30 }, forcesReplacement: true },
      {
        name: "deliver",
        before: null,
        after: [
          { type: "file", path: ".env" },
          { type: "exec", program: "./reload" },
        ],
      },
      { name: "next rotation", before: null, after: new Date(NOW.getTime() + 90 * DAY).toISOString() },
    ]);
  });

  it("does not rotate a disabled entry, even when forced or too old", () => {
    const e = { ...crm, enabled: false };
    const key = managed(
      e,
      1,
      { off: true },
      { created_at: at(-200 * DAY), status: "inactive", deactivated_at: at(-DAY) },
    );
    const result = plan(desired([e]), live([key]), NOW, { forceRotate: ["crm"] });
    expect(actions(result)).toEqual([]);
    expect(stateOf(result, "crm").phase).toBe("disabled");
  });

  it("a disabled entry deactivates its current key and every other active key, revoking nothing", () => {
    const e = { ...crm, enabled: false };
    const previous = managed(crm, 1, {}, { created_at: at(-30 * DAY) });
    const current = managed(crm, 2, { promotedAt: unix(-HOUR) }, { created_at: at(-HOUR) });
    const result = plan(desired([e]), live([previous, current]), NOW);
    expect(actions(result).map((a) => [a.kind, a.keyId])).toEqual([
      ["disable", current.id],
      ["disable", previous.id],
    ]);
    const disable = actions(result)[0]!;
    expect(disable.operations[0]).toEqual({ op: "deactivate", keyId: current.id });
    expect(disable.operations[1]).toMatchObject({ op: "update", keyId: current.id });
    expect(stateOf(result, "crm")).toMatchObject({ phase: "disabled" });
  });
});

// The plan's sentences: render/words.ts turns the facts plan() states into the words users read.
// These are the sentences the plan tests used to match, moved here word for word: the plan tests
// assert facts, these assert words (the golden JSON plans in plan-json-golden.test.ts cover the rest).
import type { ApiKey } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import type { Live, Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { actionSummary, actionWarning, entryDetail, warningText } from "../../src/render/words.js";
import {
  actions,
  apiKey,
  at,
  DAY,
  desired,
  entry,
  HOUR,
  live,
  managed,
  NOW,
  only,
  rotation,
  unix,
} from "../plan/fixtures.js";
import { scenarios } from "../plan/scenarios.js";
import { simulateApply } from "../plan/simulate.js";

const crm = entry("crm", { name: "CRM sync", description: "Salesforce sync" });
const manifest = desired([crm]);
const MINUTE = 60 * 1000;
const t = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function messages(result: Plan): string[] {
  return result.warnings.map(warningText);
}

function detailOf(result: Plan, entryId: string): string {
  const ws = result.workspaces.find((w) => w.entries.some((e) => e.entryId === entryId))!;
  return entryDetail(ws.entries.find((e) => e.entryId === entryId)!, ws.actions);
}

function use(state: Live, id: string, when: Date): Live {
  const next = structuredClone(state);
  const key = next.workspaces[0]!.keys.find((k: ApiKey) => k.id === id)!;
  key.last_used_at = when.toISOString();
  return next;
}

describe("every action has a line", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}`, () => {
      const result = plan(scenario.desired, scenario.live, NOW, scenario.options);
      for (const action of actions(result)) expect(actionSummary(action).length).toBeGreaterThan(10);
    });
  }
});

describe("warnings", () => {
  it("two keys claiming one generation", () => {
    const first = managed(crm, 2, { promotedAt: unix(-30 * DAY) }, { id: "00000000-0000-4000-8000-0000000000d1" });
    const copy = managed(
      crm,
      2,
      { promotedAt: unix(-30 * DAY) },
      { id: "00000000-0000-4000-8000-0000000000d2", created_at: at(-5 * DAY) },
    );
    expect(messages(plan(manifest, live([first, copy]), NOW))).toEqual([
      `2 keys carry the marker of crm#2; "CRM sync" (${copy.id}) is treated as current and the others are left ` +
        "alone: remove the marker from the ones that are not this entry's key",
    ]);
  });

  it("a forced rotation that cannot start", () => {
    const current = managed(crm, 1, {}, { created_at: at(-91 * DAY) });
    const pending = managed(crm, 2, { phase: "pending" }, { created_at: at(-2 * MINUTE) });
    const result = plan(manifest, live([current, pending]), NOW, { forceRotate: ["crm"] });
    expect(messages(result)).toEqual(["rotation of crm not started: another run is delivering its successor"]);
    expect(actionSummary(only(result, "in-flight"))).toContain("another run may still be delivering it");
  });

  it("an entry with no sinks: not created, and not rotated when due", () => {
    expect(messages(plan(desired([{ ...crm, deliver: [] }]), live([]), NOW))).toEqual([
      "crm has no deliver sinks, so no key is created for it: add a deliver: sink to the entry " +
        "(its current key keeps working meanwhile)",
    ]);
    const noSinks = { ...crm, deliver: [], expiresInDays: null };
    const key = managed(noSinks, 2, {}, { created_at: at(-120 * DAY), expires_at: null });
    const due = plan(desired([noSinks]), live([key]), NOW);
    expect(messages(due)).toEqual([
      expect.stringMatching(
        new RegExp(
          "^crm is due for rotation \\(max age: .* >= 90d\\) but has no deliver sinks, so it is not rotated: " +
            "add a deliver: sink",
        ),
      ),
    ]);
    expect(detailOf(due, "crm")).toBe("due for rotation (max age: 120d old >= 90d), not rotated: no deliver sinks");
  });

  it("an adopt of a key that belongs to another entry", () => {
    const owned = managed(entry("other"), 1);
    const result = plan(desired([entry("other"), { ...crm, adopt: owned.id }]), live([owned]), NOW);
    expect(messages(result)).toEqual([
      `crm adopts "other integration" (${owned.id}), but that key belongs to entry other: not adopted`,
    ]);
  });

  it("filters that match nothing", () => {
    const a = entry("a");
    const result = plan(desired({ prod: [a] }), live({ prod: [] }), NOW, {
      targets: ["nope"],
      workspaces: ["prod", "ghost"],
    });
    expect(messages(result)).toEqual([
      "workspace ghost is not in the manifest",
      "target nope matches no manifest entry and no managed key",
    ]);
  });

  it("a broken marker with the name of an entry", () => {
    const named = entry("crm", { name: "CRM sync" });
    const broken = { ...managed(named, 1), description: "Salesforce sync [tk:crm#1 bogus]" };
    expect(messages(plan(desired([named]), live([broken]), NOW))).toEqual([
      `unmanaged key "CRM sync" (${broken.id}) has the name of entry crm: if it is that entry's key, ` +
        `add \`adopt: ${broken.id}\` to the entry`,
    ]);
  });

  it("nothing to roll back to", () => {
    expect(messages(plan(manifest, live([managed(crm, 1)]), NOW, { rollback: "crm" }))).toEqual([
      "rollback of crm: no previous key is left to restore (it was revoked, or the entry never rotated)",
    ]);
  });
});

describe("entry details", () => {
  it("disabled with no key, and steady with the next rotation", () => {
    expect(detailOf(plan(desired([{ ...crm, enabled: false }]), live([]), NOW), "crm")).toBe("disabled: no key");
    const short = { ...crm, expiresInDays: 90 };
    const key = managed(short, 4, { promotedAt: 1_760_000_000 }, { created_at: at(-10 * DAY) });
    expect(detailOf(plan(desired([short]), live([key]), NOW), "crm")).toBe(
      "steady: key #4 current, next rotation on 2027-01-28 12:00 UTC",
    );
  });
});

describe("action lines", () => {
  it("an edit made in the dashboard, and an adopt", () => {
    const key = managed(crm, 1);
    const edited = { ...key, description: `Someone's note ${key.description.slice("Salesforce sync ".length)}` };
    expect(actionSummary(only(plan(manifest, live([edited]), NOW), "update"))).toContain("edited outside timely-keys");
    const stray = apiKey({ name: "Old CRM key", description: "made in the dashboard" });
    const adopt = only(plan(desired([{ ...crm, adopt: stray.id }]), live([stray]), NOW), "adopt");
    expect(actionSummary(adopt)).toContain(stray.id);
  });

  it("enable after a retire, and after someone else deactivated the key", () => {
    const gone = entry("old-job", { name: "Old job" });
    const current = managed(gone, 2, { promotedAt: unix(-10 * DAY) });
    const retired = simulateApply(plan(desired([]), live([current]), NOW), live([current]), NOW);
    expect(actionSummary(only(plan(desired([gone]), retired, t(DAY)), "enable"))).toBe('enable "Old job" #2');
    const outside = plan(desired([gone]), live([{ ...current, status: "inactive", deactivated_at: at(-HOUR) }]), NOW);
    expect(actionSummary(only(outside, "enable"))).toBe('enable "Old job" #2 (it was deactivated outside timely-keys)');
  });

  it("protected keys are never revoked", () => {
    const gone = entry("old-job", { name: "Old job", protect: true });
    let state = live([managed(gone, 1)]);
    const first = plan(desired([]), state, NOW);
    expect(actionSummary(only(first, "retire"))).toContain("protected: never revoked");
    state = simulateApply(first, state, NOW);
    expect(actionSummary(only(plan(desired([]), state, t(400 * DAY)), "quarantine"))).toContain("never revoked");
    const e = entry("crm", { protect: true });
    const previous = managed(
      e,
      1,
      { protect: true },
      { status: "inactive", deactivated_at: at(-100 * DAY), created_at: at(-200 * DAY) },
    );
    const live2 = live([previous, managed(e, 2, { promotedAt: unix(-101 * DAY), protect: true })]);
    expect(actionSummary(only(plan(desired([e]), live2, NOW), "quarantine"))).toContain("protected");
  });

  it("a rotation, its drain, the quarantine and a grace that ran out", () => {
    const sinks = entry("crm", { name: "CRM sync", description: "Salesforce sync" });
    const m = desired([sinks]);
    let state = live([managed(sinks, 1, {}, { created_at: at(-91 * DAY), last_used_at: at(-HOUR) })]);
    const old = state.workspaces[0]!.keys[0]!;
    const run1 = plan(m, state, t(0));
    expect(actionSummary(only(run1, "rotate"))).toContain("rotation 1/6");
    state = simulateApply(run1, state, t(0));
    state = use(state, old.id, t(30 * MINUTE));
    expect(actionSummary(only(plan(m, state, t(HOUR)), "drain"))).toBe(
      'rotation 4/6: draining previous key "CRM sync" #1, last used 30m ago, deactivates after 24h of silence ' +
        "(2026-11-24 12:30 UTC) or on 2026-11-30 12:00 UTC at the latest",
    );
    const run4 = plan(m, state, t(25 * HOUR + 30 * MINUTE));
    state = simulateApply(run4, state, t(25 * HOUR + 30 * MINUTE));
    expect(actionSummary(only(plan(m, state, t(26 * HOUR)), "quarantine"))).toContain("timely-keys rollback crm");

    let graced = live([managed(sinks, 1, {}, { created_at: at(-91 * DAY) })]);
    const first = graced.workspaces[0]!.keys[0]!;
    graced = simulateApply(plan(m, graced, t(0)), graced, t(0));
    graced = use(graced, first.id, t(7 * DAY - HOUR));
    const result = plan(m, graced, t(7 * DAY));
    const warning = actionWarning(only(result, "deactivate-previous"));
    expect(warning).toContain(first.id);
    expect(warning).toContain("last used 1h ago");
    expect(messages(result)).toEqual([warning]);
    expect(messages(result)[0]).toContain(`"CRM sync" (${first.id})`);
  });

  it("a queued rotation", () => {
    const entries = Array.from({ length: 5 }, (_, i) =>
      entry(`svc-${String(i).padStart(2, "0")}`, { expiresInDays: null, rotation: rotation() }),
    );
    const keys = entries.map((e, i) => managed(e, 1, {}, { created_at: at(-(91 + i) * DAY) }));
    const result = plan(desired(entries, { maxRotationsPerRun: 2 }), live(keys), NOW);
    const queued = actions(result).filter((a) => a.kind === "queued");
    expect(actionSummary(queued[0]!)).toMatch(
      /^queued: rotation of "svc-00 integration" #1 due since \d{4}-\d\d-\d\d \d\d:\d\d UTC; 2 rotations start per run/,
    );
    expect(detailOf(result, "svc-00")).toBe(actionSummary(queued[0]!));
  });
});

import { describe, expect, it } from "vitest";
import { plan } from "../../src/plan.js";
import {
  actions,
  apiKey,
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
  unix,
} from "./fixtures.js";
import { simulateApply } from "./simulate.js";

const t = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

describe("retire: an entry removed from the manifest", () => {
  const gone = entry("old-job", { name: "Old job" });

  it("is deactivated now and revoked after the quarantine", () => {
    const previous = managed(gone, 1, {}, { status: "inactive", deactivated_at: at(-DAY), created_at: at(-40 * DAY) });
    const current = managed(gone, 2, { promotedAt: unix(-10 * DAY) });
    let state = live([previous, current]);
    const first = plan(desired([]), state, NOW);
    expect(
      actions(first).map((a) => [a.kind, a.keyId, a.kind === "retire" || a.kind === "drift" ? a.operation : ""]),
    ).toEqual([
      ["quarantine", previous.id, ""],
      ["retire", current.id, "deactivate"],
    ]);
    expect(only(first, "retire").reason).toBe("removed_from_manifest");
    expect(first.summary.retire).toBe(1);
    state = simulateApply(first, state, NOW);

    const week = plan(desired([]), state, t(6 * DAY + HOUR));
    expect(actions(week).map((a) => [a.kind, a.keyId])).toEqual([
      ["retire", previous.id],
      ["quarantine", current.id],
    ]);
    state = simulateApply(week, state, t(6 * DAY + HOUR));
    const done = plan(desired([]), state, t(7 * DAY));
    expect(kinds(done)).toEqual(["retire"]);
    state = simulateApply(done, state, t(7 * DAY));
    expect(state.workspaces[0]!.keys).toEqual([]);
  });

  it(
    "a retired entry put back in the manifest is enabled again, " + "not said to be deactivated outside timely-keys",
    () => {
      const current = managed(gone, 2, { promotedAt: unix(-10 * DAY) });
      const retired = simulateApply(plan(desired([]), live([current]), NOW), live([current]), NOW);
      expect(retired.workspaces[0]!.keys[0]).toMatchObject({
        status: "inactive",
        description: expect.stringMatching(/ off[ \]]/),
      });
      const back = plan(desired([gone]), retired, t(DAY));
      const enable = only(back, "enable");
      expect(enable.reason).toBe("enabled_changed");
      expect(enable.facts).toEqual({ say: "status", name: "Old job" });
      // A key deactivated by someone else is still called out.
      const outside = plan(desired([gone]), live([{ ...current, status: "inactive", deactivated_at: at(-HOUR) }]), NOW);
      expect(only(outside, "enable")).toMatchObject({ reason: "edited_outside", facts: { say: "status" } });
    },
  );

  it("a protected entry is deactivated but never revoked", () => {
    const key = managed({ ...gone, protect: true }, 1);
    let state = live([key]);
    const first = plan(desired([]), state, NOW);
    expect(only(first, "retire")).toMatchObject({ operation: "deactivate", facts: { say: "removed", protect: true } });
    state = simulateApply(first, state, NOW);
    const much = plan(desired([]), state, t(400 * DAY));
    expect(mutating(much)).toEqual([]);
    expect(only(much, "quarantine")).toMatchObject({ facts: { say: "removed", protect: true } });
    expect(only(much, "quarantine").until).toBeUndefined();
  });

  it("protect on a live entry keeps its previous keys from ever being revoked", () => {
    const e = entry("crm", { protect: true });
    const previous = managed(
      e,
      1,
      { protect: true },
      { status: "inactive", deactivated_at: at(-100 * DAY), created_at: at(-200 * DAY) },
    );
    const current = managed(e, 2, { promotedAt: unix(-101 * DAY), protect: true }, { created_at: at(-80 * DAY) });
    const result = plan(desired([e]), live([previous, current]), NOW);
    expect(mutating(result)).toEqual([]);
    expect(only(result, "quarantine").facts).toEqual({ say: "protected", name: "crm integration" });
  });
});

describe("drift: unmanaged keys", () => {
  const stray = apiKey({ name: "Test key", id: "00000000-0000-4000-8000-00000000000b" });
  const other = apiKey({ name: "Another", id: "00000000-0000-4000-8000-00000000000a" });

  it("are reported by default, by name then id, and never changed", () => {
    const result = plan(desired([]), live([stray, other]), NOW);
    expect(actions(result).map((a) => [a.kind, a.keyId, a.mutates])).toEqual([
      ["drift", other.id, false],
      ["drift", stray.id, false],
    ]);
    expect(result.changes).toBe(false);
    expect(result.summary.drift).toBe(2);
  });

  it("are deactivated with unmanaged: deactivate", () => {
    const result = plan(desired([], { unmanaged: "deactivate" }), live([stray]), NOW);
    const drift = only(result, "drift");
    expect(drift).toMatchObject({
      operation: "deactivate",
      mutates: true,
      operations: [{ op: "deactivate", keyId: stray.id }],
    });
    const state = simulateApply(result, live([stray]), NOW);
    expect(only(plan(desired([], { unmanaged: "deactivate" }), state, t(30 * DAY)), "drift")).toMatchObject({
      operation: "report",
      mutates: false,
    });
  });

  it("are deactivated, then revoked after the quarantine, with unmanaged: revoke", () => {
    const manifest = desired([], { unmanaged: "revoke" });
    let state = live([stray]);
    const first = plan(manifest, state, NOW);
    expect(only(first, "drift").operation).toBe("deactivate");
    state = simulateApply(first, state, NOW);
    const waiting = only(plan(manifest, state, t(DAY)), "drift");
    expect(waiting).toMatchObject({ operation: "report", mutates: false, until: t(7 * DAY).toISOString() });
    const due = plan(manifest, state, t(7 * DAY));
    expect(only(due, "drift")).toMatchObject({ operation: "revoke", operations: [{ op: "revoke", keyId: stray.id }] });
  });

  it("never covers a key that carries another entry's marker", () => {
    const marked = managed(entry("elsewhere"), 1);
    const result = plan(
      desired([entry("crm")], { unmanaged: "revoke" }),
      live([managed(entry("crm"), 1), marked]),
      NOW,
    );
    expect(kinds(result)).toEqual(["retire"]);
    expect(actions(result).some((a) => a.kind === "drift")).toBe(false);
  });

  it("a broken marker makes a key unmanaged, with a hint when its name matches an entry", () => {
    const crm = entry("crm", { name: "CRM sync" });
    const broken = { ...managed(crm, 1), description: "Salesforce sync [tk:crm#1 bogus]" };
    const result = plan(desired([crm]), live([broken]), NOW);
    expect(kinds(result)).toEqual(["create", "drift"]);
    expect(result.warnings).toEqual([
      { workspace: "acme", entryId: "crm", keyId: broken.id, facts: { code: "unmanaged_namesake", name: "CRM sync" } },
    ]);
  });
});

import { describe, expect, it } from "vitest";
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

const crm = entry("crm", { name: "CRM sync", description: "Salesforce sync" });
const manifest = desired([crm]);
const t = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function afterRotation(previousOverrides: Parameters<typeof managed>[3]) {
  const previous = managed(
    crm,
    2,
    { promotedAt: unix(-40 * DAY) },
    { created_at: at(-40 * DAY), ...previousOverrides },
  );
  const current = managed(crm, 3, { promotedAt: unix(-3 * DAY) }, { created_at: at(-3 * DAY) });
  return { previous, current, state: live([previous, current]) };
}

describe("rollback", () => {
  it("re-activates the previous key during quarantine and holds it; the next plans are stable", () => {
    const { previous, current, state } = afterRotation({ status: "inactive", deactivated_at: at(-DAY) });
    const result = plan(manifest, state, NOW, { rollback: "crm" });
    const rollback = only(result, "rollback");
    expect(rollback.keyId).toBe(previous.id);
    expect(rollback.operations).toEqual([
      { op: "activate", keyId: previous.id },
      {
        op: "update",
        keyId: previous.id,
        body: {
          description: `Salesforce sync [tk:crm#2 @${unix(-40 * DAY)} hold#3 ${previous.description.split(" ").at(-1)}`,
        },
      },
    ]);
    expect(kinds(result)).toEqual(["rollback"]);
    expect(stateOf(result, "crm").phase).toBe("held");
    expect(rollback.attributes).toStrictEqual([
      { name: "status", before: "inactive", after: "active" },
      { name: "hold", before: null, after: { untilNewerThan: 3 } },
    ]);

    const rolledBack = simulateApply(result, state, NOW);
    // Stable: no drain, no deactivation, no revoke, even long past the quarantine and the grace.
    for (const later of [HOUR, 8 * DAY, 60 * DAY]) {
      const again = plan(manifest, rolledBack, t(later));
      expect(actions(again), `after ${later}`).toEqual([]);
      expect(stateOf(again, "crm")).toMatchObject({ phase: "held", currentKeyId: current.id });
    }
  });

  it("the hold ends with the next rotation: the held key then drains like any previous key", () => {
    const { previous, state } = afterRotation({ status: "inactive", deactivated_at: at(-DAY) });
    let rolled = simulateApply(plan(manifest, state, NOW, { rollback: "crm" }), state, NOW);
    const rotation = plan(manifest, rolled, t(HOUR), { forceRotate: ["crm"] });
    expect(only(rotation, "rotate").successor.generation).toBe(4);
    rolled = simulateApply(rotation, rolled, t(HOUR));
    const next = plan(manifest, rolled, t(2 * HOUR));
    expect(actions(next).map((a) => [a.kind, a.generation])).toEqual([
      ["drain", 2],
      ["drain", 3],
    ]);
    expect(parseMarker(rolled.workspaces[0]!.keys.find((k) => k.id === previous.id)!.description)?.holdFor).toBe(3);
    expect(kinds(plan(manifest, rolled, t(HOUR + DAY)))).toEqual(["deactivate-previous", "deactivate-previous"]);
  });

  it("holds a previous key that is still draining without touching its status", () => {
    const { previous, state } = afterRotation({ last_used_at: at(-HOUR) });
    const rollback = only(plan(manifest, state, NOW, { rollback: "crm" }), "rollback");
    expect(rollback.operations.map((o) => o.op)).toEqual(["update"]);
    expect(rollback.keyId).toBe(previous.id);
  });

  it("asking again once held changes nothing", () => {
    const { state } = afterRotation({ status: "inactive", deactivated_at: at(-DAY) });
    const rolled = simulateApply(plan(manifest, state, NOW, { rollback: "crm" }), state, NOW);
    expect(mutating(plan(manifest, rolled, NOW, { rollback: "crm" }))).toEqual([]);
  });

  it("warns when there is nothing to roll back to", () => {
    const result = plan(manifest, live([managed(crm, 1)]), NOW, { rollback: "crm" });
    expect(actions(result)).toEqual([]);
    expect(result.warnings).toEqual([{ workspace: "acme", entryId: "crm", facts: { code: "nothing_to_roll_back" } }]);
  });

  it("never restores a half-delivered successor: only a key that was once verified", () => {
    const verified = managed(crm, 1, {}, { created_at: at(-60 * DAY), status: "inactive", deactivated_at: at(-DAY) });
    const partial = managed(
      crm,
      2,
      { phase: "delivering" },
      { created_at: at(-3 * DAY), status: "inactive", deactivated_at: at(-DAY) },
    );
    const current = managed(crm, 3, { promotedAt: unix(-2 * DAY) }, { created_at: at(-2 * DAY) });
    expect(only(plan(manifest, live([verified, partial, current]), NOW, { rollback: "crm" }), "rollback").keyId).toBe(
      verified.id,
    );
  });
});

// policy.rotation.spread and maxPerRun, day by day: 60 keys created the same day never rotate all
// at once, never more than maxPerRun start in one run, and none gets older than maxAgeDays.
import { describe, expect, it } from "vitest";
import type { DesiredKey } from "../../src/desired.js";
import type { Live } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { spreadOffsetMs } from "../../src/plan/rotation.js";
import { actions, at, DAY, desired, entry, live, managed, NOW, rotation } from "./fixtures.js";
import { simulateApply } from "./simulate.js";

const SPREAD = 7 * 24 * 3600;

function fleet(count: number): DesiredKey[] {
  return Array.from({ length: count }, (_, i) =>
    entry(`svc-${String(i).padStart(2, "0")}`, { expiresInDays: null, rotation: rotation({ spreadSeconds: SPREAD }) }),
  );
}

/** Every plan and apply of `days` daily runs; returns the rotations started per day. */
function walk(entries: DesiredKey[], maxPerRun: number, days: number) {
  const start = new Date(NOW.getTime() - 80 * DAY);
  let state: Live = live(entries.map((e) => managed(e, 1, {}, { created_at: start.toISOString() })));
  const wanted = desired(entries, { maxRotationsPerRun: maxPerRun });
  const perDay: number[] = [];
  const queuedPerDay: number[] = [];
  const oldest: number[] = [];
  for (let day = 0; day < days; day++) {
    const now = new Date(start.getTime() + (80 + day) * DAY);
    const result = plan(wanted, state, now);
    perDay.push(actions(result).filter((a) => a.kind === "rotate").length);
    queuedPerDay.push(actions(result).filter((a) => a.kind === "queued").length);
    state = simulateApply(result, state, now);
    // The age of the oldest current key once the day's run is over.
    const currents = new Map<string, number>();
    for (const key of state.workspaces[0]!.keys) {
      const id = /\[tk:([^#]+)#/.exec(key.description ?? "")?.[1] ?? "";
      currents.set(id, Math.max(currents.get(id) ?? 0, Date.parse(key.created_at)));
    }
    oldest.push(Math.max(...[...currents.values()].map((created) => now.getTime() - created)) / DAY);
  }
  return { perDay, queuedPerDay, oldest };
}

describe("spread and maxPerRun", () => {
  it("spreads the due dates of keys made together over the window, deterministically", () => {
    const offsets = fleet(60).map((e) => spreadOffsetMs(e));
    expect(offsets.every((o) => o >= 0 && o < SPREAD * 1000)).toBe(true);
    expect(new Set(offsets.map((o) => Math.floor(o / DAY))).size).toBe(7);
    expect(fleet(60).map((e) => spreadOffsetMs(e))).toEqual(offsets);
    // Capped at half the maximum age: a 4-day key never rotates at once.
    expect(spreadOffsetMs(entry("x", { rotation: rotation({ maxAgeDays: 4, spreadSeconds: SPREAD }) }))).toBeLessThan(
      2 * DAY + 1,
    );
  });

  it.each([20, 10])(
    "60 keys created the same day, daily runs, maxPerRun %i: capped, spread, never past maxAgeDays",
    (maxPerRun) => {
      const { perDay, queuedPerDay, oldest } = walk(fleet(60), maxPerRun, 20);
      expect(Math.max(...perDay)).toBeLessThanOrEqual(maxPerRun);
      expect(perDay.reduce((a, b) => a + b, 0)).toBe(60);
      // On several days, not one.
      expect(perDay.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
      // No key is older than maxAgeDays (90) after any day's run.
      expect(Math.max(...oldest)).toBeLessThanOrEqual(90);
      if (maxPerRun === 10) expect(Math.max(...queuedPerDay)).toBeGreaterThan(0);
    },
  );

  it("queues the least overdue and shows each key's next rotation date", () => {
    // No spread here: the due dates are the creation dates plus 90 days.
    const entries = fleet(5).map((e) => ({ ...e, rotation: rotation() }));
    const keys = entries.map((e, i) => managed(e, 1, {}, { created_at: at(-(91 + i) * DAY) }));
    const result = plan(desired(entries, { maxRotationsPerRun: 2 }), live(keys), NOW, { forceRotate: [] });
    const rotated = actions(result)
      .filter((a) => a.kind === "rotate")
      .map((a) => a.entryId);
    const queued = actions(result).filter((a) => a.kind === "queued");
    // The two oldest go first.
    expect(rotated.sort()).toEqual(["svc-03", "svc-04"]);
    expect(queued).toHaveLength(3);
    expect(queued[0]).toMatchObject({
      entryId: "svc-00",
      generation: 1,
      reasons: ["rotation_queued", "max_age"],
      facts: { say: "queued", maxPerRun: 2, dueAt: at(-DAY) },
    });
    expect(result.changes).toBe(true);
    for (const state of result.workspaces[0]!.entries) expect(state.nextRotationAt).toMatch(/^\d{4}-/);
    // A compromised rotation is never queued.
    const urgent = plan(desired(entries, { maxRotationsPerRun: 1 }), live(keys), NOW, { compromised: ["svc-00"] });
    expect(
      actions(urgent)
        .filter((a) => a.kind === "rotate")
        .map((a) => a.entryId),
    ).toEqual(["svc-00"]);
  });
});

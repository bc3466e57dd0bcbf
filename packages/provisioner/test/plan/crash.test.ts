import { describe, expect, it } from "vitest";
import { parseMarker } from "../../src/marker.js";
import { plan } from "../../src/plan.js";
import { successorForGeneration } from "../../src/plan/successor.js";
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
const MINUTE = 60 * 1000;

describe("crash safety: successors left behind by a run that stopped", () => {
  it("a pending successor (no sink has it) is revoked and made again at the next generation", () => {
    const current = managed(crm, 1, {}, { created_at: at(-91 * DAY) });
    const pending = managed(crm, 2, { phase: "pending" }, { created_at: at(-HOUR) });
    const result = plan(manifest, live([current, pending]), NOW);
    expect(kinds(result)).toEqual(["revoke-abandoned", "rotate"]);
    const revoke = only(result, "revoke-abandoned");
    expect(revoke.operations).toEqual([{ op: "revoke", keyId: pending.id }]);
    const rotate = only(result, "rotate");
    expect(rotate.reasons).toEqual(["successor_abandoned", "max_age"]);
    // The spent generation is not reused: its idempotency key could replay the revoked key.
    expect(rotate.successor.generation).toBe(3);
    expect(rotate.successor.idempotencyKey).toBe("tk:acme:crm:3");
    // The current key is not touched.
    expect(
      actions(result)
        .flatMap((a) => a.operations)
        .some((op) => op.keyId === current.id),
    ).toBe(false);
  });

  it("a delivering successor (some sinks may have it) is never revoked: a newer one is made and it drains", () => {
    const current = managed(crm, 1, {}, { created_at: at(-30 * DAY) });
    const partial = managed(
      crm,
      2,
      { phase: "delivering", progress: { done: 1, total: 2 } },
      { created_at: at(-2 * HOUR) },
    );
    const result = plan(manifest, live([current, partial]), NOW);
    expect(kinds(result)).toEqual(["rotate"]);
    const rotate = only(result, "rotate");
    expect(rotate).toMatchObject({ reason: "successor_abandoned", keyId: current.id });
    expect(rotate.successor.generation).toBe(3);
    expect(actions(result).flatMap((a) => a.operations)).toEqual([]);

    // After the new successor is promoted, both the old current and the partial key drain.
    const state = simulateApply(result, live([current, partial]), NOW);
    const next = plan(manifest, state, new Date(NOW.getTime() + HOUR));
    expect(actions(next).map((a) => [a.kind, a.keyId])).toEqual([
      ["drain", current.id],
      ["drain", partial.id],
    ]);
    const later = plan(manifest, state, new Date(NOW.getTime() + DAY));
    expect(actions(later).map((a) => [a.kind, a.keyId])).toEqual([
      ["deactivate-previous", current.id],
      ["deactivate-previous", partial.id],
    ]);
  });

  it("a first create that crashed mid-delivery is made again; the partial key drains after", () => {
    const partial = managed(
      crm,
      1,
      { phase: "delivering", progress: { done: 1, total: 1 } },
      { created_at: at(-HOUR) },
    );
    const result = plan(manifest, live([partial]), NOW);
    const create = only(result, "create");
    expect(create).toMatchObject({ reason: "successor_abandoned" });
    expect(create.successor.generation).toBe(2);
    expect(stateOf(result, "crm")).toMatchObject({ phase: "rotating", step: "1/6" });
    const state = simulateApply(result, live([partial]), NOW);
    expect(kinds(plan(manifest, state, new Date(NOW.getTime() + HOUR)))).toEqual(["drain"]);
  });

  it("a first create that crashed before any sink is revoked and made again", () => {
    const pending = managed(crm, 1, { phase: "pending" }, { created_at: at(-HOUR) });
    const result = plan(manifest, live([pending]), NOW);
    expect(kinds(result)).toEqual(["revoke-abandoned", "create"]);
    expect(only(result, "create").successor.generation).toBe(2);
  });

  it("a stale pending key older than the current one is only revoked", () => {
    const stale = managed(crm, 1, { phase: "pending" }, { created_at: at(-40 * DAY) });
    const current = managed(crm, 2, {}, { created_at: at(-30 * DAY) });
    expect(kinds(plan(manifest, live([stale, current]), NOW))).toEqual(["revoke-abandoned"]);
  });

  it("two keys claiming one generation (a copied marker): a warning, and neither is retired", () => {
    const first = managed(
      crm,
      2,
      { promotedAt: unix(-30 * DAY) },
      { id: "00000000-0000-4000-8000-0000000000d1", created_at: at(-30 * DAY) },
    );
    const copy = managed(
      crm,
      2,
      { promotedAt: unix(-30 * DAY) },
      { id: "00000000-0000-4000-8000-0000000000d2", created_at: at(-20 * DAY) },
    );
    const result = plan(manifest, live([first, copy]), NOW);
    expect(actions(result)).toEqual([]);
    expect(result.warnings).toEqual([
      {
        workspace: "acme",
        entryId: "crm",
        facts: { code: "duplicate_current", count: 2, generation: 2, name: "CRM sync", keyId: copy.id },
      },
    ]);
    // A disabled entry still deactivates both.
    expect(kinds(plan(desired([{ ...crm, enabled: false }]), live([first, copy]), NOW))).toEqual([
      "disable",
      "disable",
    ]);
  });

  describe("a successor touched within the lease may belong to a run still at work", () => {
    const current = managed(crm, 1, {}, { created_at: at(-91 * DAY) });
    const pending = managed(crm, 2, { phase: "pending" }, { created_at: at(-2 * MINUTE) });

    it("blocks a second rotation instead of revoking it", () => {
      const result = plan(manifest, live([current, pending]), NOW);
      expect(mutating(result)).toEqual([]);
      const wait = only(result, "in-flight");
      expect(wait.keyId).toBe(pending.id);
      expect(wait.until).toBe(at(8 * MINUTE));
      expect(wait.facts).toEqual({
        say: "in-flight",
        name: "CRM sync",
        phase: "pending",
        touchedAgoMs: 2 * MINUTE,
        leaseMs: 10 * MINUTE,
      });
      expect(stateOf(result, "crm")).toMatchObject({ phase: "rotating", step: "2/6", nextAt: at(8 * MINUTE) });
    });

    it("delivery progress (a marker edit) renews the lease", () => {
      const progressing = managed(
        crm,
        2,
        { phase: "delivering", progress: { done: 1, total: 3 } },
        {
          created_at: at(-20 * MINUTE),
          updated_at: at(-MINUTE),
        },
      );
      expect(kinds(plan(manifest, live([current, progressing]), NOW))).toEqual(["in-flight"]);
    });

    it("warns when a forced rotation cannot start", () => {
      const result = plan(manifest, live([current, pending]), NOW, { forceRotate: ["crm"] });
      expect(mutating(result)).toEqual([]);
      expect(result.warnings).toEqual([{ workspace: "acme", entryId: "crm", facts: { code: "manual_in_flight" } }]);
    });

    it("past the lease it is abandoned", () => {
      const result = plan(manifest, live([current, pending]), new Date(NOW.getTime() + 9 * MINUTE));
      expect(kinds(result)).toEqual(["revoke-abandoned", "rotate"]);
    });

    it("a lease of 0 treats every unfinished successor as abandoned at once", () => {
      expect(kinds(plan(manifest, live([current, pending]), NOW, { inFlightLeaseSeconds: 0 }))).toEqual([
        "revoke-abandoned",
        "rotate",
      ]);
    });

    it("does not stop the previous keys' drain", () => {
      const previous = managed(crm, 1, {}, { created_at: at(-60 * DAY) });
      const cur = managed(crm, 2, { promotedAt: unix(-2 * DAY) }, { created_at: at(-2 * DAY) });
      const inFlight = managed(crm, 3, { phase: "pending" }, { created_at: at(-MINUTE) });
      expect(kinds(plan(manifest, live([previous, cur, inFlight]), NOW, { forceRotate: ["crm"] }))).toEqual([
        "in-flight",
        "deactivate-previous",
      ]);
    });
  });

  describe("idempotency: concurrent runs converge on one successor", () => {
    it("two runs planning from the same state send the same create", () => {
      const state = live([managed(crm, 1, {}, { created_at: at(-91 * DAY) })]);
      const a = only(plan(manifest, state, NOW), "rotate").successor;
      const b = only(plan(manifest, state, new Date(NOW.getTime() + 1500)), "rotate").successor;
      expect(b.idempotencyKey).toBe(a.idempotencyKey);
      expect(b.create).toEqual(a.create);
    });

    it("the idempotency key names workspace, entry and generation, and stays within 255 characters", () => {
      const state = live({ [`ws-${"w".repeat(300)}`]: [] });
      const long = plan(desired({ [`ws-${"w".repeat(300)}`]: [crm] }), state, NOW);
      const key = only(long, "create").successor.idempotencyKey;
      expect(key.length).toBeLessThanOrEqual(255);
      expect(key).toMatch(/^tk:sha256:[0-9a-f]{64}$/);
    });

    it("successorForGeneration moves a spec to the next generation consistently", () => {
      const spec = only(
        plan(manifest, live([managed(crm, 1, {}, { created_at: at(-91 * DAY) })]), NOW),
        "rotate",
      ).successor;
      const next = successorForGeneration(spec, "acme", 3);
      expect(next.generation).toBe(3);
      expect(next.idempotencyKey).toBe("tk:acme:crm:3");
      expect(next.create.description).toBe("Salesforce sync [tk:crm#3 delivering 0/1]");
      expect(next.descriptions.delivering).toBe(next.create.description);
      expect(parseMarker(next.descriptions.current)).toEqual({ ...spec.markers.current, generation: 3 });
      expect(next.sinks).toEqual(spec.sinks);
    });
  });
});

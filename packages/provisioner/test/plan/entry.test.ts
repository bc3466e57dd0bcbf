import { describe, expect, it } from "vitest";
import { MAX_DESCRIPTION_LENGTH, parseMarker, stripMarker } from "../../src/marker.js";
import { plan } from "../../src/plan.js";
import {
  actions,
  apiKey,
  at,
  DAY,
  desired,
  entry,
  kinds,
  live,
  managed,
  NOW,
  only,
  stateOf,
  WORKSPACE_ID,
  CRM,
} from "./fixtures.js";
import { simulateApply } from "./simulate.js";

const crm = CRM;

describe("create", () => {
  it("carries everything the executor needs: body, idempotency key, markers, sinks, verify", () => {
    const result = plan(desired([crm]), live([]), NOW);
    const create = only(result, "create");
    expect(create).toMatchObject({
      workspace: "acme",
      entryId: "crm",
      reason: "missing",
      mutates: true,
      operations: [],
    });
    expect(create.successor).toEqual({
      generation: 1,
      idempotencyKey: "tk:acme:crm:1",
      create: {
        name: "CRM sync",
        description: "Salesforce sync [tk:crm#1 delivering 0/2]",
        scopes: ["read", "write"],
        expires_in_days: 90,
      },
      userDescription: "Salesforce sync",
      markers: {
        delivering: { entryId: "crm", generation: 1, phase: "delivering", progress: { done: 0, total: 2 } },
        current: expect.objectContaining({
          entryId: "crm",
          generation: 1,
          phase: "current",
          promotedAt: Math.floor(NOW.getTime() / 1000),
        }),
      },
      descriptions: {
        delivering: "Salesforce sync [tk:crm#1 delivering 0/2]",
        current: expect.stringMatching(/^Salesforce sync \[tk:crm#1 @\d+ ~[0-9a-f]{4}\]$/),
      },
      sinks: crm.deliver,
      // No live key tells the workspace id yet: the executor takes it from its own token.
      verify: { keyName: "CRM sync", scopes: ["read", "write"], workspaceId: null },
    });
    // Values, not words (render/attributes.ts writes `"CRM sync"`, `90 days`, `file .env`).
    expect(create.attributes).toStrictEqual([
      { name: "name", before: null, after: "CRM sync" },
      { name: "description", before: null, after: "Salesforce sync" },
      { name: "scopes", before: null, after: ["read", "write"] },
      { name: "expires", before: null, after: { days: 90 } },
      {
        name: "deliver",
        before: null,
        after: [
          { type: "file", path: ".env" },
          { type: "githubSecret", repository: "acme/app", secretName: "TIMELY_API_KEY" },
        ],
      },
    ]);
    expect(stateOf(result, "crm")).toMatchObject({ phase: "new", step: "1/6" });
  });

  it("knows the workspace id from the live keys for verify", () => {
    const other = managed(entry("other"), 1);
    const create = only(plan(desired([entry("other"), crm]), live([other]), NOW), "create");
    expect(create.successor.verify.workspaceId).toBe(WORKSPACE_ID);
  });

  it("does not create a key an entry has nowhere to deliver: a warning with the fix instead", () => {
    const result = plan(desired([{ ...crm, deliver: [] }]), live([]), NOW);
    expect(actions(result)).toEqual([]);
    expect(result.changes).toBe(false);
    expect(result.warnings).toEqual([{ workspace: "acme", entryId: "crm", facts: { code: "no_sinks_new" } }]);
    expect(stateOf(result, "crm")).toMatchObject({ phase: "new", unrotatable: "no_sinks" });
  });

  it(
    "does not rotate a key that is due but has no sinks: " + "no change, a warning naming why it is due and the fix",
    () => {
      const noSinks = { ...crm, deliver: [], expiresInDays: null };
      const key = managed(noSinks, 2, {}, { created_at: at(-120 * DAY), expires_at: null });
      const result = plan(desired([noSinks]), live([key]), NOW);
      expect(actions(result)).toEqual([]);
      expect(result.changes).toBe(false);
      const triggers = [{ reason: "max_age", ageMs: 120 * DAY, maxAgeDays: 90, spreadMs: 0 }];
      expect(result.warnings).toEqual([
        { workspace: "acme", entryId: "crm", facts: { code: "no_sinks_due", triggers } },
      ]);
      expect(stateOf(result, "crm").facts).toEqual({ say: "due-no-sinks", triggers });
      expect(stateOf(result, "crm")).toMatchObject({ unrotatable: "no_sinks", generation: 2 });
      // With a sink, the same key rotates.
      const withSink = { ...noSinks, deliver: crm.deliver };
      expect(
        kinds(
          plan(
            desired([withSink]),
            live([managed(withSink, 2, {}, { created_at: at(-120 * DAY), expires_at: null })]),
            NOW,
          ),
        ),
      ).toContain("rotate");
    },
  );

  it("does not create a key for a disabled entry", () => {
    const result = plan(desired([{ ...crm, enabled: false }]), live([]), NOW);
    expect(actions(result)).toEqual([]);
    expect(stateOf(result, "crm")).toMatchObject({ phase: "disabled", facts: { say: "disabled" } });
  });
});

describe("the current key against the manifest", () => {
  it("a key that matches produces no action, only a steady phase", () => {
    const key = managed(crm, 4, { promotedAt: 1_760_000_000 }, { created_at: at(-10 * DAY) });
    const result = plan(desired([crm]), live([key]), NOW);
    expect(actions(result)).toEqual([]);
    expect(result.changes).toBe(false);
    expect(result.summary).toEqual({ create: 0, update: 0, replace: 0, rotate: 0, retire: 0, drift: 0, noop: 1 });
    // 90-day key, 14-day margin: due at day 76, before the max age of 90.
    expect(stateOf(result, "crm")).toEqual({
      entryId: "crm",
      name: "CRM sync",
      phase: "steady",
      nextAt: at(66 * DAY),
      nextRotationAt: at(66 * DAY),
      generation: 4,
      currentKeyId: key.id,
      facts: { say: "steady" },
    });
  });

  it("a manifest description change is an in-place update with a word diff", () => {
    const key = managed(crm, 1);
    const result = plan(desired([{ ...crm, description: "Salesforce nightly sync" }]), live([key]), NOW);
    const update = only(result, "update");
    expect(update.reason).toBe("manifest_changed");
    expect(update.attributes).toEqual([
      { name: "description", before: "Salesforce sync", after: "Salesforce nightly sync" },
    ]);
    expect(update.operations).toEqual([
      {
        op: "update",
        keyId: key.id,
        body: { description: expect.stringMatching(/^Salesforce nightly sync \[tk:crm#1 ~[0-9a-f]{4}\]$/) },
      },
    ]);
  });

  it("an edit made in the dashboard is reverted and called edited_outside", () => {
    const key = managed(crm, 1);
    const edited = { ...key, description: `Someone's note ${key.description.slice("Salesforce sync ".length)}` };
    expect(parseMarker(edited.description)?.entryId).toBe("crm");
    const update = only(plan(desired([crm]), live([edited]), NOW), "update");
    expect(update.reason).toBe("edited_outside");
    expect(update.facts).toEqual({ say: "update", name: "CRM sync" });
    expect(update.attributes).toEqual([{ name: "description", before: "Someone's note", after: "Salesforce sync" }]);
  });

  it("a protect flag change rewrites the marker only", () => {
    const key = managed(crm, 1);
    const update = only(plan(desired([{ ...crm, protect: true }]), live([key]), NOW), "update");
    expect(update.reason).toBe("manifest_changed");
    expect(update.attributes.map((a) => a.name)).toEqual(["marker"]);
    expect(update.attributes[0]!.after).toMatch(/^\[tk:crm#1 protect ~[0-9a-f]{4}\]$/);
  });

  it("a long description is cut to fit the marker within 500 characters, and stays stable", () => {
    const long = { ...crm, description: "word ".repeat(200).trim() };
    const create = only(plan(desired([long]), live([]), NOW), "create");
    for (const text of Object.values(create.successor.descriptions)) {
      expect(Array.from(text).length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
      expect(stripMarker(text).endsWith("…")).toBe(true);
    }
    const state = simulateApply(plan(desired([long]), live([]), NOW), live([]), NOW);
    expect(plan(desired([long]), state, NOW).changes).toBe(false);
  });

  it("disable then enable round trip: the off flag tells whose deactivation it was", () => {
    const key = managed(crm, 1);
    const off = desired([{ ...crm, enabled: false }]);
    const disabling = plan(off, live([key]), NOW);
    expect(kinds(disabling)).toEqual(["disable"]);
    const state = simulateApply(disabling, live([key]), NOW);
    expect(parseMarker(state.workspaces[0]!.keys[0]!.description)?.off).toBe(true);
    expect(plan(off, state, NOW).changes).toBe(false);
    const enabling = only(plan(desired([crm]), state, NOW), "enable");
    expect(enabling.reason).toBe("enabled_changed");
    expect(enabling.operations.map((o) => o.op)).toEqual(["activate", "update"]);
    const back = simulateApply(plan(desired([crm]), state, NOW), state, NOW);
    expect(back.workspaces[0]!.keys[0]!.description).toBe(key.description);
  });

  it("enabling a key deactivated outside comes with a separate update when the text changed too", () => {
    const key = managed(crm, 1, {}, { status: "inactive", deactivated_at: at(-DAY) });
    const result = plan(desired([{ ...crm, name: "CRM" }]), live([key]), NOW);
    expect(actions(result).map((a) => [a.kind, a.reason])).toEqual([
      ["enable", "edited_outside"],
      ["update", "manifest_changed"],
    ]);
    expect(actions(result)[0]!.operations).toEqual([{ op: "activate", keyId: key.id }]);
  });

  it("leaves name and description alone when the key is being replaced anyway", () => {
    const key = managed(crm, 1);
    const result = plan(desired([{ ...crm, name: "CRM v2", scopes: ["read"] }]), live([key]), NOW);
    expect(kinds(result)).toEqual(["rotate"]);
    const rotate = only(result, "rotate");
    expect(rotate.successor.create.name).toBe("CRM v2");
    expect(rotate.attributes.find((a) => a.name === "name")).toEqual({
      name: "name",
      before: "CRM sync",
      after: "CRM v2",
    });
  });
});

describe("adopt", () => {
  it("claims an unmarked key by writing its marker; the next plan is empty", () => {
    const key = apiKey({
      name: "Old CRM key",
      description: "made in the dashboard",
      scopes: ["read", "write"],
      expires_at: at(80 * DAY),
      created_at: at(-10 * DAY),
    });
    const manifest = desired([{ ...crm, adopt: key.id }]);
    const result = plan(manifest, live([key]), NOW);
    const adopt = only(result, "adopt");
    expect(adopt).toMatchObject({ keyId: key.id, facts: { say: "adopt", name: "Old CRM key" } });
    expect(adopt.operations).toEqual([
      {
        op: "update",
        keyId: key.id,
        body: { description: expect.stringMatching(/^Salesforce sync \[tk:crm#1 ~[0-9a-f]{4}\]$/), name: "CRM sync" },
      },
    ]);
    expect(kinds(result)).toEqual(["adopt"]);
    expect(stateOf(result, "crm")).toMatchObject({ phase: "steady", generation: 1, currentKeyId: key.id });
    const state = simulateApply(result, live([key]), NOW);
    expect(actions(plan(manifest, state, NOW))).toEqual([]);
  });

  it("an adopted key whose scopes differ is adopted and replaced in the same plan", () => {
    const key = apiKey({ name: "CRM sync", scopes: ["read"], expires_at: at(80 * DAY) });
    const result = plan(desired([{ ...crm, adopt: key.id }]), live([key]), NOW);
    expect(kinds(result)).toEqual(["adopt", "rotate"]);
    expect(only(result, "rotate")).toMatchObject({ keyId: key.id, reason: "scopes_changed" });
  });

  it("ignores an adopt of a key that belongs to another entry, with a warning", () => {
    const owned = managed(entry("other"), 1);
    const result = plan(desired([entry("other"), { ...crm, adopt: owned.id }]), live([owned]), NOW);
    expect(kinds(result)).toEqual(["create"]);
    expect(result.warnings).toEqual([
      {
        workspace: "acme",
        entryId: "crm",
        keyId: owned.id,
        facts: { code: "adopt_other_entry", name: "other integration", owner: "other" },
      },
    ]);
  });

  it("an adopt whose key was since rotated away changes nothing", () => {
    const key = managed(crm, 3);
    expect(
      actions(plan(desired([{ ...crm, adopt: "00000000-0000-4000-8000-000000000000" }]), live([key]), NOW)),
    ).toEqual([]);
  });
});

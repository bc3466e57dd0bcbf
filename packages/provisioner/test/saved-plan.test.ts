import { describe, expect, it } from "vitest";
import { parseSavedPlan, serializeSavedPlan } from "../src/saved-plan.js";
import type { Plan } from "../src/model.js";
import { plan as makePlan } from "../src/plan.js";
import { renderJson, renderText } from "../src/render.js";
import { desired, entry, live, NOW } from "./plan/fixtures.js";

const plan: Plan = {
  format_version: 2,
  generated_at: "2026-11-23T00:00:00.000Z",
  manifest: "/tmp/timely-keys.yaml",
  options: { targets: null, workspaces: null, forceRotate: [], rollback: null, inFlightLeaseSeconds: 600 },
  changes: false,
  summary: { create: 0, update: 0, replace: 0, rotate: 0, retire: 0, drift: 0, noop: 0 },
  warnings: [],
  workspaces: [{ name: "acme", tokenEnv: "T", serverNow: null, fingerprint: "sha256:00", actions: [], entries: [] }],
};

describe("saved plans", () => {
  it("round-trip", () => {
    expect(parseSavedPlan(serializeSavedPlan(plan), "p.json")).toEqual(plan);
  });

  it("read a plan saved by an earlier version (format_version 1): its successors still apply", () => {
    const earlier = { ...plan, format_version: 1 as 2 };
    expect(parseSavedPlan(serializeSavedPlan(earlier), "p.json")).toEqual(earlier);
  });

  it("a saved plan of either version shows its attributes in the words it was saved with", () => {
    const made = makePlan(desired([entry("crm", { name: "CRM sync" })]), live([]), NOW);
    for (const version of [1, 2] as const) {
      const saved = { ...made, format_version: version as 2 };
      const read = parseSavedPlan(serializeSavedPlan(saved), "p.json");
      const create = read.workspaces[0]!.actions[0]!;
      expect(create.attributes[0]).toEqual({ name: "name", saved: true, before: null, after: '"CRM sync"' });
      expect(renderJson(read)).toBe(renderJson(saved));
      expect(renderText(read, { color: false })).toBe(renderText(saved, { color: false }));
      expect(renderText(read, { color: false })).toContain('name:        "CRM sync"');
    }
  });

  it("refuse an edited file", () => {
    const text = serializeSavedPlan(plan).replace('"acme"', '"acme2"');
    expect(() => parseSavedPlan(text, "p.json")).toThrow(/modified after it was written/);
  });

  it.each([
    ["not JSON", "{", /invalid JSON/],
    ["another document", '{"hello":1}', /not a saved plan/],
    [
      "another format version",
      serializeSavedPlan({ ...plan, format_version: 3 as 2 }),
      /format_version 3 is not supported \(expected 1 or 2\)/,
    ],
  ])("refuse %s", (_name, text, message) => {
    expect(() => parseSavedPlan(text, "p.json")).toThrow(message);
  });
});

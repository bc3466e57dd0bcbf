import { describe, expect, it } from "vitest";
import { parseSavedPlan, serializeSavedPlan } from "../src/saved-plan.js";
import type { Plan } from "../src/model.js";

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

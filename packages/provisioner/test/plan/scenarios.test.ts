import { describe, expect, it } from "vitest";
import { actionKinds, reasons } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { actions, NOW } from "./fixtures.js";
import { scenarios } from "./scenarios.js";
import { simulateApply } from "./simulate.js";

describe("every action kind and every reason", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: ${scenario.expect.kind} / ${scenario.expect.reason}`, () => {
      const result = plan(scenario.desired, scenario.live, NOW, scenario.options);
      const matching = actions(result).filter(
        (a) =>
          a.kind === scenario.expect.kind &&
          a.reason === scenario.expect.reason &&
          (scenario.expect.keyId === undefined || a.keyId === scenario.expect.keyId),
      );
      expect(matching, JSON.stringify(actions(result).map((a) => [a.kind, a.reason, a.keyId]))).toHaveLength(1);
      const action = matching[0]!;
      expect(action.facts.say).not.toBe("saved");
      expect(action.reasons[0]).toBe(action.reason);
      expect(action.mutates).toBe(
        !["drain", "quarantine", "in-flight", "queued"].includes(action.kind) &&
          !(action.kind === "drift" && action.operation === "report"),
      );
      // And the next plan, once applied, has nothing left to change (a queued rotation is the next one).
      const after = simulateApply(result, scenario.live, NOW);
      const again = plan(scenario.desired, after, NOW);
      const expected = action.kind === "queued" ? [`rotate/${action.reasons[1]}`] : [];
      expect(
        actions(again)
          .filter((a) => a.mutates)
          .map((a) => `${a.kind}/${a.reason}`),
      ).toEqual(expected);
    });
  }

  it("the scenarios cover every kind and every reason the model declares", () => {
    const kinds = new Set(scenarios.map((s) => s.expect.kind));
    const covered = new Set(scenarios.map((s) => s.expect.reason));
    expect(actionKinds.filter((k) => !kinds.has(k))).toEqual([]);
    expect(reasons.filter((r) => !covered.has(r))).toEqual([]);
  });
});

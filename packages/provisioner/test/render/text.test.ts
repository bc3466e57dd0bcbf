import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { markedWords, renderText } from "../../src/render.js";
import { apiKey, at, DAY, desired, entry, HOUR, live, managed, NOW, unix } from "../plan/fixtures.js";
import { scenarios } from "../plan/scenarios.js";

const ANSI = /\u001b\[/;

/** One plan with one action of each tone. */
function mixedPlan(): Plan {
  const create = entry("new-one", { name: "New one" });
  const update = entry("renamed", { name: "Renamed key" });
  const replace = entry("scoped", { scopes: ["read", "write"] });
  const rotate = entry("old", { description: "Data pipeline for the nightly export" });
  const draining = entry("draining");
  return plan(
    desired([create, update, replace, rotate, draining]),
    live([
      managed({ ...update, name: "Old name" }, 1),
      managed({ ...replace, scopes: ["read"] }, 1),
      managed({ ...rotate, description: "Data pipeline for the weekly export" }, 1, {}, { created_at: at(-100 * DAY) }),
      managed(draining, 1, {}, { created_at: at(-40 * DAY), last_used_at: at(-2 * HOUR) }),
      managed(draining, 2, { promotedAt: unix(-5 * HOUR) }, { created_at: at(-5 * HOUR) }),
      managed(entry("removed"), 1),
      apiKey({ name: "Legacy thing" }),
    ]),
    NOW,
  );
}

describe("renderText", () => {
  it("shows each action with its Terraform-like symbol", () => {
    const lines = renderText(mixedPlan(), { color: false }).split("\n");
    const head = (prefix: string) => lines.find((l) => l.startsWith(prefix));
    expect(head("    + new-one: create")).toBeDefined();
    expect(head("    ~ renamed: update")).toBeDefined();
    expect(head("  -/+ scoped: rotation 1/6: replace")).toBeDefined();
    expect(head("    ↻ old: rotation 1/6: rotate")).toBeDefined();
    expect(head("    · draining: rotation 4/6: draining previous key")).toBeDefined();
    expect(head("    - removed: retire")).toBeDefined();
    expect(head("    ! Legacy thing: unmanaged key")).toBeDefined();
  });

  it("ends with the summary line, counts for rotations and drift in a second sentence", () => {
    const text = renderText(mixedPlan(), { color: false });
    expect(text.split("\n").at(-1)).toBe(
      "Plan: 1 to create, 1 to update, 1 to replace, 1 to retire. 1 to rotate, 1 unmanaged.",
    );
  });

  it("says exactly the summary sentence when only creates, updates, replaces and retirements are planned", () => {
    const a = entry("a");
    const b = entry("b");
    const c = entry("c", { name: "C" });
    const d = entry("d", { scopes: ["read", "write"] });
    const result = plan(
      desired([a, b, c, d]),
      live([managed({ ...c, name: "old" }, 1), managed({ ...d, scopes: ["read"] }, 1)]),
      NOW,
    );
    expect(renderText(result, { color: false }).split("\n").at(-1)).toBe(
      "Plan: 2 to create, 1 to update, 1 to replace, 0 to retire.",
    );
  });

  it("says there is nothing to do when there is nothing to do", () => {
    const e = entry("a");
    const text = renderText(plan(desired([e]), live([managed(e, 1)]), NOW), { color: false });
    expect(text.split("\n").at(-1)).toBe("No changes. Your Timely.ai keys match the manifest.");
    expect(text).toContain("no changes (1 key in the manifest)");
  });

  it("still mentions reported drift when nothing changes", () => {
    const text = renderText(plan(desired([]), live([apiKey({ name: "stray" })]), NOW), { color: false });
    expect(text.split("\n").at(-1)).toBe(
      "No changes. Your Timely.ai keys match the manifest. 1 unmanaged key reported.",
    );
  });

  it("shows attribute changes before -> after, marks what forces a replacement, and the reasons", () => {
    const text = renderText(mixedPlan(), { color: false });
    expect(text).toMatch(/name: +"Old name" -> "Renamed key"/);
    expect(text).toMatch(/scopes: +read -> read, write {3}# forces replacement/);
    expect(text).toMatch(/reason: +scopes_changed/);
    expect(text).toMatch(/reason: +edited_outside|reason: +manifest_changed/);
  });

  it("highlights changed words in descriptions: marks without colour, red and green with colour", () => {
    const plain = renderText(mixedPlan(), { color: false });
    expect(plain).toContain('"Data pipeline for the weekly export" -> "Data pipeline for the nightly export"');
    expect(plain).toContain('"Data pipeline for the [-weekly-]{+nightly+} export"');
    const colored = renderText(mixedPlan(), { color: true });
    expect(colored).toContain("\u001b[31mweekly\u001b[0m");
    expect(colored).toContain("\u001b[32mnightly\u001b[0m");
    expect(markedWords("a b c", "a x c")).toBe("a [-b-]{+x+} c");
  });

  it("uses no ANSI codes at all without colour, and some with it", () => {
    for (const scenario of scenarios) {
      const result = plan(scenario.desired, scenario.live, NOW, scenario.options);
      expect(renderText(result, { color: false })).not.toMatch(ANSI);
    }
    expect(renderText(mixedPlan(), { color: true })).toMatch(ANSI);
  });

  it("prints warnings before the summary", () => {
    const e = entry("crm");
    const text = renderText(plan(desired([{ ...e, deliver: [] }]), live([]), NOW), { color: false });
    const lines = text.split("\n");
    expect(lines.at(-3)).toBe(
      "Warning: acme/crm: crm has no deliver sinks, so no key is created for it: add a deliver: sink to the entry " +
        "(its current key keeps working meanwhile)",
    );
  });

  it("renders every scenario without throwing, informational lines included", () => {
    for (const scenario of scenarios) {
      const text = renderText(plan(scenario.desired, scenario.live, NOW, scenario.options), { color: false });
      expect(text.length).toBeGreaterThan(0);
      if (["drain", "quarantine", "in-flight"].includes(scenario.expect.kind))
        expect(text).toMatch(/^ {4}· crm: rotation [246]\/6: /m);
    }
  });
});

describe("repeated plan warnings", () => {
  it("are grouped: the first three in full, then the count and the next entries", () => {
    const entries = Array.from({ length: 9 }, (_, i) => ({ ...entry(`k${i}`), deliver: [] }));
    const text = renderText(plan(desired(entries), live([]), NOW), { color: false });
    const warnings = text.split("\n").filter((l) => l.startsWith("Warning:"));
    expect(warnings).toEqual([
      ...[0, 1, 2].map(
        (i) =>
          `Warning: acme/k${i}: k${i} has no deliver sinks, so no key is created for it: add a deliver: sink to the ` +
          `entry (its current key keeps working meanwhile)`,
      ),
      "Warning: acme: 6 more like the above: k3, k4, k5, k6, k7, … (9 in all)",
    ]);
  });
});

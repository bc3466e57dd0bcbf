// Rendering grows with the plan without argument spreads: a 150,000-action plan (one workspace of
// unmanaged keys, the shape of a big imported workspace) renders as text, markdown and JSON. Before,
// `lines.push(...renderWorkspace(...))` threw "Maximum call stack size exceeded" at this size.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { renderJson, renderMarkdown, renderText } from "../../src/render.js";
import { apiKey, desired, entry, live, NOW } from "../plan/fixtures.js";

const UNMANAGED = 150_000;

function bigPlan(): Plan {
  const keys = [];
  for (let i = 0; i < UNMANAGED; i++) keys.push(apiKey({ name: `Dashboard key ${i}` }));
  return plan(desired([entry("only-entry")]), live(keys), NOW);
}

describe("rendering a plan with 150,000 actions", () => {
  const big = bigPlan();

  it("has one drift action per unmanaged key", () => {
    expect(big.workspaces[0]!.actions.filter((a) => a.kind === "drift")).toHaveLength(UNMANAGED);
  });

  it("renders as text, one line per unmanaged key, ending with the summary", () => {
    const text = renderText(big, { color: false });
    const lines = text.split("\n");
    expect(lines.filter((l) => l.includes("Dashboard key ")).length).toBe(UNMANAGED);
    expect(lines.at(-1)).toContain(`${UNMANAGED} unmanaged`);
    expect(renderText(big, { color: true }).length).toBeGreaterThan(text.length);
  });

  it("renders as markdown (within its size cap) and as JSON", () => {
    expect(renderMarkdown(big)).toContain("more rows not shown");
    const json = JSON.parse(renderJson(big)) as { workspaces: Array<{ actions: unknown[] }> };
    expect(json.workspaces[0]!.actions.length).toBeGreaterThanOrEqual(UNMANAGED);
  });
});

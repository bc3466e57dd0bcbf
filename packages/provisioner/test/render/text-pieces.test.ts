// The CLI writes a text plan in pieces (renderTextPieces) instead of one string: joined, the pieces
// must be renderText's text byte for byte, colour or not, redaction included.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { renderText, renderTextPieces } from "../../src/render.js";
import { apiKey, desired, entry, live, managed, NOW } from "../plan/fixtures.js";
import { scenarios } from "../plan/scenarios.js";

const UNMANAGED = 5_000;
/** Shaped like a Timely API key: the renderers mask it wherever it is quoted. */
const SECRET_SHAPED = "tml_AAAAbbbbCCCCdddd1234";

/** A large report plan (two lines per unmanaged key), with actions of other kinds and warnings. */
function bigPlan(): Plan {
  const keys = [managed(entry("renamed", { name: "Renamed key" }), 1), apiKey({ name: `Leaked ${SECRET_SHAPED}` })];
  for (let i = 0; i < UNMANAGED; i++) keys.push(apiKey({ name: `Dashboard key ${i} → “quoted”` }));
  // Namesakes of entries are warned about: the warnings come after the workspace's lines.
  keys.push(apiKey({ name: "New one" }), apiKey({ name: "Other new one" }));
  return plan(
    desired([
      entry("new-one", { name: "New one" }),
      entry("other", { name: "Other new one" }),
      entry("renamed", { name: "New name" }),
    ]),
    live(keys),
    NOW,
  );
}

describe("renderTextPieces", () => {
  const big = bigPlan();

  it.each([false, true])(
    "joins to exactly renderText's text for a plan of many unmanaged keys (colour: %s)",
    (color) => {
      const whole = renderText(big, { color });
      const pieces = [...renderTextPieces(big, { color })];
      expect(pieces.length).toBeGreaterThan(2);
      expect(pieces.join("")).toBe(whole);
      // Whole lines only: every piece after the first starts a new line.
      for (const piece of pieces.slice(1)) expect(piece.startsWith("\n")).toBe(true);
      expect(whole).toContain("Leaked tml_***");
      expect(whole).not.toContain(SECRET_SHAPED);
      expect(whole.split("\n").filter((line) => line.includes("Dashboard key ")).length).toBe(UNMANAGED);
      expect(whole).toMatch(/Warning:/);
    },
  );

  it("joins to renderText's text for every plan scenario, with and without colour", () => {
    for (const scenario of scenarios) {
      const result = plan(scenario.desired, scenario.live, NOW, scenario.options);
      for (const color of [false, true]) {
        expect([...renderTextPieces(result, { color })].join("")).toBe(renderText(result, { color }));
      }
    }
  });

  it("says no workspace is selected in one piece, as renderText does", () => {
    const empty = plan(desired([entry("x")]), live([]), NOW, { workspaces: ["nowhere"] });
    expect([...renderTextPieces(empty, { color: false })].join("")).toBe(renderText(empty, { color: false }));
  });
});

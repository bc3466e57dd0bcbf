import { describe, expect, it } from "vitest";
import { idList, planOutputs } from "../src/outputs.js";
import { DAY_MS, desiredOf, liveOf, managedKey, planOf } from "./support/fixtures.js";

const now = new Date("2026-06-01T00:00:00Z");
const manifest = `version: 1
workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
    keys:
      - { id: new-one, name: New One, scopes: [read], deliver: [{ type: file, path: ./a.env }] }
      - { id: old-one, name: Old One, scopes: [read], deliver: [{ type: file, path: ./b.env }] }
      - { id: fresh, name: Fresh, scopes: [read], deliver: [{ type: file, path: ./c.env }] }
`;

describe("planOutputs", () => {
  it("gives changes and the counts; to-rotate counts rotations", () => {
    const desired = desiredOf(manifest);
    const live = liveOf(
      {
        prod: [
          managedKey("old-one", 1, new Date(now.getTime() - 100 * DAY_MS), { name: "Old One" }),
          managedKey("fresh", 1, new Date(now.getTime() - DAY_MS), { name: "Fresh" }),
        ],
      },
      now,
    );
    expect(planOutputs(planOf(desired, live, now))).toEqual({
      changes: "true",
      "to-create": "1",
      "to-update": "0",
      "to-rotate": "1",
      "to-retire": "0",
    });
  });

  it("says false and zeros when nothing changes", () => {
    const desired = desiredOf(manifest);
    const live = liveOf(
      {
        prod: ["new-one", "old-one", "fresh"].map((id) =>
          managedKey(id, 1, now, { name: id === "new-one" ? "New One" : id === "old-one" ? "Old One" : "Fresh" }),
        ),
      },
      now,
    );
    expect(planOutputs(planOf(desired, live, now))).toEqual({
      changes: "false",
      "to-create": "0",
      "to-update": "0",
      "to-rotate": "0",
      "to-retire": "0",
    });
  });
});

describe("idList", () => {
  it("joins unique ids with commas", () => {
    expect(idList(["a", "b", "a"])).toBe("a,b");
    expect(idList([])).toBe("");
  });
});

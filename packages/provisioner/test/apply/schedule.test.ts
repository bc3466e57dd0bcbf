import { describe, expect, it } from "vitest";
import { runGrouped } from "../../src/apply/schedule.js";

describe("runGrouped", () => {
  it("runs one group's items in order and different groups side by side, never more than the limit", async () => {
    const items = ["a1", "b1", "a2", "c1", "b2", "a3", "d1"];
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    await runGrouped(
      items,
      (i) => i[0]!,
      2,
      async (item) => {
        running += 1;
        peak = Math.max(peak, running);
        started.push(item);
        await new Promise((r) => setImmediate(r));
        running -= 1;
      },
    );
    expect(peak).toBe(2);
    expect(started.filter((i) => i.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(started.filter((i) => i.startsWith("b"))).toEqual(["b1", "b2"]);
    expect([...started].sort()).toEqual([...items].sort());
  });

  it("does nothing for no items", async () => {
    let calls = 0;
    await runGrouped(
      [],
      () => "x",
      4,
      async () => {
        calls += 1;
      },
    );
    expect(calls).toBe(0);
  });
});

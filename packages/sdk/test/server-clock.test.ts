import { describe, expect, it } from "vitest";
import { ServerClock } from "../src/server-clock.js";

function clockAt(start = 500) {
  let now = start;
  return { clock: new ServerClock(() => now), advance: (ms: number) => (now += ms) };
}

describe("ServerClock", () => {
  it("knows nothing before a Date header", () => {
    const { clock } = clockAt();
    expect(clock.nowMs()).toBeUndefined();
    const local = Date.now();
    expect(clock.nowOrLocalMs()).toBeGreaterThanOrEqual(local);
  });

  it("adds the monotonic time elapsed since the header was seen", () => {
    const { clock, advance } = clockAt();
    clock.observe("Tue, 01 Jan 2030 00:00:00 GMT");
    advance(2500);
    expect(clock.nowMs()).toBe(Date.parse("2030-01-01T00:00:02.500Z"));
  });

  it("keeps the first sighting of a second: repeats of the same header change nothing", () => {
    const { clock, advance } = clockAt();
    clock.observe("Tue, 01 Jan 2030 00:00:00 GMT");
    advance(700);
    clock.observe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(clock.nowMs()).toBe(Date.parse("2030-01-01T00:00:00.700Z"));
    clock.observe("Tue, 01 Jan 2030 00:00:01 GMT");
    expect(clock.nowMs()).toBe(Date.parse("2030-01-01T00:00:01.000Z"));
  });

  it("ignores missing or unparsable headers", () => {
    const { clock } = clockAt();
    clock.observe(null);
    clock.observe("yesterday-ish");
    expect(clock.nowMs()).toBeUndefined();
  });

  it("converts a server instant to the local monotonic clock", () => {
    const { clock } = clockAt(10_000);
    clock.observe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(clock.toMonotonic(Date.parse("2030-01-01T00:00:05Z"))).toBe(15_000);
  });
});

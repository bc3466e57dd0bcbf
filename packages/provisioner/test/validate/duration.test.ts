import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/validate/duration.js";

describe("durations", () => {
  it.each([
    ["0s", 0],
    ["45s", 45],
    ["90m", 5400],
    ["24h", 86_400],
    ["7d", 604_800],
    ["9999999d", 9_999_999 * 86_400],
  ])("parses %s", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "24", "h", "1w", "24 h", "24H", "-1d", "1.5h", "1d12h", "10000000d", " 7d"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, "0s"],
    [59, "59s"],
    [5400, "90m"],
    [86_400, "1d"],
    [172_800, "2d"],
    [43_200, "12h"],
  ])("formats %i seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoOrNull, ms } from "../../src/plan/time.js";

/** What the planner's time helpers stand for: JavaScript's own Date. */
const referenceIso = (time: number) =>
  Number.isFinite(time) && Math.abs(time) <= 8.64e15 ? new Date(time).toISOString() : null;
const referenceMs = (iso: string) => Date.parse(iso);

const DIGITS = "0123456789";
/** Text in the API's timestamp shape whose digits are anything (Feb 30, month 13, hour 24, second 60...). */
const anyDigits = fc
  .tuple(fc.array(fc.constantFrom(...DIGITS), { minLength: 17, maxLength: 17 }), fc.boolean())
  .map(([d, withMillis]) => {
    const s = d.join("");
    const date = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
    const base = `${date}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
    return withMillis ? `${base}.${s.slice(14, 17)}Z` : `${base}Z`;
  });

describe("isoOrNull", () => {
  it("writes what toISOString writes, for any time", () => {
    fc.assert(
      fc.property(fc.double({ min: -9e15, max: 9e15, noNaN: false }), (time) => {
        expect(isoOrNull(time)).toBe(referenceIso(time));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000 - 86_400_000, max: 253_402_300_799_999 + 86_400_000 }), (t) => {
        expect(isoOrNull(t)).toBe(referenceIso(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it("handles the edges: year 0000 and 9999, before 1970, fractions toward zero, leap days", () => {
    const edges = [
      -62_167_219_200_001,
      -62_167_219_200_000,
      253_402_300_799_999,
      253_402_300_800_000,
      -1,
      -0.5,
      -1.5,
      0,
      -0,
      0.9,
      951_782_400_000,
      4_107_542_400_000,
      8.64e15,
      -8.64e15,
      8.64e15 + 1,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ];
    for (const time of edges) expect(isoOrNull(time)).toBe(referenceIso(time));
  });
});

describe("ms", () => {
  it("reads what Date.parse reads, in the API's shape and around it", () => {
    fc.assert(
      fc.property(anyDigits, (text) => {
        expect(Object.is(ms(text), referenceMs(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), fc.boolean(), (t, millis) => {
        const iso = new Date(t).toISOString();
        const text = millis ? iso : `${iso.slice(0, 19)}Z`;
        expect(ms(text)).toBe(referenceMs(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("leaves every other text to Date.parse", () => {
    const texts = [
      "2026-02-29T00:00:00.000Z",
      "2024-02-29T00:00:00.000Z",
      "1900-02-29T00:00:00Z",
      "2000-02-29T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T23:59:60Z",
      "2026-01-01t00:00:00Z",
      "2026-01-01T00:00:00.5Z",
      "2026-01-01T00:00:00+01:00",
      "2026-01-01T00:00:00.000",
      "2026-01-01",
      "+002026-01-01T00:00:00.000Z",
      "2026-1-01T00:00:00.000Z",
      "2026-01-01T00:00:00.0a0Z",
      "２０２６-01-01T00:00:00Z",
      "",
      "not a time",
    ];
    for (const text of texts) expect(Object.is(ms(text), referenceMs(text)), text).toBe(true);
    expect(ms(null)).toBeNaN();
    expect(ms(undefined)).toBeNaN();
  });
});

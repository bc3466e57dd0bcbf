import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatMarker,
  isMarkableEntryId,
  markerHash,
  MAX_DESCRIPTION_LENGTH,
  parseMarker,
  splitDescription,
  stripMarker,
  withHashedMarker,
  withMarker,
  type Marker,
} from "../src/marker.js";

const current: Marker = { entryId: "salesforce-crm", generation: 3, phase: "current" };

describe("formatMarker", () => {
  it("writes the short forms of every phase and flag", () => {
    expect(formatMarker(current)).toBe("[tk:salesforce-crm#3]");
    expect(formatMarker({ ...current, generation: 4, phase: "pending" })).toBe("[tk:salesforce-crm#4 pending]");
    expect(formatMarker({ ...current, generation: 4, phase: "delivering" })).toBe("[tk:salesforce-crm#4 delivering]");
    expect(formatMarker({ ...current, generation: 4, phase: "delivering", progress: { done: 1, total: 3 } })).toBe(
      "[tk:salesforce-crm#4 delivering 1/3]",
    );
    expect(
      formatMarker({ ...current, promotedAt: 1764000000, holdFor: 4, protect: true, off: true, hash: "3fa2" }),
    ).toBe("[tk:salesforce-crm#3 @1764000000 hold#4 protect off ~3fa2]");
  });

  it("refuses what it could not parse back", () => {
    expect(() => formatMarker({ ...current, entryId: "has space" })).toThrow(RangeError);
    expect(() => formatMarker({ ...current, entryId: "a]b" })).toThrow(RangeError);
    expect(() => formatMarker({ ...current, generation: 0 })).toThrow(RangeError);
    expect(() => formatMarker({ ...current, generation: 1.5 })).toThrow(RangeError);
    expect(() => formatMarker({ ...current, phase: "delivering", progress: { done: 4, total: 3 } })).toThrow(
      RangeError,
    );
    expect(() => formatMarker({ ...current, hash: "XYZ1" })).toThrow(RangeError);
    expect(() => formatMarker({ ...current, promotedAt: -5 })).toThrow(RangeError);
  });
});

describe("parseMarker", () => {
  it("reads a trailing marker after the user's text", () => {
    expect(parseMarker("Salesforce sync [tk:salesforce-crm#3]")).toEqual(current);
    expect(parseMarker("Salesforce sync [tk:salesforce-crm#4 delivering 2/3]")).toEqual({
      entryId: "salesforce-crm",
      generation: 4,
      phase: "delivering",
      progress: { done: 2, total: 3 },
    });
    expect(parseMarker("[tk:a#1 @1764000000 hold#2 protect off ~00ff]")).toEqual({
      entryId: "a",
      generation: 1,
      phase: "current",
      promotedAt: 1764000000,
      holdFor: 2,
      protect: true,
      off: true,
      hash: "00ff",
    });
  });

  it("accepts tokens in any order and trailing whitespace", () => {
    expect(parseMarker("x [tk:a#2 ~abcd @17 pending]  \n")).toEqual({
      entryId: "a",
      generation: 2,
      phase: "pending",
      promotedAt: 17,
      hash: "abcd",
    });
  });

  it("only counts a trailing marker: a lookalike inside the text is the user's text", () => {
    expect(splitDescription("Copied from [tk:other#9] on Monday")).toEqual({
      text: "Copied from [tk:other#9] on Monday",
      marker: null,
    });
    expect(splitDescription("Copied from [tk:other#9] on Monday [tk:crm#2]")).toEqual({
      text: "Copied from [tk:other#9] on Monday",
      marker: { entryId: "crm", generation: 2, phase: "current" },
    });
    expect(splitDescription("ends with [tk:other#9] [tk:crm#2 pending]").text).toBe("ends with [tk:other#9]");
  });

  it("rejects malformed markers, leaving the description as user text", () => {
    const bad = [
      "[tk:crm]",
      "[tk:crm#]",
      "[tk:crm#0]",
      "[tk:crm#03]",
      "[tk:crm#3 bogus]",
      "[tk:crm#3 pending pending]",
      "[tk:crm#3 pending delivering]",
      "[tk:crm#3 delivering 4/3]",
      "[tk:crm#3 delivering 1/2/3]",
      "[tk:crm#3 1/3]",
      "[tk:crm#3 @]",
      "[tk:crm#3 @-4]",
      "[tk:crm#3 ~abc]",
      "[tk:crm#3 ~ABCD]",
      "[tk:crm#3 hold#0]",
      "[tk:crm#3 protect protect]",
      "[tk:crm#3  pending]",
      "[TK:crm#3]",
      "[tk:-crm#3]",
      "[tk:crm#3",
      "text[tk:crm#3]",
      "[tk:crm#3] trailing words",
    ];
    for (const description of bad) {
      expect(parseMarker(description), description).toBeNull();
      expect(stripMarker(description), description).toBe(description);
    }
  });

  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (text) => {
        const split = splitDescription(text);
        expect(typeof split.text).toBe("string");
      }),
    );
  });
});

describe("withMarker / stripMarker", () => {
  it("puts one space between the text and the marker, none when there is no text", () => {
    expect(withMarker("Salesforce sync", current)).toBe("Salesforce sync [tk:salesforce-crm#3]");
    expect(withMarker("", current)).toBe("[tk:salesforce-crm#3]");
    expect(stripMarker("Salesforce sync [tk:salesforce-crm#3]")).toBe("Salesforce sync");
    expect(stripMarker("[tk:salesforce-crm#3]")).toBe("");
  });

  it("keeps the text verbatim, trailing spaces and lookalikes included", () => {
    for (const text of ["ends with space ", " ", "see [tk:x#1]", "line\nbreak", "emoji 🔑 text"]) {
      expect(stripMarker(withMarker(text, current))).toBe(text);
      expect(parseMarker(withMarker(text, current))).toEqual(current);
    }
  });

  it("fits the contract's 500 characters by cutting the user's text, never the marker", () => {
    const long = "x".repeat(600);
    const marker: Marker = { ...current, promotedAt: 1764000000, protect: true, hash: "abcd" };
    const description = withMarker(long, marker);
    expect(Array.from(description)).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(description.endsWith(` ${formatMarker(marker)}`)).toBe(true);
    expect(parseMarker(description)).toEqual(marker);
    expect(stripMarker(description).endsWith("…")).toBe(true);
  });

  it("counts characters, not UTF-16 units, and never splits a surrogate pair", () => {
    const description = withMarker("🔑".repeat(600), current);
    expect(Array.from(description)).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(description).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(parseMarker(description)).toEqual(current);
  });

  it("round-trips any marker with any text (property)", () => {
    const entryId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    const marker = fc.record(
      {
        entryId,
        generation: fc.integer({ min: 1, max: 999_999_999 }),
        phase: fc.constantFrom("current", "pending", "delivering" as const),
        promotedAt: fc.integer({ min: 1, max: 99_999_999_999 }),
        holdFor: fc.integer({ min: 1, max: 999_999_999 }),
        protect: fc.constant(true),
        off: fc.constant(true),
        hash: fc.stringMatching(/^[0-9a-f]{4}$/),
      },
      { requiredKeys: ["entryId", "generation", "phase"] },
    ) as fc.Arbitrary<Marker>;
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), marker, (text, m) => {
        const description = withMarker(text, m);
        expect(Array.from(description).length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
        expect(parseMarker(description)).toEqual(m);
        const back = stripMarker(description);
        if (Array.from(text).length + 1 + formatMarker(m).length <= MAX_DESCRIPTION_LENGTH) expect(back).toBe(text);
        else expect(back.endsWith("…")).toBe(true);
      }),
    );
  });
});

describe("withHashedMarker", () => {
  it("is withMarker with the hash of the name and the text as written beside the marker (property)", () => {
    const marker = fc.record(
      {
        entryId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
        generation: fc.integer({ min: 1, max: 999_999_999 }),
        phase: fc.constant("current" as const),
        promotedAt: fc.integer({ min: 1, max: 99_999_999_999 }),
        protect: fc.constant(true),
        off: fc.constant(true),
      },
      { requiredKeys: ["entryId", "generation", "phase"] },
    ) as fc.Arbitrary<Marker>;
    const text = fc.oneof(fc.string({ maxLength: 700 }), fc.string({ unit: "grapheme", maxLength: 520 }));
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), text, marker, (name, userText, m) => {
        const hashed = { ...m };
        const description = withHashedMarker(name, userText, hashed);
        expect(hashed.hash).toBe(markerHash(name, stripMarker(description)));
        expect(description).toBe(withMarker(userText, hashed));
      }),
    );
  });
});

describe("markerHash and ids", () => {
  it("is 4 hex digits that change with the name or the text", () => {
    expect(markerHash("a", "b")).toMatch(/^[0-9a-f]{4}$/);
    expect(markerHash("a", "b")).toBe(markerHash("a", "b"));
    expect(new Set([markerHash("a", "b"), markerHash("a", "c"), markerHash("b", "b")]).size).toBe(3);
  });

  it("accepts manifest-like ids and refuses what would break the grammar", () => {
    expect(isMarkableEntryId("salesforce-crm")).toBe(true);
    expect(isMarkableEntryId("svc_2.prod")).toBe(true);
    for (const bad of ["", "a b", "a#b", "a]b", "-lead", "x".repeat(65)]) expect(isMarkableEntryId(bad)).toBe(false);
  });
});

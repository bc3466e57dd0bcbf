import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { maskSecret, Secret } from "../src/index.js";
import { API_KEY, SECRET } from "./helpers.js";

describe("maskSecret", () => {
  it("keeps the type prefix and 4 characters", () => {
    expect(maskSecret(SECRET)).toBe("tml_Ab12…");
    expect(maskSecret(API_KEY)).toBe("tkm_Zq8f…");
  });

  it("shows no characters of a short or unprefixed value beyond the prefix", () => {
    expect(maskSecret("tml_abc")).toBe("tml_…");
    expect(maskSecret("short")).toBe("…");
    expect(maskSecret("")).toBe("…");
    expect(maskSecret("a-long-unprefixed-token-value")).toBe("a-lo…");
  });
});

describe("Secret", () => {
  const secret = new Secret(SECRET);

  it("reveals the value only through reveal()", () => {
    expect(secret.reveal()).toBe(SECRET);
    expect(secret.masked).toBe("tml_Ab12…");
  });

  it("prints masked in every way a value gets printed", () => {
    const printed = [
      String(secret),
      `${secret}`,
      secret.toString(),
      JSON.stringify(secret),
      JSON.stringify({ nested: { secret } }),
      inspect(secret),
      inspect({ deep: [{ secret }] }, { depth: 10 }),
      // eslint-disable-next-line @typescript-eslint/restrict-plus-operands
      `${secret as unknown as string}`,
    ];
    for (const text of printed) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain("tml_Ab12…");
    }
  });

  it("holds the value in a private field", () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
    expect(Object.values(secret)).toEqual([]);
  });
});

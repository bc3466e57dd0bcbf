import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/deliver/redact.js";
import { base62 } from "./helpers.js";

describe("Redactor", () => {
  it("masks every occurrence of every registered value", () => {
    const redactor = new Redactor("s3cr3t-value", "token-abcdef");
    expect(redactor.mask("a s3cr3t-value b token-abcdef c s3cr3t-value")).toBe("a *** b *** c ***");
  });

  it("masks Timely secret and management token shapes even when not registered", () => {
    const secret = `tml_${base62(40)}`;
    const token = `tkm_${base62(32)}`;
    const masked = new Redactor().mask(`key ${secret} token ${token}`);
    expect(masked).toBe("key *** token ***");
  });

  it("masks a value that contains another one whole", () => {
    const redactor = new Redactor("abcdef", "xxabcdefxx");
    expect(redactor.mask("[xxabcdefxx]")).toBe("[***]");
  });

  it("ignores empty and very short values, which would mask ordinary text", () => {
    const redactor = new Redactor("", "ab", undefined);
    expect(redactor.mask("ab cd")).toBe("ab cd");
    expect(redactor.longest).toBe(0);
  });
});

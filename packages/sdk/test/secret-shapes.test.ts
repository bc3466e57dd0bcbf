// The secret-shape scan starts each shape at its anchor (the text every match contains): it must find
// exactly what a scan of the whole text with the same patterns finds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SECRET_SHAPES, findAllSecretShapes, findSecretShape, type SecretShapeMatch } from "../src/redact.js";

function scanWholeText(text: string): SecretShapeMatch[] {
  const found: SecretShapeMatch[] = [];
  for (const shape of SECRET_SHAPES) {
    for (const match of text.matchAll(new RegExp(shape.pattern.source, shape.pattern.flags))) {
      found.push({ kind: shape.kind, index: match.index });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Texts made of pieces of secrets, anchors and their neighbours, so that matches are common. */
const pieces = fc.constantFrom(
  "tml_",
  "tkm_",
  "eyJ",
  "xoxb-",
  "-----BEGIN ",
  "RSA PRIVATE KEY-----",
  "://",
  "https",
  "HTTPS",
  "a.b+c-",
  "user:",
  "pa55@",
  "@",
  ":",
  "/",
  " ",
  "\n",
  "_",
  "ghp_",
  "AKIA",
  "hvs.",
  "s.",
  "A1b2C3d4E5f6G7h8",
  "0123456789abcdefghij",
  "x".repeat(31),
);
const texts = fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join(""));

describe("secret shapes in a whole text", () => {
  it("finds the same matches as a scan of the whole text with each pattern (property)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const whole = scanWholeText(text);
        expect(findAllSecretShapes(text)).toEqual(whole);
        const first = findSecretShape(text);
        expect(first?.index).toBe(whole[0]?.index);
      }),
      { numRuns: 3000 },
    );
  });

  it("finds a password in a URL whose scheme starts up to 31 characters before its ://", () => {
    const scheme = `a${"b".repeat(30)}`;
    const text = `${"filler ".repeat(10)}${scheme}://user:secret@host`;
    expect(findAllSecretShapes(text)).toEqual([{ kind: "password in a URL", index: 70 }]);
    expect(findAllSecretShapes(`x${scheme}://user:secret@host`)).toEqual(
      scanWholeText(`x${scheme}://user:secret@host`),
    );
  });
});

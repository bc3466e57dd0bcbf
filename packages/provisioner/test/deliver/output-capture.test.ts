import { describe, expect, it } from "vitest";
import { OutputCapture } from "../../src/deliver/output-capture.js";
import { Redactor } from "@timely-keys/sdk";

const SECRET = "S3CRET-VALUE-0123456789";

describe("OutputCapture", () => {
  it("masks a secret split across chunks", () => {
    const capture = new OutputCapture(new Redactor([SECRET]));
    capture.push(`before ${SECRET.slice(0, 7)}`);
    capture.push(`${SECRET.slice(7)} after\n`);
    expect(capture.text()).toBe("before *** after\n");
  });

  it("keeps only the tail and never any part of a secret, whatever the chunking", () => {
    const cap = 64;
    for (let chunkSize = 1; chunkSize <= 30; chunkSize += 1) {
      for (let offset = 0; offset < 12; offset += 1) {
        const capture = new OutputCapture(new Redactor([SECRET]), cap);
        const stream = `${"x".repeat(offset)}${SECRET}\n`.repeat(8);
        for (let at = 0; at < stream.length; at += chunkSize) capture.push(stream.slice(at, at + chunkSize));
        const text = capture.text();
        expect(text.length).toBeLessThanOrEqual(cap);
        expect(text).toContain("***");
        for (let cut = 4; cut < SECRET.length; cut += 1) {
          expect(text).not.toContain(SECRET.slice(-cut));
          expect(text).not.toContain(SECRET.slice(0, cut));
        }
      }
    }
  });

  it("gives the last lines, without blank ones", () => {
    const capture = new OutputCapture(new Redactor([SECRET]));
    capture.push("one\n\ntwo\nthree\nfour\n");
    expect(capture.lastLines(2)).toBe("three\nfour");
  });
});

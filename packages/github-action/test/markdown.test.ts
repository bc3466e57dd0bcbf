import { describe, expect, it } from "vitest";
import { bytes, cell, FOLD_AFTER_ROWS, table } from "../src/markdown.js";

const rows = (n: number) => Array.from({ length: n }, (_, i) => [`ws`, `key-${i}`, "detail"]);

describe("cell", () => {
  it("escapes what would break a table row or inject HTML", () => {
    expect(cell("a|b\nc <b>&")).toBe("a\\|b c &lt;b&gt;&amp;");
  });
});

describe("table", () => {
  it("is a plain table up to the fold limit", () => {
    const text = table(["A", "B", "C"], rows(FOLD_AFTER_ROWS), { what: "keys", maxBytes: 100_000 });
    expect(text.split("\n")).toHaveLength(FOLD_AFTER_ROWS + 2);
    expect(text).not.toContain("<details>");
    expect(text.startsWith("| A | B | C |\n| --- | --- | --- |\n| ws | key-0 | detail |")).toBe(true);
  });

  it("folds in <details> past the limit", () => {
    const text = table(["A", "B", "C"], rows(FOLD_AFTER_ROWS + 1), { what: "keys", maxBytes: 100_000 });
    expect(text.startsWith(`<details><summary>${FOLD_AFTER_ROWS + 1} keys</summary>\n\n| A | B | C |`)).toBe(true);
    expect(text.endsWith("\n\n</details>")).toBe(true);
  });

  it("cuts rows to stay within the byte budget and says how many are not shown", () => {
    for (const maxBytes of [300, 1000, 5000]) {
      const text = table(["A", "B", "C"], rows(1000), { what: "keys", maxBytes });
      expect(bytes(text)).toBeLessThanOrEqual(maxBytes);
      const shown = text.split("\n").filter((l) => l.startsWith("| ws |")).length;
      expect(text).toContain(`| _${1000 - shown} more keys not shown (summary size limit)_ |  |  |`);
      expect(text.endsWith("</details>")).toBe(true);
    }
  });

  it("is empty when not even the header fits", () => {
    expect(table(["A"], rows(3), { what: "keys", maxBytes: 10 })).toBe("");
  });
});

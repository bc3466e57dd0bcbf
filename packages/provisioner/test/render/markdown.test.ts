import { describe, expect, it } from "vitest";
import { plan } from "../../src/plan.js";
import { DEFAULT_MARKDOWN_MAX_BYTES, renderMarkdown } from "../../src/render.js";
import { apiKey, at, DAY, desired, entry, HOUR, keyId, live, managed, NOW, unix } from "../plan/fixtures.js";

describe("renderMarkdown", () => {
  it("is a job summary: summary line, then a table of workspace, key, action, reason, rotation phase", () => {
    const steady = entry("steady");
    const drain = entry("drain");
    const md = renderMarkdown(
      plan(
        desired([entry("fresh"), steady, drain]),
        live([
          managed(steady, 3),
          managed(drain, 1, {}, { created_at: at(-40 * DAY), last_used_at: at(-HOUR) }),
          managed(drain, 2, { promotedAt: unix(-2 * HOUR) }, { created_at: at(-2 * HOUR) }),
          apiKey({ name: "Legacy | key <b>" }),
        ]),
        NOW,
      ),
    );
    const lines = md.split("\n");
    expect(lines[0]).toBe("## timely-keys plan");
    expect(lines[2]).toBe("**Plan: 1 to create, 0 to update, 0 to replace, 0 to retire. 1 unmanaged.**");
    expect(lines).toContain("| Workspace | Key | Action | Reason | Rotation |");
    expect(lines).toContain("| acme | `fresh` | + create | missing | new 1/6 |");
    expect(lines).toContain("| acme | `steady` | no change |  | steady, next 2027-02-11 12:00 UTC |");
    expect(lines).toContain(
      "| acme | `drain` | · drain (waiting) | draining | draining 4/6, next 2026-11-24 11:00 UTC |",
    );
    // Cell text cannot break the table or inject HTML.
    expect(lines).toContain("| acme | Legacy \\| key &lt;b&gt; | ! drift (report) | unmanaged | unmanaged |");
    expect(md).not.toContain("<details>");
  });

  it("folds a long table in <details>", () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(`key-${i}`));
    const md = renderMarkdown(plan(desired(entries), live([]), NOW));
    expect(md).toContain("<details><summary>30 rows: every managed key and action</summary>");
    expect(md).toContain("</details>");
    expect(md.indexOf("**Plan: 30 to create")).toBeLessThan(md.indexOf("<details>"));
  });

  it("stays under maxBytes, cutting rows with a note", () => {
    const entries = Array.from({ length: 400 }, (_, i) =>
      entry(`key-${i}`, { name: `Key number ${i} ${"x".repeat(50)}` }),
    );
    const stray = Array.from({ length: 100 }, (_, i) => apiKey({ id: keyId(`stray-${i}`), name: `stray ${i}` }));
    const p = plan(desired(entries), live(stray), NOW);
    for (const maxBytes of [3000, 8000, 16_000]) {
      const md = renderMarkdown(p, { maxBytes });
      expect(Buffer.byteLength(md, "utf8")).toBeLessThanOrEqual(maxBytes);
      expect(md).toMatch(/_\d+ more rows not shown: the summary is capped at \d+ bytes/);
      expect(md).toContain("**Plan: 400 to create");
      expect(md).toContain("</details>");
    }
    const full = renderMarkdown(p);
    expect(Buffer.byteLength(full, "utf8")).toBeLessThan(DEFAULT_MARKDOWN_MAX_BYTES);
    expect(full).not.toContain("more rows not shown");
    expect(full.split("\n").filter((l) => l.startsWith("| acme |"))).toHaveLength(500);
  });

  it("never exceeds even an absurdly small cap", () => {
    const md = renderMarkdown(plan(desired([entry("a")]), live([]), NOW), { maxBytes: 10 });
    expect(Buffer.byteLength(md, "utf8")).toBeLessThanOrEqual(10);
  });

  it("lists warnings", () => {
    const md = renderMarkdown(plan(desired([entry("a", { deliver: [] })]), live([]), NOW));
    expect(md).toContain("### Warnings");
    expect(md).toContain("- acme/a: a has no deliver sinks, so no key is created for it: add a deliver: sink");
  });
});

// `timely-keys report --html`: the page the CLI writes for the seeded world, opened from file:// in
// headless Chromium: no console error, no network request, every key shown (names escaped), the
// findings, timeline, calendar and sparklines drawn, and axe-core finds no serious violation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { Emulator } from "@timely-keys/emulator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, mutations, secretsOf } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";
import { launchChromium } from "./browser.js";
import { EXPECTED, startWorld, worldManifest } from "./check-world.js";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let emulator: Emulator;
let browser: Browser;
let work: Workdir;
let html: string;
let reportPath: string;

beforeAll(async () => {
  browser = await launchChromium();
  emulator = await startWorld();
  work = makeWorkdir(worldManifest());
  const before = mutations(emulator);
  const run = await runCli(["report", "--html", "report.html"], {
    env: { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN },
    cwd: work.dir,
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe("Wrote the report to report.html.\n");
  expect(mutations(emulator)).toBe(before);
  reportPath = join(work.dir, "report.html");
  html = readFileSync(reportPath, "utf8");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  work?.cleanup();
});

describe("the HTML report", () => {
  it("is one self-contained page: nothing loaded from elsewhere, escaped names, no secret", () => {
    expect(html).not.toMatch(/<(link|img|iframe)\b|src=|https?:\/\//);
    expect(html).toContain("Made by hand &lt;b&gt;");
    expect(html).not.toContain("Made by hand <b>");
    expectNoLeaks({ report: html, transcript: transcript.join("\n") }, secretsOf(emulator));
  });

  it("renders in Chromium from file:// with no console error, no request, every key and its finding", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) problems.push(`request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });
    const rows = await page
      .locator("tbody tr[data-key]")
      .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: Record<string, string> }).dataset.key));
    expect(rows.filter((id) => id !== undefined && id in EXPECTED).sort()).toEqual(Object.keys(EXPECTED).sort());
    // ...and the unmanaged key, by its id.
    expect(rows.filter((id) => !(id! in EXPECTED))).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    for (const id of Object.keys(EXPECTED)) {
      const row = page.locator(`tr[data-key="${id}"]`);
      await expect.poll(() => row.isVisible()).toBe(true);
      expect(await row.locator("th").innerText()).toContain(`Key ${id}`);
    }
    // The unmanaged key's name is text, not markup.
    expect(await page.locator("b").count()).toBe(0);
    expect(await page.getByText("Made by hand <b>").count()).toBeGreaterThan(0);
    // Timeline, age bars, sparklines and calendar are drawn.
    expect(await page.locator("ol.timeline").count()).toBe(Object.keys(EXPECTED).length);
    expect(await page.locator('tr[data-key="moved-key"] ol.timeline li.now').innerText()).toContain("draining");
    expect(await page.locator("svg[aria-label$='recent requests in the last 14 days']").count()).toBe(
      Object.keys(EXPECTED).length + 1,
    );
    expect(await page.locator(".calendar .day").count()).toBe(90);
    expect(await page.locator(".calendar .day.expires").count()).toBe(1);
    // The filter box works (the page's own script runs).
    await page.getByLabel("Filter keys").fill("burst");
    expect(await page.locator("tbody tr[data-key]:visible").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("passes axe-core with no serious or critical violation", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(reportPath).href);
    await page.evaluate(axeSource);
    const result = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
    )) as {
      violations: Array<{ id: string; impact: string; nodes: unknown[] }>;
    };
    expect((result as unknown as { passes: unknown[] }).passes.length).toBeGreaterThan(10);
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`)).toEqual([]);
    await page.close();
  });
});

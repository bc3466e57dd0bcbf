// Screenshot of an HTML report for the README: node scripts/screenshot-report.mjs REPORT.html OUT.png
// (the README's picture is the demo's report: TIMELY_KEYS_DEMO_REPORT=/tmp/r.html pnpm demo first).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/screenshot-report.mjs REPORT.html OUT.png");
  process.exit(1);
}
execFileSync(process.execPath, [new URL("./ensure-chromium.mjs", import.meta.url).pathname], { stdio: "inherit" });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(resolve(input)).href);
  await page.screenshot({ path: output, fullPage: true });
} finally {
  await browser.close();
}

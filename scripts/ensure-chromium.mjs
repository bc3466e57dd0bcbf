// Makes sure Debian's Chromium is installed for the HTML report's browser test (playwright-core
// drives it; `npx playwright install` cannot download a browser on this kind of machine).
// Idempotent: does nothing when /usr/bin/chromium exists; else installs it with apt-get (as root).
// Exits 1 with a clear message when it cannot.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

function fail(message) {
  console.error(`ensure-chromium: ${message}`);
  process.exit(1);
}

if (!existsSync(CHROMIUM)) {
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    fail(`${CHROMIUM} is missing and this is not a Debian-like Linux with apt-get: install Chromium there by hand`);
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    fail(`${CHROMIUM} is missing: run 'apt-get update && apt-get install -y chromium' as root`);
  }
  console.error("ensure-chromium: installing Debian's chromium package (once)...");
  try {
    execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    fail(`apt-get could not install chromium (${error.message})`);
  }
  if (!existsSync(CHROMIUM)) fail(`apt-get finished but ${CHROMIUM} is still missing`);
}

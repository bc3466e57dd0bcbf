// Headless Chromium for the report tests: Debian's package, driven by playwright-core. The browser is
// installed by scripts/ensure-chromium.mjs (also run by .ci/run); a machine where it cannot be
// installed fails here with that script's message, never skips.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { repoRoot } from "../support/cli.js";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
];

export async function launchChromium(): Promise<Browser> {
  try {
    execFileSync(process.execPath, [join(repoRoot, "scripts", "ensure-chromium.mjs")], {
      stdio: ["ignore", "inherit", "pipe"],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    throw new Error(
      `headless Chromium is required for the report test and could not be installed: ` +
        `${stderr.trim() || (error as Error).message}`,
    );
  }
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
}

// Preloaded with `node --import` where /usr/bin/time is missing: writes the process's peak resident
// set size (bytes) to the file named by TIMELY_BENCH_MAXRSS_FILE when it exits.
import { writeFileSync } from "node:fs";

const target = process.env.TIMELY_BENCH_MAXRSS_FILE;
if (target) {
  process.on("exit", () => {
    // resourceUsage().maxRSS is in kilobytes.
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}

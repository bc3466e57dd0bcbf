// Fails when a tracked source line is longer than Biome's lineWidth: the formatter wraps code, but
// not strings, comments, regular expressions or template text, which must be split by hand.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const LIMIT = JSON.parse(readFileSync("biome.json", "utf8")).formatter.lineWidth;
const SKIP = /(^|\/)(dist|node_modules|fixtures)\/|generated/;
// Lines not split yet, per file: the HTML and CSS of the report's template, and regular expressions
// matching whole output lines in tests. The counts may only go down; a new long line anywhere fails.
const NOT_YET_SPLIT = {
  "packages/provisioner/src/render/report-html.ts": 16,
  "packages/emulator/test/idempotency.test.ts": 1,
  "packages/github-action/test/runner-sinks.test.ts": 2,
  "test/bad-input/cases.ts": 4,
  "test/e2e/action.test.ts": 4,
  "test/e2e/import.test.ts": 3,
  "test/e2e/incident.test.ts": 2,
  "test/e2e/init.test.ts": 1,
  "test/e2e/rotation.test.ts": 2,
  "test/security/action.test.ts": 1,
  "test/visibility/action-github.test.ts": 3,
  "test/visibility/check-cli.test.ts": 2,
  "test/visibility/notify.test.ts": 2,
};

const files = execFileSync("git", ["ls-files", "*.ts", "*.mjs", "*.js"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => file !== "" && !SKIP.test(file));
const problems = [];
for (const file of files) {
  const long = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      if (line.length > LIMIT) long.push(`${file}:${index + 1}: ${line.length} characters`);
    });
  if (long.length > (NOT_YET_SPLIT[file] ?? 0)) problems.push(...long);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\nlines over ${LIMIT} characters (split them)\n`);
  process.exit(1);
}

// Fails when a tracked source line is longer than Biome's lineWidth: the formatter wraps code, but
// not strings, comments, regular expressions or template text, which must be split by hand.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const LIMIT = JSON.parse(readFileSync("biome.json", "utf8")).formatter.lineWidth;
const SKIP = /(^|\/)(dist|node_modules|fixtures)\/|generated/;

const files = execFileSync("git", ["ls-files", "*.ts", "*.mjs", "*.js"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => file !== "" && !SKIP.test(file));
const problems = [];
for (const file of files) {
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      if (line.length > LIMIT) problems.push(`${file}:${index + 1}: ${line.length} characters`);
    });
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\nlines over ${LIMIT} characters (split them)\n`);
  process.exit(1);
}

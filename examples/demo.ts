// The README's demo: the `timely-keys` CLI against the embedded emulator, end to end.
//   validate -> plan -> apply -> plan (no changes) -> an edit that forces a replace -> its plan and apply
//   -> 77 days of daily scheduled runs, as the rotate.yml workflow makes them: each key rotates when it
//      is due (its maxAgeDays, or rotateBeforeExpiryDays before it expires), the old key is deactivated
//      once drained and revoked after its quarantine; no key ever expires
//   -> check -> the HTML report (written to $TIMELY_KEYS_DEMO_REPORT or the temp folder).
// Every step is printed; secrets never are (the consumer's key is shown masked). Headers are bold
// only on a terminal and never with NO_COLOR (https://no-color.org), as the CLI's own output.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSeed, startEmulator } from "@timely-keys/emulator";
import { runCli } from "@timely-keys/provisioner/cli";
import { maskSecret } from "@timely-keys/sdk";

// Outside the temporary folder, so it is still there to open after the demo.
const demoReport = process.env.TIMELY_KEYS_DEMO_REPORT ?? join(tmpdir(), "timely-keys-demo-report.html");
const examples = fileURLToPath(new URL(".", import.meta.url));
const seed = join(examples, "emulator-seed.yaml");
const work = mkdtempSync(join(tmpdir(), "timely-keys-demo-"));
cpSync(join(examples, "timely-keys.yaml"), join(work, "timely-keys.yaml"));
cpSync(join(examples, "scripts"), join(work, "scripts"), { recursive: true });

const world = await loadSeed(seed);
const emulator = await startEmulator({ seed: world });
// The manifest names TIMELY_<WORKSPACE>_TOKEN; the seed's owner or manager token goes there.
const tokens = Object.fromEntries(
  (world.workspaces ?? []).map((w) => [
    `TIMELY_${w.name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_TOKEN`,
    w.members?.find((m) => m.role === "owner" || m.role === "manager")?.token ?? "",
  ]),
);
const env = { ...process.env, TIMELY_API_URL: emulator.url, ...tokens };

const color =
  process.env.NO_COLOR === undefined || process.env.NO_COLOR === ""
    ? (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") ||
      (process.stdout.isTTY === true && process.env.TERM !== "dumb")
    : false;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text);

let failed = false;
async function step(title: string, args: string[], expectCode = 0): Promise<string> {
  process.stdout.write(`\n${bold(`━━ ${title}`)}\n$ timely-keys ${args.join(" ")}\n`);
  const { code, out } = await quietly(args, (text) => process.stdout.write(text));
  if (code !== expectCode) {
    failed = true;
    process.stdout.write(`\n!! expected exit ${expectCode}, got ${code}\n`);
  }
  return out;
}

/** Runs the CLI, passing what it prints to `show` (nothing by default). */
async function quietly(
  args: string[],
  show: (text: string) => void = () => {},
): Promise<{ code: number; out: string }> {
  let out = "";
  // The CLI colours its own output only on a terminal, as it would when run directly.
  const sink = {
    isTTY: color,
    write: (text: string) => {
      out += text;
      show(text);
    },
  };
  const code = await runCli(args, { env, cwd: work, stdout: sink, stderr: sink });
  // A key that expires before it is rotated is exactly what scheduled rotation must prevent.
  if (/\bexpired\b|has expired/.test(out)) {
    failed = true;
    process.stdout.write(`\n!! a key expired:\n${out}\n`);
  }
  return { code, out };
}

function noteQuietDays(days: number[]): void {
  if (days.length === 0) return;
  note(
    days.length === 1
      ? `day ${days[0]}: the scheduled run had nothing to do`
      : `days ${days[0]}-${days.at(-1)}: the scheduled runs had nothing to do`,
  );
  days.length = 0;
}

function note(text: string): void {
  process.stdout.write(`\n${dim(`# ${text}`)}\n`);
}

const crmSecretFile = join(work, "secrets/salesforce-crm.env");
let lastCrmSecret = "";

async function consumerCall(): Promise<void> {
  lastCrmSecret = readFileSync(crmSecretFile, "utf8");
  const secret = /TIMELY_API_KEY=(\S+)/.exec(lastCrmSecret)?.[1] ?? "";
  const answer = await fetch(`${emulator.url}/v1/conversations`, { headers: { "x-api-key": secret } });
  note(
    `the Salesforce consumer reads secrets/salesforce-crm.env and calls GET /v1/conversations with ` +
      `${maskSecret(secret)}: ${answer.status}`,
  );
}

try {
  note(`emulator at ${emulator.url}; working folder ${work}`);
  await step("Validate the manifest", ["validate"]);
  await step("Plan: what would change", ["plan", "--detailed-exitcode"], 2);
  await step("Apply: create, deliver, verify every key", ["apply", "--auto-approve"]);
  await consumerCall();
  await step("Plan again: nothing to do", ["plan", "--detailed-exitcode"], 0);

  note("edit: the Salesforce integration now also needs the `agents` scope (scopes are immutable: a replace)");
  const manifest = join(work, "timely-keys.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace(
      "scopes: [read, conversations]\n        expiresInDays: 90",
      "scopes: [read, conversations, agents]\n        expiresInDays: 90",
    ),
  );
  await step("Plan the replacement", ["plan"]);
  await step("Apply the replacement (zero downtime: the old key keeps working while it drains)", [
    "apply",
    "--auto-approve",
  ]);
  await consumerCall();

  note("77 days of daily scheduled runs (rotate.yml at 04:17): only the days with work are shown");
  const quietDays: number[] = [];
  for (let day = 1; day <= 77; day += 1) {
    // A day and a minute: what a day's work made falls due a whole number of days later, and the
    // extra minute keeps each run clear of that boundary (times in markers are whole seconds).
    emulator.clock.advance(86_460);
    const { code } = await quietly(["plan", "--detailed-exitcode"]);
    if (code === 0) {
      quietDays.push(day);
      continue;
    }
    noteQuietDays(quietDays);
    await step(`Day ${day}: the scheduled run applies what is due`, ["apply", "--auto-approve"]);
    // The consumer picks up a new secret as soon as its sink has it; the old one keeps working meanwhile.
    if (readFileSync(crmSecretFile, "utf8") !== lastCrmSecret) await consumerCall();
  }
  noteQuietDays(quietDays);
  await step("Usage of the managed keys", ["usage"]);
  await step("Plan: steady state", ["plan", "--detailed-exitcode"], 0);
  await step("Check: anything overdue, stuck, unused or anomalous? (warnings do not fail it)", ["check"]);
  await step("Report: every key on one HTML page (open it in a browser)", ["report", "--html", demoReport]);
} finally {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
}
if (failed) {
  process.stdout.write("\nDemo FAILED: a step did not end as expected.\n");
  process.exit(1);
}
process.stdout.write("\nDemo complete.\n");

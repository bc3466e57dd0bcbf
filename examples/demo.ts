// The README's demo: the `timely-keys` CLI against the embedded emulator, end to end.
//   validate -> plan -> apply -> plan (no changes) -> an edit that forces a replace -> its plan and apply
//   -> 91 days later: the rotation (create, deliver, verify) -> a consumer switches to the new key
//   -> past the drain window: the old key is deactivated -> past quarantine: it is revoked
//   -> check -> the HTML report (written to $TIMELY_KEYS_DEMO_REPORT or the temp folder).
// Every step is printed; secrets never are (the consumer's key is shown masked).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSeed, startEmulator } from "@timely-keys/emulator";
import { runCli } from "@timely-keys/provisioner";
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

let failed = false;
async function step(title: string, args: string[], expectCode = 0): Promise<string> {
  process.stdout.write(`\n\x1b[1m━━ ${title}\x1b[0m\n$ timely-keys ${args.join(" ")}\n`);
  let out = "";
  const sink = { write: (text: string) => ((out += text), process.stdout.write(text)) };
  const code = await runCli(args, { env, cwd: work, stdout: sink, stderr: sink });
  if (code !== expectCode) {
    failed = true;
    process.stdout.write(`\n!! expected exit ${expectCode}, got ${code}\n`);
  }
  return out;
}

function note(text: string): void {
  process.stdout.write(`\n\x1b[2m# ${text}\x1b[0m\n`);
}

async function consumerCall(): Promise<void> {
  const secret = /TIMELY_API_KEY=(\S+)/.exec(readFileSync(join(work, "secrets/salesforce-crm.env"), "utf8"))?.[1] ?? "";
  const answer = await fetch(`${emulator.url}/v1/conversations`, { headers: { "x-api-key": secret } });
  note(`the Salesforce consumer reads secrets/salesforce-crm.env and calls GET /v1/conversations with ${maskSecret(secret)}: ${answer.status}`);
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
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("scopes: [read, conversations]\n        expiresInDays: 90", "scopes: [read, conversations, agents]\n        expiresInDays: 90"));
  await step("Plan the replacement", ["plan"]);
  await step("Apply the replacement (zero downtime: the old key keeps working while it drains)", ["apply", "--auto-approve"]);
  await consumerCall();

  note("the clock jumps 91 days: every key is past maxAgeDays (90)");
  emulator.clock.advance(91 * 86_400);
  await step("Plan: rotations are due", ["plan"]);
  await step("Apply: new keys are created, delivered to their sinks and verified", ["apply", "--auto-approve"]);
  await consumerCall();

  note("25 hours later: the old keys have not been used for the 24h drain window since delivery");
  emulator.clock.advance(25 * 3_600);
  await step("Apply: the drained previous keys are deactivated (reversible with `timely-keys rollback`)", ["apply", "--auto-approve"]);

  note("8 days later: the quarantine (7d) is over");
  emulator.clock.advance(8 * 86_400);
  await step("Apply: the previous keys are revoked", ["apply", "--auto-approve"]);
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

// check: overdue, expiring, stuck, unused and anomalous keys; exit 1 when a finding reaches --fail-on.
import { runCheck } from "../../check/run.js";
import { reaches, FINDING_SEVERITIES, type FindingSeverity } from "../../check/model.js";
import { clientsFromEnv, fetchFromEnv } from "../../clients.js";
import { UserError } from "../../errors.js";
import { checkNotifyTargets, notifyFindings } from "../../notify/send.js";
import { renderCheckJson, renderCheckMarkdown, renderCheckText } from "../../render/check.js";
import { parseCommandArgs, stringList, usageError, wholeDays } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { loadDesired } from "../pipeline.js";

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "check",
    argv,
    {
      file: { type: "string", short: "f" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      workspace: { type: "string", multiple: true },
      target: { type: "string", multiple: true },
      "fail-on": { type: "string" },
      "max-overdue-days": { type: "string" },
    },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.check}\n`);
    return 0;
  }
  if (values.json && values.markdown) throw new UserError("--json and --markdown cannot be used together");
  const failOn = parseFailOn("check", values["fail-on"]);
  const maxOverdueDays = wholeDays("check", "max-overdue-days", values["max-overdue-days"], 7);
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const workspaces = stringList(values.workspace);
  const targets = stringList(values.target);
  const desired = await loadDesired(io, { file, workspaces, targets, requireEnv: true });
  checkNotifyTargets(desired, io.env);
  const report = await runCheck(desired, clientsFromEnv(io.env), { workspaces, targets }, { maxOverdueDays });
  if (values.json) io.stdout.write(`${renderCheckJson(report)}\n`);
  else if (values.markdown) io.stdout.write(renderCheckMarkdown(report));
  else io.stdout.write(`${renderCheckText(report)}\n`);
  // Told after the output: a target that is down delays nothing the user reads, and never fails check.
  const failures = await notifyFindings(desired, report.findings, {
    env: io.env,
    at: report.now,
    fetch: fetchFromEnv(io.env),
  });
  for (const failure of failures) io.stderr.write(`warning: ${failure}\n`);
  return report.findings.some((f) => reaches(f.severity, failOn)) ? 1 : 0;
}

export function parseFailOn(
  command: string,
  value: string | boolean | string[] | undefined,
): FindingSeverity | "never" {
  if (value === undefined) return "error";
  const text = String(value);
  if (text === "never" || (FINDING_SEVERITIES as readonly string[]).includes(text))
    return text as FindingSeverity | "never";
  throw usageError(command, `--fail-on must be one of error, warning, info or never, got '${text}'`);
}

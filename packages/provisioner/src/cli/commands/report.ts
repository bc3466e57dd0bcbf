// report --html FILE: check's read (keys, plan, usage, findings) drawn as one self-contained page.
import { writeFile } from "node:fs/promises";
import { runCheck } from "../../check/run.js";
import { clientsFromEnv } from "../../clients.js";
import { UserError } from "../../errors.js";
import { renderReportHtml } from "../../render/report-html.js";
import { buildReport } from "../../report/model.js";
import { parseCommandArgs, stringList, usageError } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { loadDesired, pathFrom } from "../pipeline.js";

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "report",
    argv,
    { file: { type: "string", short: "f" }, html: { type: "string" }, workspace: { type: "string", multiple: true } },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.report}\n`);
    return 0;
  }
  const out = values.html as string | undefined;
  if (out === undefined || out === "") throw usageError("report", "--html FILE is required");
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const workspaces = stringList(values.workspace);
  const desired = await loadDesired(io, { file, workspaces, targets: [], requireEnv: true });
  const html = await writeReport(desired, clientsFromEnv(io.env), workspaces);
  try {
    await writeFile(pathFrom(io, out), html);
  } catch (error) {
    throw new UserError(`--html ${out}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  io.stdout.write(`Wrote the report to ${out}.\n`);
  return 0;
}

async function writeReport(
  desired: Parameters<typeof runCheck>[0],
  clients: Parameters<typeof runCheck>[1],
  workspaces: string[],
): Promise<string> {
  const run = await runCheck(desired, clients, { workspaces, targets: [] });
  return renderReportHtml(buildReport(desired, run));
}

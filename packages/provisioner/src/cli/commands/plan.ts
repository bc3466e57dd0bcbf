import { writeFile } from "node:fs/promises";
import { clientsFromEnv } from "../../clients.js";
import { UserError } from "../../errors.js";
import { renderJson, renderMarkdown, renderTextPieces } from "../../render.js";
import { serializeSavedPlan } from "../../saved-plan.js";
import { parseCommandArgs, stringList } from "../args.js";
import { HELP } from "../help.js";
import { useColor, writePieces, type CliIO } from "../io.js";
import { loadDesired, pathFrom, readAndPlan } from "../pipeline.js";

export async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "plan",
    argv,
    {
      file: { type: "string", short: "f" },
      out: { type: "string" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      "detailed-exitcode": { type: "boolean" },
      workspace: { type: "string", multiple: true },
      target: { type: "string", multiple: true },
    },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.plan}\n`);
    return 0;
  }
  if (values.json && values.markdown) throw new UserError("--json and --markdown cannot be used together");
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const workspaces = stringList(values.workspace);
  const targets = stringList(values.target);
  const desired = await loadDesired(io, { file, workspaces, targets, requireEnv: true });
  const { plan } = await readAndPlan(desired, clientsFromEnv(io.env), { workspaces, targets }, {}, io.env);

  if (values.out) {
    try {
      await writeFile(pathFrom(io, values.out as string), serializeSavedPlan(plan), { mode: 0o600 });
    } catch (error) {
      throw new UserError(
        `--out ${values.out as string}: cannot write the plan (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }
  if (values.json) io.stdout.write(`${renderJson(plan)}\n`);
  else if (values.markdown) io.stdout.write(`${renderMarkdown(plan)}\n`);
  else {
    // In pieces: a plan of 100,000 unmanaged keys is 100,000 lines.
    await writePieces(io.stdout, renderTextPieces(plan, { color: useColor(io) }));
    io.stdout.write("\n");
    if (values.out)
      io.stdout.write(
        `\nSaved the plan to ${values.out as string}. To perform exactly these actions, run:\n  timely-keys apply ` +
          `${values.out as string}\n`,
      );
  }
  return values["detailed-exitcode"] && plan.changes ? 2 : 0;
}

import type { CliIO } from "../io.js";
import { parseCommandArgs } from "../args.js";
import { HELP } from "../help.js";
import { loadDesired } from "../pipeline.js";

export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "validate",
    argv,
    { file: { type: "string", short: "f" }, "require-env": { type: "boolean" } },
    { min: 0, max: 0 },
  );
  if (values.help) return help(io);
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const desired = await loadDesired(io, {
    file,
    workspaces: [],
    targets: [],
    requireEnv: values["require-env"] === true,
  });
  const keys = desired.workspaces.reduce((n, w) => n + w.keys.length, 0);
  io.stdout.write(
    `${file}: valid (${desired.workspaces.length} workspace${desired.workspaces.length === 1 ? "" : "s"}, ${keys} ` +
      `key${keys === 1 ? "" : "s"})\n`,
  );
  return 0;
}

function help(io: CliIO): number {
  io.stdout.write(`${HELP.validate}\n`);
  return 0;
}

// workspaces: the manifest's workspaces and their token env vars, as text or as GitHub Actions
// matrices (--json, --shards N) for a workflow that makes one job per workspace.
import { maxOf } from "../../append.js";
import { workspaceMatrix } from "../../matrix.js";
import { parseCommandArgs, positiveInt } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { loadDesired } from "../pipeline.js";

export async function workspacesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "workspaces",
    argv,
    { file: { type: "string", short: "f" }, json: { type: "boolean" }, shards: { type: "string" } },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.workspaces}\n`);
    return 0;
  }
  const shards = values.shards === undefined ? undefined : positiveInt("workspaces", "shards", values.shards, 1);
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  // The job that prints the matrix holds no token: the tokens are checked by the jobs that use them.
  const desired = await loadDesired(io, { file, workspaces: [], targets: [], requireEnv: false });
  const matrix = workspaceMatrix(desired, shards);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(matrix)}\n`);
    return 0;
  }
  const matrices = Array.isArray(matrix) ? matrix : [matrix];
  const width = Math.max(9, maxOf(desired.workspaces.map((w) => w.name.length))) + 2;
  matrices.forEach((m, index) => {
    if (matrices.length > 1)
      io.stdout.write(`${index > 0 ? "\n" : ""}Shard ${index} (${m.include.length} workspaces)\n`);
    for (const job of m.include) io.stdout.write(`${job.workspace.padEnd(width)}${job.tokenEnv}\n`);
  });
  return 0;
}

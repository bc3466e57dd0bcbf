// init: from zero to scheduled rotation. Writes timely-keys.yaml from the live workspace (as import
// does, pinned to the workspace's id, with a commented sink example under each key) and the two
// GitHub workflows, refusing to overwrite any of them, then prints the next steps.
import { mkdir, open, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import packageJson from "../../../package.json" with { type: "json" };
import { clientsFromEnv } from "../../clients.js";
import { UserError } from "../../errors.js";
import { importManifest } from "../../import.js";
import { asTokenError, readWorkspace } from "../../read.js";
import { publishedSchemaUrl } from "../../schema-path.js";
import { parseCommandArgs } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { initWorkflows, readOnlySecretName } from "../init/workflows.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const FILES = {
  manifest: "timely-keys.yaml",
  rotate: join(".github", "workflows", "rotate.yml"),
  planOnPr: join(".github", "workflows", "plan-on-pr.yml"),
} as const;

/** `acme-prod` -> `TIMELY_ACME_PROD_TOKEN`, the examples' naming. */
export function defaultTokenEnv(workspace: string): string {
  return `TIMELY_${workspace
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")}_TOKEN`;
}

export async function initCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "init",
    argv,
    { workspace: { type: "string" }, "token-env": { type: "string" }, "api-url": { type: "string" } },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.init}\n`);
    return 0;
  }
  const workspace = values.workspace as string | undefined;
  if (!workspace) throw new UserError("init needs --workspace W (the name of the live workspace to start from)");
  if (!WORKSPACE_NAME.test(workspace))
    throw new UserError(`--workspace ${JSON.stringify(workspace)}: must be 1-100 letters, digits, '.', '_' or '-'`);
  const tokenEnv = (values["token-env"] as string | undefined) ?? defaultTokenEnv(workspace);
  if (!ENV_NAME.test(tokenEnv))
    throw new UserError(`--token-env ${JSON.stringify(tokenEnv)} is not an environment variable name`);
  const apiUrl = values["api-url"] as string | undefined;
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl))
    throw new UserError("--api-url must be an http(s) URL");

  // Refuse before calling the API: nothing is read or written when any file is already there.
  const existing: string[] = [];
  for (const file of Object.values(FILES)) if (await exists(join(io.cwd, file))) existing.push(file);
  if (existing.length > 0)
    throw new UserError(
      `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; init refuses to overwrite (nothing ` +
        `was written)`,
    );

  const connection = { name: workspace, tokenEnv, ...(apiUrl ? { apiUrl } : {}) };
  const clients = clientsFromEnv(io.env);
  const live = await readWorkspace(connection, { clients });
  let workspaceId: string;
  try {
    workspaceId = (await clients(connection).me()).workspace_id;
  } catch (error) {
    throw asTokenError(error, connection) ?? error;
  }
  const manifest = importManifest({
    workspace,
    tokenEnv,
    ...(apiUrl ? { apiUrl } : {}),
    keys: live.keys,
    schemaPath: publishedSchemaUrl(packageJson.version),
    workspaceId,
    sinkExamples: true,
  }).replace(/^# Imported by 'timely-keys import/m, "# Written by 'timely-keys init");
  const workflows = initWorkflows([tokenEnv]);
  await writeAll(io.cwd, [
    [FILES.manifest, manifest],
    [FILES.rotate, workflows.rotate],
    [FILES.planOnPr, workflows.planOnPr],
  ]);
  const count = live.keys.length;
  io.stdout.write(
    [
      `Wrote ${FILES.manifest} (${count} key${count === 1 ? "" : "s"} of workspace ${workspace}, pinned to workspace ` +
        `id ${workspaceId}),`,
      `${FILES.rotate} (daily rotation) and ${FILES.planOnPr} (plan on pull requests).`,
      "",
      "Next steps:",
      `  1. Add the tokens as repository secrets: ${tokenEnv} (an owner's or manager's management token)`,
      `     and ${readOnlySecretName(tokenEnv)} (any member's, for plans on pull requests), e.g.`,
      `       gh secret set ${tokenEnv}`,
      `       gh secret set ${readOnlySecretName(tokenEnv)}`,
      `  2. Give each key a deliver: sink in ${FILES.manifest} (an example is commented under each one);`,
      "     a key without sinks is adopted but never rotated.",
      `  3. With ${tokenEnv} set: 'timely-keys plan', then 'timely-keys apply' to mark the adopted keys;`,
      "     commit the three files.",
      "",
    ].join("\n"),
  );
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Creates each file exclusively; on any failure removes the ones this call created. */
async function writeAll(cwd: string, files: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const written: string[] = [];
  try {
    for (const [file, text] of files) {
      const path = join(cwd, file);
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, "wx", 0o644);
      written.push(path);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    for (const path of written) await rm(path, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `init: cannot write ${code === "EEXIST" ? "a file that appeared meanwhile" : "its files"} ` +
        `(${code ?? "error"}); nothing was kept`,
    );
  }
}

import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { clientsFromEnv } from "../../clients.js";
import { isSecureOrigin } from "@timely-keys/sdk";
import type { Desired } from "../../desired.js";
import { UserError } from "../../errors.js";
import { checkWorkspaceIdentity } from "../../identity.js";
import { FORBIDDEN_TOKEN_ENV } from "../../validate/origin-rules.js";
import { importManifest } from "../../import.js";
import { readWorkspace } from "../../read.js";
import { parseCommandArgs } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { loadDesired } from "../pipeline.js";
import { publishedSchemaUrl } from "../../schema-path.js";
import packageJson from "../../../package.json" with { type: "json" };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function importCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    "import",
    argv,
    {
      workspace: { type: "string" },
      file: { type: "string", short: "f" },
      "token-env": { type: "string" },
      "api-url": { type: "string" },
      out: { type: "string" },
    },
    { min: 0, max: 0 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.import}\n`);
    return 0;
  }
  const workspace = values.workspace as string | undefined;
  if (!workspace) throw new UserError("import needs --workspace W");
  let tokenEnv = values["token-env"] as string | undefined;
  let apiUrl = values["api-url"] as string | undefined;
  // --api-url is the operator's own choice, made outside any manifest: it is allowed for this run.
  const env =
    apiUrl === undefined
      ? io.env
      : { ...io.env, TIMELY_KEYS_ALLOWED_API_URLS: [io.env.TIMELY_KEYS_ALLOWED_API_URLS ?? "", apiUrl].join(",") };
  let pinned: Desired["workspaces"] = [];
  if (values.file) {
    const desired = await loadDesired(io, {
      file: values.file as string,
      workspaces: [workspace],
      targets: [],
      requireEnv: true,
    });
    const found = desired.workspaces.find((w) => w.name === workspace);
    tokenEnv ??= found?.tokenEnv;
    apiUrl ??= found?.apiUrl;
    pinned = desired.workspaces;
  }
  if (!tokenEnv)
    throw new UserError(
      "import needs --token-env VAR (the env var holding the management token) or -f naming a manifest with this " +
        "workspace",
    );
  if (!ENV_NAME.test(tokenEnv))
    throw new UserError(`--token-env ${JSON.stringify(tokenEnv)} is not an environment variable name`);
  if (FORBIDDEN_TOKEN_ENV.test(tokenEnv)) {
    throw new UserError(
      `--token-env ${tokenEnv} is a GitHub or runner variable (GITHUB_*, ACTIONS_*, RUNNER_*): a management token is ` +
        `never read from one`,
    );
  }
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl))
    throw new UserError(`--api-url must be an http(s) URL`);
  if (apiUrl !== undefined && !isSecureOrigin(apiUrl))
    throw new UserError("--api-url must use https (plain http only on loopback)");

  const connection = { name: workspace, tokenEnv, ...(apiUrl ? { apiUrl } : {}) };
  const clients = clientsFromEnv(env);
  const live = await readWorkspace(connection, { clients });
  // A token whose workspace the manifest already pins under another name is that workspace's.
  checkWorkspaceIdentity(pinned, { workspaces: [live] }, env);
  const out = values.out as string | undefined;
  const schemaPath = publishedSchemaUrl(packageJson.version);
  const text = importManifest({
    workspace,
    tokenEnv,
    ...(apiUrl ? { apiUrl } : {}),
    ...(live.workspaceId ? { workspaceId: live.workspaceId } : {}),
    keys: live.keys,
    schemaPath,
  });
  if (!out) {
    io.stdout.write(text);
    return 0;
  }
  try {
    const handle = await open(resolve(io.cwd, out), "wx", 0o644);
    await handle.writeFile(text);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `--out ${out}: ` +
        `${code === "EEXIST" ? "already exists; refusing to overwrite it" : `cannot write (${code ?? "error"})`}`,
    );
  }
  io.stdout.write(
    `Imported ${live.keys.length} key${live.keys.length === 1 ? "" : "s"} of workspace ${workspace} into ` +
      `${out}.\nNext: review it, then 'timely-keys apply -f ${out}' to mark the adopted keys.\n`,
  );
  return 0;
}

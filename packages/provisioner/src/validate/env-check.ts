// missing-env: the environment variables the manifest names (management tokens, sink
// credentials) must be set before anything talks to an API. Names are shown, values never.
import type { SinkConfig } from "../deliver/config.js";
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { finding } from "./finding.js";
import type { ManifestDocument } from "./manifest.js";
import { formatPath, type PathSegment } from "./path.js";
import { quoteValue } from "./secret-shapes.js";
import { appendAll } from "../append.js";

export interface EnvCheckOptions {
  env: NodeJS.ProcessEnv;
  /** Check the variables sinks need too (GITHUB_TOKEN, VAULT_TOKEN, ...). */
  sinks: boolean;
  /** Only these workspaces (the CLI's --workspace filter); all when undefined. */
  workspaces?: readonly string[] | undefined;
}

interface Needed {
  variable: string;
  /** The field naming the variable, or the sink when it relies on a default variable. */
  path: PathSegment[];
  /** What the variable holds ("the Vault token"). */
  what: string;
  /** Whose it is ('workspace "acme-prod"', 'the vault sink of key "crm"'). */
  owner: string;
}

/** The sink types sinkVariables below has a case for (the others need no variable). */
const SINKS_WITH_VARIABLES: ReadonlySet<SinkConfig["type"]> = new Set(["githubSecret", "vault", "onePassword"]);

export function checkEnv(manifest: ManifestDocument, loaded: LoadedDocument, options: EnvCheckOptions): Diagnostic[] {
  const needed: Needed[] = [];
  manifest.workspaces.forEach((workspace, w) => {
    if (options.workspaces && !options.workspaces.includes(workspace.name)) return;
    needed.push({
      variable: workspace.tokenEnv,
      path: ["workspaces", w, "tokenEnv"],
      what: "the management token",
      owner: `workspace ${quoteValue(workspace.name)}`,
    });
    if (!options.sinks) return;
    workspace.keys.forEach((key, k) => {
      (key.deliver ?? []).forEach((sink, s) => {
        // Most sinks of a big manifest are files, which need no variable: no path built for them.
        if (!SINKS_WITH_VARIABLES.has(sink.type)) return;
        appendAll(needed, sinkVariables(sink, ["workspaces", w, "keys", k, "deliver", s], key.id));
      });
    });
  });

  // Each variable once; variables missing at the same node (a sink relying on two defaults)
  // share one message.
  const reported = new Set<string>();
  const byLocation = new Map<string, Array<Needed & { state: string }>>();
  for (const need of needed) {
    const value = options.env[need.variable];
    if ((value !== undefined && value !== "") || reported.has(need.variable)) continue;
    reported.add(need.variable);
    const key = formatPath(need.path);
    byLocation.set(key, [
      ...(byLocation.get(key) ?? []),
      { ...need, state: value === undefined ? "not set" : "empty" },
    ]);
  }
  return [...byLocation.values()].map((group) => {
    const [first] = group as [Needed & { state: string }];
    if (group.length === 1) {
      return finding(
        loaded,
        "missing-env",
        first.path,
        `environment variable ${first.variable} is ${first.state} (${first.what} of ${first.owner})`,
      );
    }
    const states = new Set(group.map((g) => g.state));
    const list = group.map((g) => `${g.variable} (${g.what})`).join(", ");
    return finding(
      loaded,
      "missing-env",
      first.path,
      `environment variables ${list} are ${states.size > 1 ? "not set or empty" : first.state} (for ${first.owner})`,
    );
  });
}

function sinkVariables(sink: SinkConfig, path: PathSegment[], keyId: string): Needed[] {
  // Most sinks need no variable: their owner's words are made only for those that do.
  let ownerText: string | undefined;
  const owner = () => (ownerText ??= `the ${sink.type} sink of key ${quoteValue(keyId)}`);
  const named = (field: string, given: string | undefined, fallback: string, what: string): Needed => ({
    variable: given ?? fallback,
    path: given === undefined ? path : [...path, field],
    what,
    owner: owner(),
  });
  switch (sink.type) {
    case "githubSecret":
      return [named("tokenEnv", sink.tokenEnv, "GITHUB_TOKEN", "the GitHub token")];
    case "vault": {
      const auth = sink.auth;
      const vars: Needed[] = [];
      if (sink.address === undefined) vars.push(named("address", undefined, "VAULT_ADDR", "the Vault address"));
      if (auth?.method === "approle") {
        const authPath = [...path, "auth"];
        vars.push({
          variable: auth.roleIdEnv,
          path: [...authPath, "roleIdEnv"],
          what: "the AppRole role_id",
          owner: owner(),
        });
        vars.push({
          variable: auth.secretIdEnv,
          path: [...authPath, "secretIdEnv"],
          what: "the AppRole secret_id",
          owner: owner(),
        });
      } else {
        const tokenEnv = auth?.tokenEnv;
        vars.push({
          variable: tokenEnv ?? "VAULT_TOKEN",
          path: tokenEnv === undefined ? path : [...path, "auth", "tokenEnv"],
          what: "the Vault token",
          owner: owner(),
        });
      }
      return vars;
    }
    case "onePassword": {
      const vars = [named("tokenEnv", sink.tokenEnv, "OP_CONNECT_TOKEN", "the Connect token")];
      if (sink.connectUrl === undefined)
        vars.push(named("connectUrl", undefined, "OP_CONNECT_HOST", "the Connect server URL"));
      return vars;
    }
    default:
      // file and exec need nothing; AWS credentials come from the SDK's default chain.
      return [];
  }
}

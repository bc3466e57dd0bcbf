// Where credentials may go. A pull request can edit the manifest, so the manifest alone can never
// send a management token somewhere new: a non-default `apiUrl` needs the operator's consent from
// outside it (TIMELY_API_URL or TIMELY_KEYS_ALLOWED_API_URLS); every URL a credential travels to is
// https (plain http only on loopback); and `tokenEnv` cannot name the runner's own secrets or a
// variable a sink reads (a copy-pasted name would hand that credential to the Timely API).
import { DEFAULT_BASE_URL, isSecureOrigin } from "@timely-keys/sdk";
import type { SinkConfig } from "../deliver/config.js";
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { finding } from "./finding.js";
import type { ManifestDocument } from "./manifest.js";
import type { PathSegment } from "./path.js";
import { quoteValue } from "./secret-shapes.js";

/** Variables a management token may never be read from: the runner's and GitHub's own. */
export const FORBIDDEN_TOKEN_ENV = /^(?:GITHUB_|ACTIONS_|RUNNER_)/;

/** The sinks' default credential and address variables (used when the sink names none). */
const SINK_DEFAULT_VARIABLES: Partial<Record<SinkConfig["type"], string[]>> = {
  githubSecret: ["GITHUB_TOKEN"],
  vault: ["VAULT_TOKEN", "VAULT_ADDR"],
  onePassword: ["OP_CONNECT_TOKEN", "OP_CONNECT_HOST"],
  awsSecretsManager: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
};

/** Every environment variable a sink of the manifest reads (credentials, addresses, passed-on names). */
export function sinkVariableNames(manifest: ManifestDocument): Set<string> {
  const names = new Set<string>();
  for (const workspace of manifest.workspaces) {
    for (const key of workspace.keys) {
      for (const sink of key.deliver ?? []) for (const name of variablesOfSink(sink)) names.add(name);
    }
  }
  return names;
}

function variablesOfSink(sink: SinkConfig): string[] {
  const names = [...(SINK_DEFAULT_VARIABLES[sink.type] ?? [])];
  switch (sink.type) {
    case "githubSecret":
    case "onePassword":
      if (sink.tokenEnv !== undefined) names.push(sink.tokenEnv);
      break;
    case "vault":
      if (sink.auth?.method === "approle") names.push(sink.auth.roleIdEnv, sink.auth.secretIdEnv);
      else if (sink.auth?.tokenEnv !== undefined) names.push(sink.auth.tokenEnv);
      break;
    case "exec":
      names.push(...(sink.passEnv ?? []));
      if (sink.input === "env") names.push(sink.env ?? "TIMELY_API_KEY");
      break;
    default:
      break;
  }
  return names;
}

/** The allow-list of API base URLs from TIMELY_KEYS_ALLOWED_API_URLS (comma-separated), normalised. */
export function allowedApiUrls(env: NodeJS.ProcessEnv): Set<string> {
  const list = env.TIMELY_KEYS_ALLOWED_API_URLS ?? "";
  return new Set(
    list
      .split(",")
      .map(normaliseUrl)
      .filter((url) => url !== ""),
  );
}

export function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/**
 * Why a manifest `apiUrl` may not be used in this environment, or undefined when it may: the
 * default, anything when TIMELY_API_URL overrides it, or a URL TIMELY_KEYS_ALLOWED_API_URLS lists.
 */
export function apiUrlRefusal(apiUrl: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (apiUrl === undefined || normaliseUrl(apiUrl) === DEFAULT_BASE_URL) return undefined;
  if (env.TIMELY_API_URL?.trim()) return undefined;
  if (allowedApiUrls(env).has(normaliseUrl(apiUrl))) return undefined;
  return (
    `apiUrl ${quoteValue(apiUrl)} is not the Timely API and the operator has not allowed it: the management token ` +
    "would be sent there. Nothing was sent. To use it, list it in TIMELY_KEYS_ALLOWED_API_URLS (comma-separated) " +
    "or set TIMELY_API_URL, outside the manifest"
  );
}

export interface OriginCheckOptions {
  env: NodeJS.ProcessEnv;
  /** Check the apiUrl allow-list too (only a run that will send requests needs to). */
  apiUrls: boolean;
}

export function checkOrigins(
  manifest: ManifestDocument,
  loaded: LoadedDocument,
  options: OriginCheckOptions,
): Diagnostic[] {
  const findings: Diagnostic[] = [];
  const sinkVariables = sinkVariableNames(manifest);
  manifest.workspaces.forEach((workspace, w) => {
    const at = (...path: PathSegment[]): PathSegment[] => ["workspaces", w, ...path];
    const tokenEnv = workspace.tokenEnv;
    if (FORBIDDEN_TOKEN_ENV.test(tokenEnv)) {
      findings.push(
        finding(
          loaded,
          "forbidden-token-env",
          at("tokenEnv"),
          `tokenEnv ${tokenEnv} is a GitHub or runner variable (GITHUB_*, ACTIONS_*, RUNNER_*): a management token ` +
            `is never read from one`,
        ),
      );
    } else if (sinkVariables.has(tokenEnv)) {
      findings.push(
        finding(
          loaded,
          "forbidden-token-env",
          at("tokenEnv"),
          `tokenEnv ${tokenEnv} is also read by a sink of this manifest: that credential would be sent to the ` +
            `Timely API`,
        ),
      );
    }
    if (workspace.apiUrl !== undefined) {
      if (!isSecureOrigin(workspace.apiUrl)) {
        findings.push(
          finding(
            loaded,
            "insecure-url",
            at("apiUrl"),
            `apiUrl ${quoteValue(workspace.apiUrl)} is not https: the management token would travel in clear (plain ` +
              `http only on loopback)`,
          ),
        );
      } else if (options.apiUrls) {
        const refusal = apiUrlRefusal(workspace.apiUrl, options.env);
        if (refusal !== undefined) findings.push(finding(loaded, "api-url-not-allowed", at("apiUrl"), refusal));
      }
    }
    workspace.keys.forEach((key, k) => {
      (key.deliver ?? []).forEach((sink, s) => {
        if (sink.type === "exec")
          findings.push(...checkPassEnv(sink.passEnv ?? [], manifest, loaded, at("keys", k, "deliver", s, "passEnv")));
        const url = sinkUrl(sink);
        if (url === undefined || isSecureOrigin(url.value)) return;
        findings.push(
          finding(
            loaded,
            "insecure-url",
            at("keys", k, "deliver", s, url.field),
            `${url.field} ${quoteValue(url.value)} is not https: the sink's credential would travel in clear (plain ` +
              `http only on loopback)`,
          ),
        );
      });
    });
  });
  return findings;
}

/** An exec program never receives a management token or a credential another sink reads. */
function checkPassEnv(
  passEnv: readonly string[],
  manifest: ManifestDocument,
  loaded: LoadedDocument,
  path: PathSegment[],
): Diagnostic[] {
  const tokenEnvs = new Set(manifest.workspaces.map((workspace) => workspace.tokenEnv));
  const credentials = new Set<string>();
  for (const workspace of manifest.workspaces) {
    for (const key of workspace.keys) {
      for (const sink of key.deliver ?? [])
        if (sink.type !== "exec") for (const name of variablesOfSink(sink)) credentials.add(name);
    }
  }
  const findings: Diagnostic[] = [];
  for (const name of passEnv) {
    if (tokenEnvs.has(name)) {
      findings.push(
        finding(
          loaded,
          "exec-env-credential",
          path,
          `passEnv ${name} is a management token (a workspace's tokenEnv): a program never receives one`,
        ),
      );
    } else if (credentials.has(name)) {
      findings.push(
        finding(
          loaded,
          "exec-env-credential",
          path,
          `passEnv ${name} is read by another sink of this manifest: a program never receives another sink's ` +
            `credential`,
        ),
      );
    }
  }
  return findings;
}

function sinkUrl(sink: SinkConfig): { field: string; value: string } | undefined {
  switch (sink.type) {
    case "githubSecret":
      return sink.apiUrl === undefined ? undefined : { field: "apiUrl", value: sink.apiUrl };
    case "vault":
      return sink.address === undefined ? undefined : { field: "address", value: sink.address };
    case "onePassword":
      return sink.connectUrl === undefined ? undefined : { field: "connectUrl", value: sink.connectUrl };
    case "awsSecretsManager":
      return sink.endpoint === undefined ? undefined : { field: "endpoint", value: sink.endpoint };
    default:
      return undefined;
  }
}

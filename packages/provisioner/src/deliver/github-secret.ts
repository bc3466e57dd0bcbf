import type { GithubSecretSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { SinkFailure, configFailure, requireEnv } from "./failure.js";
import {
  isRateLimited,
  isRecord,
  sendRequest,
  statusFailure,
  trimBase,
  type HttpRequest,
  type HttpResponse,
} from "./http.js";
import { runDelivery } from "./run-delivery.js";
import { sealForGithub } from "./seal.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

const DEFAULT_API_URL = "https://api.github.com";
const DEFAULT_TOKEN_ENV = "GITHUB_TOKEN";
const USER_AGENT = "timely-keys-provisioner";

/**
 * Writes a GitHub Actions secret (repository, repository environment or organization): reads the
 * scope's public key, seals the value with it, and PUTs `{encrypted_value, key_id}`.
 */
export function createGithubSecretSink(config: GithubSecretSinkConfig, manifestDir: string): Sink {
  const sink: Sink = {
    type: "githubSecret",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, redactor, log }) => {
        const tokenEnv = config.tokenEnv ?? DEFAULT_TOKEN_ENV;
        const token = requireEnv(ctx.env, tokenEnv, "GitHub token");
        redactor.add(token);
        const scope = secretsScope(config);
        const base = `${trimBase(config.apiUrl ?? DEFAULT_API_URL)}${scope.path}`;
        const headers = {
          Authorization: `Bearer ${token}`,
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": "2022-11-28",
          "User-Agent": USER_AGENT,
        };

        const keyRequest: HttpRequest = {
          method: "GET",
          url: `${base}/public-key`,
          headers,
          what: `read the public key of ${scope.label}`,
        };
        const keyResponse = await sendRequest(ctx, keyRequest);
        if (keyResponse.status !== 200) throw githubFailure(keyRequest, keyResponse, tokenEnv, scope.label);
        const publicKey = readPublicKey(keyResponse.body);

        const body: Record<string, unknown> = {
          encrypted_value: await seal(clear, publicKey.key, scope.label),
          key_id: publicKey.keyId,
        };
        if (config.organization) body.visibility = config.visibility ?? "private";
        const putRequest: HttpRequest = {
          method: "PUT",
          url: `${base}/${encodeURIComponent(config.secretName)}`,
          headers,
          body,
          writesSecret: true,
          what: `write secret ${config.secretName} of ${scope.label}`,
        };
        const putResponse = await sendRequest(ctx, putRequest);
        if (putResponse.status !== 201 && putResponse.status !== 204) {
          throw githubFailure(putRequest, putResponse, tokenEnv, scope.label);
        }
        log(
          `githubSecret: ${putResponse.status === 201 ? "created" : "updated"} ${config.secretName} in ${scope.label}`,
        );
      }),
  };
  return sink;
}

interface SecretsScope {
  /** The secrets collection, e.g. /repos/o/r/actions/secrets. */
  path: string;
  label: string;
}

function secretsScope(config: GithubSecretSinkConfig): SecretsScope {
  if (config.organization) {
    const org = encodeURIComponent(config.organization);
    return { path: `/orgs/${org}/actions/secrets`, label: `organization ${config.organization}` };
  }
  const parts = (config.repository ?? "").split("/");
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo) {
    throw configFailure(`repository must be "owner/repo", got "${config.repository ?? ""}"`);
  }
  const repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  if (config.environment) {
    return {
      path: `${repoPath}/environments/${encodeURIComponent(config.environment)}/secrets`,
      label: `environment ${config.environment} of ${owner}/${repo}`,
    };
  }
  return { path: `${repoPath}/actions/secrets`, label: `repository ${owner}/${repo}` };
}

async function seal(value: string, publicKey: string, scope: string): Promise<string> {
  try {
    return await sealForGithub(value, publicKey);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new SinkFailure(`could not seal the secret with the public key of ${scope} (${why})`);
  }
}

function readPublicKey(body: unknown): { keyId: string; key: string } {
  if (isRecord(body) && typeof body.key_id === "string" && typeof body.key === "string") {
    return { keyId: body.key_id, key: body.key };
  }
  throw new SinkFailure("GitHub answered the public key request without key_id and key", { retryable: true });
}

/**
 * GitHub's errors are `{message, documentation_url}`. A rate limit (sendRequest already waited it
 * out as far as the retry policy allows) is named as such rather than as a permission problem.
 */
function githubFailure(request: HttpRequest, response: HttpResponse, tokenEnv: string, scope: string): SinkFailure {
  const detail =
    isRecord(response.body) && typeof response.body.message === "string" ? response.body.message : undefined;
  const hint = isRateLimited(response) ? "rate limited" : hintFor(response.status, tokenEnv, scope);
  return statusFailure(request, response, detail, hint);
}

function hintFor(status: number, tokenEnv: string, scope: string): string | undefined {
  switch (status) {
    case 401:
      return `the token in ${tokenEnv} was rejected`;
    case 403:
      return `the token in ${tokenEnv} may not manage Actions secrets of ${scope}`;
    case 404:
      return `${scope} was not found, or the token in ${tokenEnv} cannot see it`;
    case 422:
      return "GitHub refused the request as invalid";
    default:
      return undefined;
  }
}

// One SDK client per workspace, authenticated with the management token named by the manifest.
import { DEFAULT_BASE_URL, TimelyClient, type TimelyClientOptions } from "@timely-keys/sdk";
import { ManagementTokenError, UsageError, UserError } from "./errors.js";
import { httpFetch } from "./http-fetch.js";
import { apiUrlRefusal } from "./validate/origin-rules.js";

export interface WorkspaceConnection {
  name: string;
  tokenEnv: string;
  apiUrl?: string;
}

/**
 * `TIMELY_API_URL` overrides the manifest's apiUrl, which overrides the public API's URL. A manifest
 * apiUrl other than the default is used only when TIMELY_KEYS_ALLOWED_API_URLS lists it (validation
 * says so first; this refuses again for callers of the library, before any request).
 */
export function resolveBaseUrl(apiUrl: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.TIMELY_API_URL?.trim();
  if (fromEnv) return fromEnv;
  const refusal = apiUrlRefusal(apiUrl, env);
  if (refusal !== undefined) throw new UserError(refusal);
  return apiUrl || DEFAULT_BASE_URL;
}

export type ClientFactory = (workspace: WorkspaceConnection) => TimelyClient;

/**
 * A factory that makes one client per workspace (cached: the client's pacing must see every request
 * made with its token) from the environment. A missing or empty variable is an error naming it.
 * Unless `options.fetch` is given, the clients send through `fetchFromEnv(env)`.
 */
export function clientsFromEnv(
  env: NodeJS.ProcessEnv,
  options: Omit<TimelyClientOptions, "apiKey" | "baseUrl"> = {},
): ClientFactory {
  const cache = new Map<string, TimelyClient>();
  const timeoutMs = timeoutFromEnv(env);
  options = { ...options, fetch: options.fetch ?? fetchFromEnv(env) };
  if (timeoutMs !== undefined) options = { ...options, timeoutMs };
  return (workspace) => {
    const cached = cache.get(workspace.name);
    if (cached) return cached;
    const token = env[workspace.tokenEnv]?.trim();
    if (!token) {
      throw new ManagementTokenError(
        workspace.name,
        workspace.tokenEnv,
        `workspace ${workspace.name}: environment variable ${workspace.tokenEnv} (its management token) ` +
          "is not set or empty",
      );
    }
    const client = new TimelyClient({ ...options, apiKey: token, baseUrl: resolveBaseUrl(workspace.apiUrl, env) });
    cache.set(workspace.name, client);
    return client;
  };
}

/** `TIMELY_API_TIMEOUT`: seconds one HTTP attempt may take (default: the SDK's 30). */
export function timeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.TIMELY_API_TIMEOUT?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 600) {
    throw new UsageError(
      `TIMELY_API_TIMEOUT must be a number of seconds between 0 and 600, got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** The platform's fetch, looked up at each call (so that a fetch patched later applies). */
const platformFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init);

/**
 * The fetch the CLI and the Action send every request with: `httpFetch` (node:http; the platform's
 * fetch keeps each process alive for a while after its work, see http-fetch.ts), or the platform's
 * fetch when a proxy is configured (Node 24 sends its fetch through HTTP(S)_PROXY when
 * NODE_USE_ENV_PROXY is set; node:http never uses a proxy). `TIMELY_KEYS_HTTP_CLIENT` decides
 * instead: `fetch` (the platform's) or `http` (node:http, proxies or not).
 */
export function fetchFromEnv(env: NodeJS.ProcessEnv): typeof globalThis.fetch {
  const text = env.TIMELY_KEYS_HTTP_CLIENT?.trim();
  if (text === "fetch") return platformFetch;
  if (text === "http") return httpFetch;
  if (text) {
    throw new UsageError(
      `TIMELY_KEYS_HTTP_CLIENT must be "http" (node:http) or "fetch" (the platform's fetch), ` +
        `got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  return proxyConfigured(env) ? platformFetch : httpFetch;
}

function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  if (env.NODE_USE_ENV_PROXY?.trim()) return true;
  return Object.entries(env).some(([name, value]) => /^(?:https?|all)_proxy$/i.test(name) && value?.trim());
}

// One SDK client per workspace, authenticated with the management token named by the manifest.
import { DEFAULT_BASE_URL, TimelyClient, type TimelyClientOptions } from "@timely-keys/sdk";
import { ManagementTokenError } from "./errors.js";

export interface WorkspaceConnection {
  name: string;
  tokenEnv: string;
  apiUrl?: string;
}

/** `TIMELY_API_URL` overrides the manifest's apiUrl, which overrides the public API's URL. */
export function resolveBaseUrl(apiUrl: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.TIMELY_API_URL?.trim();
  return fromEnv || apiUrl || DEFAULT_BASE_URL;
}

export type ClientFactory = (workspace: WorkspaceConnection) => TimelyClient;

/**
 * A factory that makes one client per workspace (cached: the client's pacing must see every request
 * made with its token) from the environment. A missing or empty variable is an error naming it.
 */
export function clientsFromEnv(env: NodeJS.ProcessEnv, options: Omit<TimelyClientOptions, "apiKey" | "baseUrl"> = {}): ClientFactory {
  const cache = new Map<string, TimelyClient>();
  return (workspace) => {
    const cached = cache.get(workspace.name);
    if (cached) return cached;
    const token = env[workspace.tokenEnv]?.trim();
    if (!token) {
      throw new ManagementTokenError(
        workspace.name,
        workspace.tokenEnv,
        `workspace ${workspace.name}: environment variable ${workspace.tokenEnv} (its management token) is not set or empty`,
      );
    }
    const client = new TimelyClient({ ...options, apiKey: token, baseUrl: resolveBaseUrl(workspace.apiUrl, env) });
    cache.set(workspace.name, client);
    return client;
  };
}

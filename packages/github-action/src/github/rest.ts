// The few GitHub REST calls the Action makes (issues and comments), over fetch: GITHUB_API_URL as the
// base (the runner sets it; GitHub Enterprise Server too), the job's token, API version pinned, pages
// followed through the Link header. Errors carry the status and GitHub's message, never the token.
export interface Repo {
  owner: string;
  repo: string;
}

export class GitHubApiError extends Error {
  override readonly name = "GitHubApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface GitHubApi {
  request<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<T>;
  /** Every item of a list endpoint, following `Link: rel="next"` (at most `maxPages` pages). */
  paginate<T>(path: string, maxPages?: number): Promise<T[]>;
}

export function githubApi(options: { baseUrl: string; token: string; fetch?: typeof fetch }): GitHubApi {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers = {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${options.token}`,
    "x-github-api-version": "2022-11-28",
    "user-agent": "timely-keys-action",
  };
  async function call(method: string, url: string, body?: unknown): Promise<Response> {
    const response = await doFetch(url, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: "error",
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      let message = text.slice(0, 300);
      try {
        message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
      } catch {
        // not JSON: the text as it is
      }
      const path = new URL(url).pathname;
      throw new GitHubApiError(
        response.status,
        `GitHub ${method} ${path}: HTTP ${response.status}${message ? ` (${message})` : ""}`,
      );
    }
    return response;
  }
  return {
    async request<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<T> {
      return (await (await call(method, `${base}${path}`, body)).json()) as T;
    },
    async paginate<T>(path: string, maxPages = 50): Promise<T[]> {
      const items: T[] = [];
      let url: string | undefined = `${base}${path}`;
      for (let page = 0; url !== undefined && page < maxPages; page++) {
        const response = await call("GET", url);
        items.push(...((await response.json()) as T[]));
        url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      }
      return items;
    },
  };
}

/** `owner/repo` from GITHUB_REPOSITORY. */
export function repoOf(env: NodeJS.ProcessEnv): Repo | undefined {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo && rest.length === 0 ? { owner, repo } : undefined;
}

// Which HTTP client the CLI sends with (issue 17): node:http by default, for the API, the sinks, the
// probes and the notifications; the platform's fetch when TIMELY_KEYS_HTTP_CLIENT=fetch or a proxy is
// configured. A loopback front records who sent each request (the platform's fetch, undici, adds
// `Sec-Fetch-Mode: cors` to every request; node:http adds nothing) and passes /v1 on to the emulator.
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { crmEntry, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

interface Seen {
  path: string;
  client: "node:http" | "platform fetch";
}

const VAULT_TOKEN = "hvs.VaultTokenForTheHttpClientTest0000000001";

let emulator: Emulator;
let front: Server;
let base: string;
let work: Workdir;
const seen: Seen[] = [];

/** /v1 to the emulator; a Vault KV v2, a health check and a webhook of its own. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? "/";
  seen.push({ path, client: req.headers["sec-fetch-mode"] === undefined ? "node:http" : "platform fetch" });
  if (path.startsWith("/v1/secret/")) {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        req.method === "GET" ? { data: { data: {}, metadata: { version: 1 } } } : { data: { version: 2 } },
      ),
    );
    return;
  }
  if (path === "/health" || path === "/hook") {
    req.resume();
    res.writeHead(204).end();
    return;
  }
  const target = new URL(emulator.url);
  const upstream = forward(
    { hostname: target.hostname, port: target.port, path, method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.writeHead(502).end());
  req.pipe(upstream);
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  front = createServer(handle);
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  work = makeWorkdir(
    manifestYaml({
      notify: [{ type: "webhook", url: `${base}/hook` }],
      workspaces: [
        workspace({
          keys: [
            crmEntry({
              deliver: [{ type: "vault", address: base, path: "crm" }],
              verify: [{ type: "http", url: `${base}/health`, expectStatus: 204 }],
            }),
          ],
        }),
      ],
    }),
  );
});

afterAll(async () => {
  expectNoLeaks({ transcript: transcript.join("\n") }, [...secretsOf(emulator), VAULT_TOKEN]);
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  await emulator.close();
  work.cleanup();
});

beforeEach(() => {
  seen.length = 0;
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, {
    cwd: work.dir,
    env: { TIMELY_API_URL: base, PROD_TOKEN: OWNER_TOKEN, VAULT_TOKEN, ...env },
  });

/** The clients that sent the requests whose path starts with `prefix`. */
const clientsOf = (prefix: string) => [...new Set(seen.filter((s) => s.path.startsWith(prefix)).map((s) => s.client))];

describe("the CLI's HTTP client", () => {
  it("by default node:http, for the API, the Vault sink, the http probe and the webhook", async () => {
    const created = await cli(["apply", "--auto-approve"]);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stderr).toBe("");
    // A rotation is what the webhook is told about.
    const rotated = await cli(["rotate", "crm", "--auto-approve"]);
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(rotated.stderr).toBe("");
    for (const path of ["/v1/me", "/v1/api-keys", "/v1/secret/", "/health", "/hook"]) {
      expect([path, clientsOf(path)]).toEqual([path, ["node:http"]]);
    }
  });

  it.each([
    ["TIMELY_KEYS_HTTP_CLIENT=fetch", { TIMELY_KEYS_HTTP_CLIENT: "fetch" }, "platform fetch"],
    ["a proxy variable (https_proxy)", { https_proxy: "http://127.0.0.1:9" }, "platform fetch"],
    ["NODE_USE_ENV_PROXY", { NODE_USE_ENV_PROXY: "1" }, "platform fetch"],
    [
      "TIMELY_KEYS_HTTP_CLIENT=http over a proxy variable",
      { TIMELY_KEYS_HTTP_CLIENT: "http", HTTP_PROXY: "x" },
      "node:http",
    ],
    ["NO_PROXY alone", { NO_PROXY: "example.com" }, "node:http"],
  ])("plan with %s: %s", async (_what, env, client) => {
    const run = await cli(["plan"], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(clientsOf("/")).toEqual([client]);
  });

  it("an unknown TIMELY_KEYS_HTTP_CLIENT is one clear error, before any request", async () => {
    const run = await cli(["plan"], { TIMELY_KEYS_HTTP_CLIENT: "curl" });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'error: TIMELY_KEYS_HTTP_CLIENT must be "http" (node:http) or "fetch" (the platform\'s fetch), got "curl"\n',
    );
    expect(seen).toEqual([]);
  });
});

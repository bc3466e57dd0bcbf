// The HTTP path every store sink shares (Vault, GitHub, 1Password), against real loopback servers,
// through the platform's fetch and through httpFetch: the SDK's retry policy, its capped body reader,
// and no redirect followed with a credential.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_RETRY_SETTINGS, MAX_SINK_RESPONSE_BYTES } from "@timely-keys/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createSink, type DeliveryError, deliverAll } from "../../src/deliver/index.js";
import { httpFetch } from "../../src/http-fetch.js";
import {
  base62,
  expectNoLeak,
  makeContext as baseContext,
  makeSecret,
  recordingSleep,
  rejectionOf,
} from "./helpers.js";

interface Seen {
  method: string;
  path: string;
  at: number;
}

interface Loopback {
  url: string;
  seen: Seen[];
  /** Sockets the server saw closed before it finished answering. */
  aborted: () => number;
}

const servers: Array<ReturnType<typeof createServer>> = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A server on 127.0.0.1 (plain http is allowed on loopback only) answering with `handle`. */
async function loopback(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void): Promise<Loopback> {
  const seen: Seen[] = [];
  let aborted = 0;
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", path: req.url ?? "", at: Date.now() });
    res.on("close", () => {
      if (!res.writableFinished) aborted += 1;
    });
    req.resume();
    req.on("end", () => handle(req, res, seen));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, aborted: () => aborted };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const VAULT_TOKEN = `hvs.${base62(40)}`;
const OP_TOKEN = `op-${base62(40)}`;
const GITHUB_TOKEN = `ghp_${base62(36)}`;

function vaultSink(address: string) {
  return createSink({ type: "vault", address, path: "app" }, "/manifests");
}

/** A Vault KV v2 that reads `version` 1 and accepts every write. */
function answerVault(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === "GET") json(res, 200, { data: { data: {}, metadata: { version: 1 } } });
  else json(res, 200, { data: { version: 2 } });
}

// The same cases through the platform's fetch (the library's default) and through httpFetch (the CLI's).
describe.each([
  ["the platform's fetch", undefined],
  ["httpFetch (node:http)", httpFetch],
])("with %s", (_client, fetch) => {
  const makeContext: typeof baseContext = (overrides = {}) =>
    baseContext({ ...overrides, ...(fetch ? { fetch } : {}) });

  describe("store sinks' HTTP: the SDK's retry policy", () => {
    it("retries a 429 with Retry-After and a 503, waiting what the server asked, then delivers once", async () => {
      const { value, secret } = makeSecret();
      const answers: Array<(res: ServerResponse) => void> = [
        (res) => json(res, 429, { errors: ["rate limit quota exceeded"] }, { "retry-after": "3" }),
        (res) => json(res, 503, { errors: ["Vault is sealed"] }),
      ];
      const vault = await loopback((req, res, seen) => {
        const scripted = req.method === "GET" ? answers[seen.length - 1] : undefined;
        if (scripted) scripted(res);
        else answerVault(req, res);
      });
      const { sleeps, sleep } = recordingSleep();
      const ctx = makeContext({ env: { VAULT_TOKEN } });
      const report = await deliverAll(secret, [vaultSink(vault.url)], ctx, { sleep, random: () => 0.5 });
      expect(report.ok).toBe(true);
      expect(vault.seen.map((s) => s.method)).toEqual(["GET", "GET", "GET", "POST"]);
      // decideRetry: Retry-After (3 s) over the jittered backoff; then 0.5 * min(20 s, 500 ms * 2).
      expect(sleeps).toEqual([3000, 500]);
      expect(report.results[0]?.attempts).toBe(1);
      expect(ctx.logs.join("\n")).toMatch(/read secret\/app.*: HTTP 429; trying again in 3s \(retry 1 of 3\)/);
      expectNoLeak([value, VAULT_TOKEN], report, ctx.logs);
    });

    it("waits with the SDK's sleep by default: after Retry-After: 1 the retry comes a second later", async () => {
      const vault = await loopback((req, res, seen) => {
        if (seen.length === 1) json(res, 503, { errors: ["standby"] }, { "retry-after": "1" });
        else answerVault(req, res);
      });
      // No sleep injected, so the SDK's own.
      const ctx = { ...makeContext({ env: { VAULT_TOKEN } }), sleep: undefined };
      await vaultSink(vault.url).deliver(makeSecret().secret, ctx);
      const [first, second] = vault.seen;
      expect(second && first && second.at - first.at).toBeGreaterThanOrEqual(990);
    });

    it("gives up after the policy's attempts (1 + maxRetries), with a final, masked error", async () => {
      const vault = await loopback((_req, res) => json(res, 503, { errors: ["Vault is sealed"] }));
      const { value, secret } = makeSecret();
      const { sleeps, sleep } = recordingSleep();
      const ctx = makeContext({ env: { VAULT_TOKEN } });
      const report = await deliverAll(secret, [vaultSink(vault.url)], ctx, { sleep });
      expect(vault.seen).toHaveLength(DEFAULT_RETRY_SETTINGS.maxRetries + 1);
      expect(sleeps).toHaveLength(DEFAULT_RETRY_SETTINGS.maxRetries);
      expect(report.ok).toBe(false);
      // The request's retries are spent: the sink is not run again on top of them.
      expect(report.results[0]?.attempts).toBe(1);
      expect(report.error?.retryable).toBe(false);
      expect(report.error?.message).toContain("HTTP 503 (Vault is sealed) - Vault may be sealed or in standby");
      expectNoLeak([value, VAULT_TOKEN], report, report.error, ctx.logs);

      const fewer = await loopback((_req, res) => json(res, 503, { errors: ["Vault is sealed"] }));
      await deliverAll(secret, [vaultSink(fewer.url)], makeContext({ env: { VAULT_TOKEN } }), {
        retry: { maxRetries: 1 },
        sleep,
      });
      expect(fewer.seen).toHaveLength(2);
    });

    it("retries a request that got no answer, and says so when it never gets one", async () => {
      const vault = await loopback((req) => req.socket.destroy());
      const error = (await rejectionOf(
        vaultSink(vault.url).deliver(makeSecret().secret, makeContext({ env: { VAULT_TOKEN } })),
      )) as DeliveryError;
      expect(vault.seen).toHaveLength(DEFAULT_RETRY_SETTINGS.maxRetries + 1);
      expect(error.message).toContain(`read secret/app`);
      expect(error.message).toContain(`no answer from ${vault.url}`);
      expect(error.message).toContain(`after ${DEFAULT_RETRY_SETTINGS.maxRetries + 1} attempts`);
      expect(error.retryable).toBe(false);
    });

    it("does not retry a 4xx that no retry mends", async () => {
      const vault = await loopback((_req, res) => json(res, 403, { errors: ["permission denied"] }));
      const error = (await rejectionOf(
        vaultSink(vault.url).deliver(makeSecret().secret, makeContext({ env: { VAULT_TOKEN } })),
      )) as DeliveryError;
      expect(vault.seen).toHaveLength(1);
      expect(error.message).toContain("HTTP 403");
    });

    it("stops waiting and fails at once when the run is cancelled during a retry's wait", async () => {
      const vault = await loopback((_req, res) => json(res, 503, { errors: ["sealed"] }, { "retry-after": "30" }));
      const controller = new AbortController();
      const ctx = { ...makeContext({ env: { VAULT_TOKEN }, signal: controller.signal }), sleep: undefined };
      const started = Date.now();
      const pending = rejectionOf(vaultSink(vault.url).deliver(makeSecret().secret, ctx));
      setTimeout(() => controller.abort(), 100);
      const error = (await pending) as DeliveryError;
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(vault.seen).toHaveLength(1);
      expect(error.message).toContain("cancelled");
    });
  });

  describe("store sinks' HTTP: the SDK's capped body reader", () => {
    it("refuses an endless answer once it passes the cap, and stops reading it", async () => {
      const chunk = Buffer.alloc(64 * 1024, "a");
      const connect = await loopback((_req, res) => {
        // Chunked, no Content-Length: only the running count can stop it.
        res.writeHead(200, { "content-type": "application/json" });
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) {
            // Write until the socket pushes back.
          }
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
      });
      const sink = createSink({ type: "onePassword", connectUrl: connect.url, vault: "v1", item: "i1" }, "/manifests");
      const error = (await rejectionOf(
        sink.deliver(makeSecret().secret, makeContext({ env: { OP_CONNECT_TOKEN: OP_TOKEN } })),
      )) as DeliveryError;
      expect(error.message).toContain(`larger than ${MAX_SINK_RESPONSE_BYTES} bytes; refusing to read it`);
      expect(error.retryable).toBe(false);
      expect(connect.seen).toHaveLength(1);
      await expect.poll(() => connect.aborted()).toBe(1);
    });

    it("refuses a declared Content-Length over the cap before reading the body", async () => {
      const connect = await loopback((_req, res) => {
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(MAX_SINK_RESPONSE_BYTES + 1),
        });
        res.write("{");
      });
      const sink = createSink({ type: "onePassword", connectUrl: connect.url, vault: "v1", item: "i1" }, "/manifests");
      const error = (await rejectionOf(
        sink.deliver(makeSecret().secret, makeContext({ env: { OP_CONNECT_TOKEN: OP_TOKEN } })),
      )) as DeliveryError;
      expect(error.message).toContain(`larger than ${MAX_SINK_RESPONSE_BYTES} bytes`);
    });
  });

  describe("store sinks' HTTP: redirects", () => {
    it("refuses a 3xx without following it or retrying, so the token never reaches the other origin", async () => {
      const elsewhere = await loopback((_req, res) => json(res, 200, {}));
      const github = await loopback((_req, res) => {
        res.writeHead(307, { location: `${elsewhere.url}/repos/acme/billing/actions/secrets/public-key` });
        res.end();
      });
      const { value, secret } = makeSecret();
      const sink = createSink(
        { type: "githubSecret", repository: "acme/billing", secretName: "KEY", apiUrl: github.url },
        "/manifests",
      );
      const ctx = makeContext({ env: { GITHUB_TOKEN } });
      const report = await deliverAll(secret, [sink], ctx, recordingSleep());
      expect(report.ok).toBe(false);
      expect(github.seen).toHaveLength(1);
      expect(elsewhere.seen).toEqual([]);
      expect(report.error?.message).toContain(`HTTP 307, a redirect to ${elsewhere.url}; redirects are not followed`);
      expect(report.error?.retryable).toBe(false);
      expect(report.error?.maybeDelivered).toBe(false);
      expectNoLeak([value, GITHUB_TOKEN], report, report.error, ctx.logs);
    });
  });
});

// Third-party cross-check: the SDK's end-to-end flow once more, through Stoplight Prism in proxy
// mode in front of the emulator. Prism validates every request and response against the same
// OpenAPI document on its own; any violation it flags (the `sl-violations` header, or a Prism error
// body) fails the test.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { AuthenticationError, TimelyClient } from "@timely-keys/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { ensurePrism } from "../../scripts/prism.mjs";
import { repoRoot } from "../support/cli.js";
import { OWNER_TOKEN, startTestEmulator, testSeed } from "../support/emulator.js";

let emulator: Emulator;
let prism: ChildProcess;
let prismUrl = "";
const violations: string[] = [];

/** Records anything Prism flags, then hands the answer on unchanged. */
const watchingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const flagged = response.headers.get("sl-violations");
  if (flagged) violations.push(`${response.status} ${String((input as Request).url ?? input)}: ${flagged}`);
  if (response.headers.get("content-type")?.includes("application/problem+json")) {
    violations.push(`${response.status} ${String((input as Request).url ?? input)}: ${await response.clone().text()}`);
  }
  return response;
};

beforeAll(async () => {
  const { node24, prismEntry } = ensurePrism() as { node24: string; prismEntry: string };
  const seed = testSeed();
  seed.workspaces![0]!.generated_keys = 150;
  emulator = await startTestEmulator(seed, { rateLimit: 100_000 });
  // A port the system just handed out, tried again if another process takes it first (EADDRINUSE).
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const started = await startPrism(node24, prismEntry, port);
    if (started === "listening") break;
    prism.kill("SIGTERM");
    if (attempt === 3) throw new Error(`Prism did not start: ${started}`);
  }
  prismUrl = `http://127.0.0.1:${port}`;
}, 240_000);

/** Starts Prism in proxy mode on `port`: "listening", or why it stopped (its last output). */
function startPrism(node24: string, prismEntry: string, port: number): Promise<string> {
  prism = spawn(
    node24,
    [
      prismEntry,
      "proxy",
      join(repoRoot, "packages/contract/openapi/timely-api-keys.yaml"),
      emulator.url,
      "--errors",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve(`no answer in 60 s: ${output.slice(-500)}`), 60_000);
    const read = (chunk: string) => {
      output += chunk;
      if (chunk.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve("listening");
      }
    };
    prism.stdout?.setEncoding("utf8").on("data", read);
    prism.stderr?.setEncoding("utf8").on("data", read);
    prism.on("exit", (code) => {
      clearTimeout(timer);
      resolve(`exited with ${code}: ${output.slice(-500)}`);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

afterAll(async () => {
  prism?.kill("SIGTERM");
  await emulator?.close();
});

it("every request and response of the SDK flow passes Prism's validation", async () => {
  const client = new TimelyClient({ apiKey: OWNER_TOKEN, baseUrl: prismUrl, fetch: watchingFetch, maxRetries: 0 });
  expect((await client.health()).status).toBe("ok");
  expect((await client.me()).role).toBe("owner");
  let count = 0;
  for await (const _ of client.apiKeys.list()) count += 1;
  expect(count).toBe(150);
  expect((await client.apiKeys.listPage({ page: 9, perPage: 100 })).data).toEqual([]);
  const { key, secret } = await client.apiKeys.create({
    name: "Prism",
    description: "cross-check",
    scopes: ["read", "agents"],
    expires_in_days: 7,
  });
  const user = new TimelyClient({ apiKey: secret.reveal(), baseUrl: prismUrl, fetch: watchingFetch, maxRetries: 0 });
  expect((await user.me()).key_id).toBe(key.id);
  await user.raw.GET("/v1/agents", { params: { query: { per_page: 5 } } });
  await user.raw.GET("/v1/conversations", {});
  await user.raw.GET("/v1/analytics/summary", {}); // 403: no analytics scope, a documented answer
  await client.apiKeys.get(key.id);
  await client.apiKeys.update(key.id, { description: "renamed through Prism" });
  await client.apiKeys.deactivate(key.id);
  await expect(user.me()).rejects.toBeInstanceOf(AuthenticationError);
  await client.apiKeys.activate(key.id);
  await client.apiKeys.usage(key.id);
  await client.apiKeys.revoke(key.id);
  await expect(client.apiKeys.get(key.id)).rejects.toThrow();
  expect(violations).toEqual([]);
}, 60_000);

it("the check itself catches what Prism flags (a request the contract forbids)", async () => {
  const before = violations.length;
  await watchingFetch(`${prismUrl}/v1/api-keys?per_page=500`, { headers: { "x-api-key": OWNER_TOKEN } });
  expect(violations.length).toBe(before + 1);
  expect(violations.at(-1)).toContain("per_page");
  violations.length = before;
});

// httpFetch (node:http) against the platform's fetch: the same cases, run against both on loopback
// servers, must give the same observable results; then what only httpFetch does (no redirect
// followed, idle connections that never keep a process alive, TLS with the default CAs).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fetchFromEnv } from "../src/clients.js";
import { describeError, UsageError } from "../src/errors.js";
import { httpFetch } from "../src/http-fetch.js";

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const HTTP_FETCH_SOURCE = join(repoRoot, "packages", "provisioner", "src", "http-fetch.ts");

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

const received: Received[] = [];
const sockets = new Set<Socket>();
let connections = 0;
let server: Server;
let base: string;

/** Every route a case asks for. A request is answered once its body is read. */
function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  switch (path) {
    case "/json":
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.writeHead(201, "Made It", { "content-type": "application/json", "x-request-id": "req_1" });
      res.end(JSON.stringify({ hello: "world", n: 1 }));
      return;
    case "/echo":
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ length: body.length, sha256: createHash("sha256").update(body).digest("hex") }));
      return;
    case "/no-content":
      res.writeHead(204, { "x-kind": "none" }).end();
      return;
    case "/not-modified":
      res.writeHead(304, { etag: '"v1"' }).end();
      return;
    case "/empty":
      res.writeHead(200, { "content-length": "0" }).end();
      return;
    case "/large":
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(LARGE);
      return;
    case "/gzip":
      // Compressed although the request did not ask for it: the body still reads as text.
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      res.end(gzipSync("compressed hello"));
      return;
    case "/redirect":
      res.writeHead(307, { location: "/json", "content-type": "text/plain" }).end("moved");
      return;
    case "/hang":
      // Never answers: the client's signal must end it.
      return;
    case "/hang-body":
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.write("first part ");
      return;
    case "/reset":
      req.socket.destroy();
      return;
    case "/reset-body":
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.write("first part ", () => setTimeout(() => req.socket.destroy(), 20));
      return;
    default:
      res.writeHead(404).end("no such route");
  }
}

const LARGE = Buffer.alloc(5 * 1024 * 1024, "abcdefghij");

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      answer(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** What the server received for the last request to `path`. */
function lastTo(path: string): Received {
  const match = received.filter((r) => r.url.startsWith(path)).at(-1);
  if (match === undefined) throw new Error(`no request to ${path}`);
  return match;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(next));
    },
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const clients: Array<[string, typeof globalThis.fetch]> = [
  ["the platform's fetch", (input, init) => globalThis.fetch(input, init)],
  ["httpFetch (node:http)", httpFetch],
];

describe.each(clients)("contract: %s", (_name, doFetch) => {
  it("an answer: status, status text, headers (each Set-Cookie), JSON body, URL", async () => {
    const response = await doFetch(`${base}/json?x=1`);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.statusText).toBe("Made It");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-request-id")).toBe("req_1");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(response.url).toBe(`${base}/json?x=1`);
    expect(response.redirected).toBe(false);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ hello: "world", n: 1 });
  });

  it("a GET sends the method, path and query, the caller's headers, a User-Agent and an Accept", async () => {
    await (await doFetch(`${base}/echo?page=2&limit=100`, { headers: { "x-api-key": "k1", "X-Mixed": "v" } })).text();
    const seen = lastTo("/echo?page=2");
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe("/echo?page=2&limit=100");
    expect(seen.headers).toMatchObject({ "x-api-key": "k1", "x-mixed": "v", "user-agent": "node", accept: "*/*" });
    expect(seen.headers.host).toBe(new URL(base).host);
    expect(seen.headers["content-length"]).toBeUndefined();
    expect(seen.body.length).toBe(0);
  });

  it("a caller's User-Agent and Accept replace the defaults (Headers object)", async () => {
    const headers = new Headers({ "user-agent": "timely-keys/1", accept: "application/json" });
    await (await doFetch(`${base}/echo?ua`, { headers })).text();
    expect(lastTo("/echo?ua").headers).toMatchObject({ "user-agent": "timely-keys/1", accept: "application/json" });
  });

  it.each([
    ["a string", "héllo wörld", "text/plain;charset=UTF-8", Buffer.from("héllo wörld")],
    ["a Uint8Array", new Uint8Array([1, 2, 3, 250]), undefined, Buffer.from([1, 2, 3, 250])],
    ["an ArrayBuffer", new Uint8Array([9, 8, 7]).buffer, undefined, Buffer.from([9, 8, 7])],
    ["a view into a larger buffer", new Uint8Array([0, 5, 6, 0]).subarray(1, 3), undefined, Buffer.from([5, 6])],
    [
      "URLSearchParams",
      new URLSearchParams({ a: "1", b: "x y" }),
      "application/x-www-form-urlencoded;charset=UTF-8",
      Buffer.from("a=1&b=x+y"),
    ],
  ])("a POST body: %s, with its length and default content type", async (_kind, body, contentType, bytes) => {
    const tag = `/echo?body=${encodeURIComponent(_kind)}`;
    await (await doFetch(`${base}${tag}`, { method: "POST", body })).text();
    const seen = lastTo(tag);
    expect(seen.method).toBe("POST");
    expect(seen.body).toEqual(bytes);
    expect(seen.headers["content-length"]).toBe(String(bytes.length));
    expect(seen.headers["content-type"]).toBe(contentType);
  });

  it("PUT and PATCH without a body send Content-Length 0; DELETE sends none", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      await (await doFetch(`${base}/echo?empty-${method}`, { method })).text();
      const seen = lastTo(`/echo?empty-${method}`);
      expect(seen.method).toBe(method);
      expect(seen.headers["content-length"]).toBe(method === "DELETE" ? undefined : "0");
    }
  });

  it("a lowercase standard method is normalised, as the Request constructor does", async () => {
    await (await doFetch(`${base}/echo?lower`, { method: "post", body: "x" })).text();
    expect(lastTo("/echo?lower").method).toBe("POST");
  });

  it("a stream body is sent as it comes, chunked", async () => {
    const response = await doFetch(`${base}/echo?stream`, {
      method: "POST",
      body: streamOf(["one,", "two,", "three"]),
      duplex: "half",
    } as RequestInit);
    expect(await response.json()).toEqual({
      length: 13,
      sha256: createHash("sha256").update("one,two,three").digest("hex"),
    });
    const seen = lastTo("/echo?stream");
    expect(seen.headers["transfer-encoding"]).toBe("chunked");
    expect(seen.headers["content-length"]).toBeUndefined();
  });

  it("a Request as input: its method, headers and body", async () => {
    const stream = streamOf(["one,", "two,", "three"]);
    const request = new Request(`${base}/echo?request`, {
      method: "PUT",
      headers: { "content-type": "text/csv", "x-from": "request" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const response = await doFetch(request);
    expect(await response.json()).toEqual({
      length: 13,
      sha256: createHash("sha256").update("one,two,three").digest("hex"),
    });
    const seen = lastTo("/echo?request");
    expect(seen.method).toBe("PUT");
    expect(seen.headers).toMatchObject({ "content-type": "text/csv", "x-from": "request" });
    expect(seen.body.toString()).toBe("one,two,three");
  });

  it("a large request body arrives whole", async () => {
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const response = await doFetch(`${base}/echo?large`, { method: "POST", body });
    expect(await response.json()).toEqual({
      length: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
    });
  });

  it("a large answer streams in chunks and reads whole", async () => {
    const response = await doFetch(`${base}/large`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let total = 0;
    let reads = 0;
    const hash = createHash("sha256");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      expect(value).toBeInstanceOf(Uint8Array);
      total += value.byteLength;
      reads += 1;
      hash.update(value);
    }
    expect(total).toBe(LARGE.length);
    expect(reads).toBeGreaterThan(1);
    expect(hash.digest("hex")).toBe(createHash("sha256").update(LARGE).digest("hex"));
    const again = await doFetch(`${base}/large`);
    expect(Buffer.from(await again.arrayBuffer()).equals(LARGE)).toBe(true);
  });

  it("204, 304 and HEAD answers have a null body; a 200 with no content an empty one", async () => {
    const noContent = await doFetch(`${base}/no-content`, { method: "DELETE" });
    expect([noContent.status, noContent.body, noContent.headers.get("x-kind")]).toEqual([204, null, "none"]);
    expect(await noContent.text()).toBe("");
    const notModified = await doFetch(`${base}/not-modified`);
    expect([notModified.status, notModified.body, notModified.headers.get("etag")]).toEqual([304, null, '"v1"']);
    const head = await doFetch(`${base}/json`, { method: "HEAD" });
    expect([head.status, head.body, head.headers.get("content-type")]).toEqual([201, null, "application/json"]);
    const empty = await doFetch(`${base}/empty`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
    // The connection is free again after each of them: the next request is answered.
    expect((await doFetch(`${base}/json`)).status).toBe(201);
  });

  it("a compressed answer is decoded", async () => {
    const response = await doFetch(`${base}/gzip`);
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(await response.text()).toBe("compressed hello");
  });

  it("consecutive requests reuse one connection", async () => {
    await (await doFetch(`${base}/json`)).text();
    const before = connections;
    for (let i = 0; i < 3; i++) await (await doFetch(`${base}/json`)).text();
    expect(connections).toBe(before);
  });

  it("redirect: manual answers the 3xx itself, its Location and body, and follows nothing", async () => {
    const count = received.length;
    const response = await doFetch(`${base}/redirect`, { redirect: "manual" });
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/json");
    expect(await response.text()).toBe("moved");
    expect(received.slice(count).map((r) => r.url)).toEqual(["/redirect"]);
  });

  it('redirect: "error" rejects with TypeError("fetch failed") caused by "unexpected redirect"', async () => {
    const error = await rejectionOf(doFetch(`${base}/redirect`, { redirect: "error" }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect(((error as Error).cause as Error).message).toBe("unexpected redirect");
  });

  it("a signal aborted before the request rejects with its reason, sending nothing", async () => {
    const count = received.length;
    const aborted = await rejectionOf(doFetch(`${base}/json`, { signal: AbortSignal.abort() }));
    expect(aborted).toBeInstanceOf(DOMException);
    expect((aborted as DOMException).name).toBe("AbortError");
    const reason = new Error("the caller's own reason");
    const controller = new AbortController();
    controller.abort(reason);
    expect(await rejectionOf(doFetch(`${base}/json`, { signal: controller.signal }))).toBe(reason);
    expect(received.length).toBe(count);
  });

  it("a signal aborted while waiting for the answer rejects with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped while waiting");
    setTimeout(() => controller.abort(reason), 50);
    expect(await rejectionOf(doFetch(`${base}/hang`, { signal: controller.signal }))).toBe(reason);
  });

  it("AbortSignal.timeout rejects with a TimeoutError", async () => {
    const error = await rejectionOf(doFetch(`${base}/hang`, { signal: AbortSignal.timeout(50) }));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("TimeoutError");
    expect(describeError(error)).toBe("timed out: The operation was aborted due to timeout");
  });

  it("a signal aborted while the body arrives fails the body read with its reason", async () => {
    const controller = new AbortController();
    const response = await doFetch(`${base}/hang-body`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first part ");
    const reason = new Error("stopped mid-body");
    controller.abort(reason);
    expect(await rejectionOf(reader.read())).toBe(reason);
  });

  it("a signal aborted before the body is read fails text() with its reason", async () => {
    const controller = new AbortController();
    const response = await doFetch(`${base}/hang-body`, { signal: controller.signal });
    controller.abort();
    const error = await rejectionOf(response.text());
    expect((error as DOMException).name).toBe("AbortError");
  });

  it("a refused connection rejects with TypeError('fetch failed') caused by ECONNREFUSED", async () => {
    const port = await closedPort();
    const error = await rejectionOf(doFetch(`http://127.0.0.1:${port}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED", syscall: "connect", port });
    expect(describeError(error)).toBe(`request failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("an unknown host rejects with TypeError('fetch failed') caused by the lookup's error", async () => {
    const error = await rejectionOf(doFetch("http://no-such-host.invalid/"));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^E(NOTFOUND|AI_AGAIN)$/) });
  });

  it("a header value the HTTP layer will not write (DEL) rejects with TypeError('fetch failed')", async () => {
    const count = received.length;
    const error = await rejectionOf(doFetch(`${base}/echo`, { headers: { "x-odd": "a\x7fb" } }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(received.length).toBe(count);
  });

  it("a connection closed before the answer rejects with TypeError('fetch failed') and a cause", async () => {
    const error = await rejectionOf(doFetch(`${base}/reset`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("a connection closed mid-body fails the body read with TypeError('terminated')", async () => {
    const response = await doFetch(`${base}/reset-body`);
    expect(response.status).toBe(200);
    const error = await rejectionOf(response.text());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("terminated");
    // And the next request gets a fresh connection.
    expect((await doFetch(`${base}/json`)).status).toBe(201);
  });

  it("a cancelled body frees the request; the next one is answered", async () => {
    const response = await doFetch(`${base}/large`);
    await response.body?.cancel();
    expect((await doFetch(`${base}/json`)).status).toBe(201);
  });

  it("refuses what fetch refuses, sending nothing: a GET with a body, a relative URL, credentials", async () => {
    const count = received.length;
    for (const attempt of [
      () => doFetch(`${base}/echo`, { method: "GET", body: "x" }),
      () => doFetch("/relative"),
      () => doFetch(`http://user:pass@${new URL(base).host}/echo`),
    ]) {
      expect(await rejectionOf(attempt())).toBeInstanceOf(TypeError);
    }
    expect(received.length).toBe(count);
  });
});

describe("httpFetch only", () => {
  it('follows no redirect: with the default "follow" a 3xx with a Location is a rejection that says so', async () => {
    const count = received.length;
    const error = await rejectionOf(httpFetch(`${base}/redirect`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect(((error as Error).cause as Error).message).toBe(
      `HTTP 307, a redirect to ${base}: this client does not follow redirects (ask with redirect: "manual")`,
    );
    expect(received.slice(count).map((r) => r.url)).toEqual(["/redirect"]);
  });

  it("hands a URL that is not http(s) to the platform's fetch", async () => {
    const response = await httpFetch("data:text/plain,hello%20data");
    expect(await response.text()).toBe("hello data");
  });

  it("an idle kept-alive connection does not keep the process alive", async () => {
    // The server keeps idle connections for a minute: a child that waited for it would be killed.
    const keeper = createServer((_req, res) => res.end("ok"));
    keeper.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => keeper.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(keeper.address() as AddressInfo).port}/`;
    try {
      const script =
        `const { httpFetch } = await import(${JSON.stringify(HTTP_FETCH_SOURCE)});` +
        `const response = await httpFetch(${JSON.stringify(url)});` +
        "process.stdout.write(await response.text());";
      const child = await runNode(["--import", "tsx", "--input-type=module", "-e", script], {}, 20_000);
      expect(child).toEqual({ code: 0, stdout: "ok", stderr: "", killed: false });
    } finally {
      keeper.closeAllConnections();
      await new Promise((resolve) => keeper.close(resolve));
    }
  });
});

describe("fetchFromEnv: which client the CLI and the Action send with", () => {
  it.each([
    ["nothing set", {}],
    ["NO_PROXY alone", { NO_PROXY: "example.com" }],
    ["an empty proxy variable", { HTTPS_PROXY: "", http_proxy: " " }],
    [
      "TIMELY_KEYS_HTTP_CLIENT=http, over a proxy",
      { TIMELY_KEYS_HTTP_CLIENT: "http", HTTPS_PROXY: "http://proxy:8080" },
    ],
  ])("httpFetch with %s", (_what, env) => {
    expect(fetchFromEnv(env)).toBe(httpFetch);
  });

  it.each([
    ["TIMELY_KEYS_HTTP_CLIENT=fetch", { TIMELY_KEYS_HTTP_CLIENT: " fetch " }],
    ["HTTPS_PROXY", { HTTPS_PROXY: "http://proxy:8080" }],
    ["http_proxy", { http_proxy: "http://proxy:8080" }],
    ["ALL_PROXY", { ALL_PROXY: "socks5://proxy:1080" }],
    ["NODE_USE_ENV_PROXY", { NODE_USE_ENV_PROXY: "1" }],
  ])("the platform's fetch, looked up when called, with %s", async (_what, env) => {
    const chosen = fetchFromEnv(env);
    expect(chosen).not.toBe(httpFetch);
    const answer = new Response("from the platform");
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(answer);
    try {
      expect(await chosen("http://127.0.0.1:9/", { method: "POST" })).toBe(answer);
      expect(spy).toHaveBeenCalledWith("http://127.0.0.1:9/", { method: "POST" });
    } finally {
      spy.mockRestore();
    }
  });

  it("another TIMELY_KEYS_HTTP_CLIENT is a usage error that names both choices", () => {
    expect(() => fetchFromEnv({ TIMELY_KEYS_HTTP_CLIENT: "undici" })).toThrow(UsageError);
    expect(() => fetchFromEnv({ TIMELY_KEYS_HTTP_CLIENT: "undici" })).toThrow(
      'TIMELY_KEYS_HTTP_CLIENT must be "http" (node:http) or "fetch" (the platform\'s fetch), got "undici"',
    );
  });
});

describe("TLS: both clients check certificates against the default CAs (NODE_EXTRA_CA_CERTS included)", () => {
  let dir: string;
  let tls: ReturnType<typeof createTlsServer>;
  let tlsBase: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tk-tls-"));
    // A throwaway self-signed certificate for 127.0.0.1, made for this run.
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1"],
        ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    tls = createTlsServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`secure ${req.method}`);
      },
    );
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    tlsBase = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(clients)("%s refuses a certificate no trusted CA signed", async (_name, doFetch) => {
    const error = await rejectionOf(doFetch(`${tlsBase}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as Error).cause).toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
  });

  it("both accept it when NODE_EXTRA_CA_CERTS names it", async () => {
    const script =
      `const { httpFetch } = await import(${JSON.stringify(HTTP_FETCH_SOURCE)});` +
      `const url = ${JSON.stringify(`${tlsBase}/`)};` +
      `const viaHttp = await (await httpFetch(url, { method: "POST", body: "x" })).text();` +
      "const viaFetch = await (await fetch(url)).text();" +
      "process.stdout.write(viaHttp + ' / ' + viaFetch);";
    const child = await runNode(
      ["--import", "tsx", "--input-type=module", "-e", script],
      { NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
      20_000,
    );
    expect(child).toEqual({ code: 0, stdout: "secure POST / secure GET", stderr: "", killed: false });
  });
});

/** Runs this Node with `args` from the repository root; killed after `timeoutMs`. */
function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

// A fetch on node:http and node:https, for the CLI and the Action. The platform's fetch (undici) parses
// answers with llhttp compiled to WebAssembly; once it has parsed a few, V8 optimises that code on a
// background thread, and Node waits for such work before a process may end: every run that made a
// request lingered after its output (bench/cold-start.ts). node:http parses with Node's native llhttp.
//
// It answers as the platform's fetch does where this project's callers look: a global Response (body a
// web stream, every Set-Cookie kept), a rejection with the signal's reason on abort (before the answer
// or while its body streams), TypeError("fetch failed", { cause }) when no answer came, TypeError
// ("terminated") when the body broke off, the 3xx itself with `redirect: "manual"`. It follows no
// redirect: every caller here asks for "manual" (the SDK, the sinks, probes, notifications) or "error"
// (the Action's GitHub calls); with the default "follow" a redirect is a rejection that says so.
// It sends no Accept-Encoding, so servers answer uncompressed (a compressed answer is still decoded).
import http from "node:http";
import https from "node:https";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";

type FetchInput = string | URL | Request;
type RedirectMode = NonNullable<RequestInit["redirect"]>;

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Shorter than the usual 5 s a server keeps an idle connection (Node's Agent also honours a shorter
// Keep-Alive hint), so that a request is not sent on a connection the server is closing.
const IDLE_SOCKET_MS = 4_000;

// Idle connections are unref'd by Node's Agent: kept for the next request, never keeping a process alive.
let agents: { http: http.Agent; https: https.Agent } | undefined;
function agentFor(protocol: "http:" | "https:"): http.Agent {
  agents ??= {
    http: new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    https: new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };
  return protocol === "https:" ? agents.https : agents.http;
}

interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  /** Bytes known in advance (sent with Content-Length), a stream (sent chunked), or none. */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  signal: AbortSignal | null;
  redirect: RedirectMode;
}

/**
 * `fetch` over node:http/node:https: the same signature, a platform `Response`. URLs other than http(s)
 * go to the platform's fetch.
 */
export async function httpFetch(input: FetchInput, init?: RequestInit): Promise<Response> {
  const href = input instanceof Request ? input.url : String(input);
  if (URL.canParse(href) && !isHttp(new URL(href))) return globalThis.fetch(input, init);
  const outgoing = await normalised(input, init);
  const { signal } = outgoing;
  if (signal?.aborted) throw signal.reason;
  return send(outgoing);
}

/** The request, normalised (and refused where fetch refuses it) by the platform's Request. */
async function normalised(input: FetchInput, init: RequestInit | undefined): Promise<Outgoing> {
  const request = new Request(input, init);
  let body: Outgoing["body"] = null;
  const given = init?.body ?? null;
  if (request.body !== null) {
    const bytes = input instanceof Request ? undefined : knownBytes(given);
    if (bytes !== undefined) body = bytes;
    // A stream is sent as it comes; a Blob, form or Request body is read first, to send its length.
    else if (given instanceof ReadableStream) body = request.body;
    else body = new Uint8Array(await request.arrayBuffer());
  }
  return {
    url: new URL(request.url),
    method: request.method,
    headers: new Headers(request.headers),
    body,
    signal: request.signal,
    redirect: request.redirect,
  };
}

/** The bytes of a text or binary body (copied, as fetch does), null for none, undefined for other kinds. */
function knownBytes(body: unknown): Uint8Array | null | undefined {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return undefined;
}

function isHttp(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

function send(outgoing: Outgoing): Promise<Response> {
  const { url, method, body, signal } = outgoing;
  const protocol = url.protocol as "http:" | "https:";
  const headers: Record<string, string> = {};
  for (const [name, value] of outgoing.headers) headers[name] = value;
  // The platform's fetch sends these two when the caller does not (some APIs refuse a request without
  // a User-Agent).
  headers.accept ??= "*/*";
  headers["user-agent"] ??= "node";
  if (body instanceof Uint8Array) headers["content-length"] ??= String(body.byteLength);
  else if (body !== null && headers["content-length"] === undefined) headers["transfer-encoding"] = "chunked";

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let answer: { body: Readable; fail: (error: unknown) => void } | undefined;
    let request: http.ClientRequest;
    try {
      request = (protocol === "https:" ? https : http).request({
        protocol,
        // URL keeps an IPv6 address in brackets; a socket wants it bare.
        hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        agent: agentFor(protocol),
      });
    } catch (error) {
      // Something node:http refuses to send (a header it will not write): no request was made.
      reject(new TypeError("fetch failed", { cause: error }));
      return;
    }
    const onAbort = () => {
      const reason = signal?.reason;
      request.destroy();
      if (!settled) {
        settled = true;
        reject(reason);
      }
      answer?.fail(reason);
    };
    const stopListening = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });

    request.on("error", (error) => {
      if (settled) return;
      settled = true;
      stopListening();
      reject(new TypeError("fetch failed", { cause: error }));
    });
    request.on("response", (incoming) => {
      if (settled) {
        incoming.destroy();
        return;
      }
      settled = true;
      const status = incoming.statusCode ?? 0;
      const responseHeaders = new Headers();
      const raw = incoming.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] as string, raw[i + 1] as string);
      const location = responseHeaders.get("location");
      if (REDIRECT_STATUSES.has(status) && location !== null && outgoing.redirect !== "manual") {
        stopListening();
        incoming.destroy();
        reject(new TypeError("fetch failed", { cause: redirectRefusal(outgoing.redirect, status, location, url) }));
        return;
      }
      let response: Response;
      try {
        const hasBody = method !== "HEAD" && !NULL_BODY_STATUSES.has(status);
        let webBody: ReadableStream<Uint8Array> | null = null;
        if (hasBody) {
          const decoded = decode(incoming, responseHeaders.get("content-encoding"));
          const stream = bodyStream(decoded, stopListening);
          answer = { body: decoded, fail: stream.fail };
          webBody = stream.readable;
        } else {
          // Read to its end, so the connection goes back to the pool.
          incoming.resume();
          incoming.once("end", stopListening);
        }
        response = new Response(webBody, {
          status,
          statusText: incoming.statusMessage ?? "",
          headers: responseHeaders,
        });
      } catch (error) {
        // A status or reason phrase that no Response can hold (e.g. 600): no usable answer.
        stopListening();
        incoming.destroy();
        reject(new TypeError("fetch failed", { cause: error }));
        return;
      }
      // As on the platform's answer: the URL that was asked (no redirect is ever followed here).
      Object.defineProperty(response, "url", { value: url.href });
      resolve(response);
    });

    if (body === null) request.end();
    else if (body instanceof Uint8Array) request.end(body);
    else void pipeBody(body, request);
  });
}

function redirectRefusal(mode: RedirectMode, status: number, location: string, url: URL): Error {
  if (mode === "error") return new Error("unexpected redirect");
  const target = URL.canParse(location, url.href) ? new URL(location, url).origin : "an unreadable location";
  return new Error(
    `HTTP ${status}, a redirect to ${target}: this client does not follow redirects (ask with redirect: "manual")`,
  );
}

/** Content-Encoding decoded as the platform's fetch does (several codings in reverse order; an unknown one: none). */
function decode(incoming: Readable, contentEncoding: string | null): Readable {
  if (contentEncoding === null) return incoming;
  const codings = contentEncoding
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "");
  const decoders: Readable[] = [];
  for (const coding of codings.reverse()) {
    // Lenient about a stream cut short at its end, as undici is.
    if (coding === "gzip" || coding === "x-gzip") {
      decoders.push(
        zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      );
    } else if (coding === "deflate") {
      decoders.push(
        zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      );
    } else if (coding === "br") {
      decoders.push(
        zlib.createBrotliDecompress({
          flush: zlib.constants.BROTLI_OPERATION_FLUSH,
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        }),
      );
    } else {
      return incoming;
    }
  }
  if (decoders.length === 0) return incoming;
  // Destroys every stream on an error or a cancel, the connection included.
  return pipeline([incoming, ...decoders], () => undefined) as unknown as Readable;
}

/**
 * The answer's body as a web stream that pulls from the node stream (paused while nothing reads it).
 * `fail` ends it with an abort's reason; a connection lost mid-body ends it with TypeError("terminated").
 */
function bodyStream(
  source: Readable,
  done: () => void,
): { readable: ReadableStream<Uint8Array>; fail: (reason: unknown) => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  const finish = (end: () => void) => {
    if (finished) return;
    finished = true;
    done();
    end();
  };
  const fail = (reason: unknown) => {
    finish(() => controller.error(reason));
    source.destroy();
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        source.pause();
        source.on("data", (chunk: Buffer) => {
          if (finished) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.on("end", () => finish(() => controller.close()));
        source.on("error", (error) => finish(() => controller.error(new TypeError("terminated", { cause: error }))));
        source.on("close", () =>
          finish(() => controller.error(new TypeError("terminated", { cause: new Error("the connection closed") }))),
        );
      },
      pull() {
        source.resume();
      },
      cancel() {
        finish(() => undefined);
        source.destroy();
      },
      // Up to 64 KiB waits in the web stream before the node stream pauses.
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return { readable, fail };
}

/** A stream body, written as it is read, waiting for the socket when it is full. */
async function pipeBody(body: ReadableStream<Uint8Array>, request: http.ClientRequest): Promise<void> {
  try {
    for await (const chunk of body) {
      if (request.destroyed) return;
      if (!request.write(chunk)) {
        await new Promise((resolve) => {
          request.once("drain", resolve);
          request.once("close", resolve);
        });
      }
    }
    request.end();
  } catch (error) {
    request.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

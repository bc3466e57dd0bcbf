// The per-attempt timeout over real HTTP (Node's fetch, no msw): the attempt ends on time and the
// connection is closed, through the AbortSignal every attempt passes to fetch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TimelyClient, TimeoutError } from "../src/index.js";
import { API_KEY } from "./helpers.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Served {
  baseUrl: string;
  /** Resolves when the client's connection closes. */
  closed: Promise<void>;
}

let server: Server | undefined;

afterEach(async () => {
  const current = server;
  server = undefined;
  if (current === undefined) return;
  current.closeAllConnections();
  await new Promise((resolve) => current.close(resolve));
});

async function serve(handler: Handler): Promise<Served> {
  let onClose: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  server = createServer(handler);
  server.on("connection", (socket: Socket) => socket.on("close", onClose));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, closed };
}

function client(baseUrl: string, timeoutMs: number): TimelyClient {
  return new TimelyClient({ apiKey: API_KEY, baseUrl, timeoutMs, maxRetries: 0, pacing: false });
}

/** Resolves to "closed" when `closed` settles first, else "still open" after `ms`. */
function within(closed: Promise<void>, ms: number): Promise<string> {
  return Promise.race([
    closed.then(() => "closed"),
    new Promise<string>((resolve) => setTimeout(resolve, ms, "still open").unref()),
  ]);
}

describe("per-attempt timeout over Node's fetch", () => {
  it("fails a server that never answers with TimeoutError and closes the connection", async () => {
    const served = await serve(() => undefined);
    const error = await client(served.baseUrl, 200)
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // undici's own default would keep it open for 300 s.
    expect(await within(served.closed, 10_000)).toBe("closed");
  });

  it("fails an answer whose body stops arriving with TimeoutError and closes the connection", async () => {
    const served = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":');
    });
    const error = await client(served.baseUrl, 200)
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await within(served.closed, 10_000)).toBe("closed");
  });

  it("cancels a request in flight, and closes its connection, when the caller's signal aborts", async () => {
    const served = await serve(() => undefined);
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 100).unref();
    const error = await client(served.baseUrl, 60_000)
      .health({ signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(await within(served.closed, 10_000)).toBe("closed");
  });

  it("hands any fetch a signal that aborts at the attempt's timeout", async () => {
    const signals: AbortSignal[] = [];
    // A fetch that never answers but honours its signal, as a proxy-aware fetch would.
    const fetch = (_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => {
        const signal = init?.signal as AbortSignal;
        signals.push(signal);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    const sdk = new TimelyClient({
      apiKey: API_KEY,
      baseUrl: "https://api.test",
      timeoutMs: 150,
      maxRetries: 0,
      pacing: false,
      fetch,
    });
    const error = await sdk.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });
});

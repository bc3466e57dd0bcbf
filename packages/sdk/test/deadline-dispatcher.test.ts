// The per-attempt timeout over real HTTP (Node's fetch, no msw): the attempt ends on time and
// undici closes the connection, through the program's own global dispatcher.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TimelyClient, TimeoutError } from "../src/index.js";
import { API_KEY } from "./helpers.js";

const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Served {
  baseUrl: string;
  /** Resolves when the client's connection closes. */
  closed: Promise<void>;
}

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
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
    const error = await client(served.baseUrl, 200).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // undici's own default would keep it open for 300 s.
    expect(await within(served.closed, 10_000)).toBe("closed");
  });

  it("fails an answer whose body stops arriving with TimeoutError and closes the connection", async () => {
    const served = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":');
    });
    const error = await client(served.baseUrl, 200).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await within(served.closed, 10_000)).toBe("closed");
  });

  it("sends through the program's global dispatcher, with the timeout as undici's header and body timeouts", async () => {
    const served = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { status: "ok" } }));
    });
    const sdk = client(served.baseUrl, 1_234);
    await sdk.health(); // Node's fetch is loaded and its global dispatcher installed by now.
    const globals = globalThis as unknown as Record<symbol, { dispatch(o: Record<string, unknown>, h: unknown): boolean }>;
    const original = globals[GLOBAL_DISPATCHER];
    expect(original).toBeDefined();
    const seen: Array<Record<string, unknown>> = [];
    globals[GLOBAL_DISPATCHER] = {
      dispatch(options, handler) {
        seen.push(options);
        return original!.dispatch(options, handler);
      },
    };
    try {
      await expect(sdk.health()).resolves.toEqual({ status: "ok" });
    } finally {
      globals[GLOBAL_DISPATCHER] = original!;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "GET", path: "/v1/health", headersTimeout: 1_234, bodyTimeout: 1_234 });
  });
});

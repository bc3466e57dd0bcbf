import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { BODY_READ_ABORTED, bufferResponse, MAX_RESPONSE_BYTES } from "../src/body-reader.js";
import { InvalidResponseError } from "../src/index.js";
import { makeClient } from "./helpers.js";

/** A body that streams `chunks` chunks of `size` bytes, without Content-Length; counts chunks pulled. */
function endlessStream(chunkSize: number, chunks: number) {
  const state = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(chunkSize).fill(32);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      if (state.pulled > chunks) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("bufferResponse", () => {
  it("returns an equivalent Response with the body read", async () => {
    const original = new Response('{"data":1}', {
      status: 201,
      statusText: "Created",
      headers: { "X-Request-Id": "r" },
    });
    const buffered = await bufferResponse(original, 100);
    expect(buffered.status).toBe(201);
    expect(buffered.statusText).toBe("Created");
    expect(buffered.headers.get("x-request-id")).toBe("r");
    expect(await buffered.json()).toEqual({ data: 1 });
  });

  it("joins a body that arrives in several chunks", async () => {
    const { stream } = endlessStream(10, 5);
    const buffered = await bufferResponse(new Response(stream), 100);
    expect((await buffered.arrayBuffer()).byteLength).toBe(50);
  });

  it("behaves like a Response: one read, clone before reading, body as a stream", async () => {
    const make = () =>
      bufferResponse(new Response('{"a":1}', { headers: { "Content-Type": "application/json" } }), 100);
    const first = await make();
    expect(first).toBeInstanceOf(Response);
    expect(first.ok).toBe(true);
    const copy = first.clone();
    expect(first.bodyUsed).toBe(false);
    expect(await first.text()).toBe('{"a":1}');
    expect(first.bodyUsed).toBe(true);
    await expect(first.json()).rejects.toThrow(TypeError);
    expect(() => first.clone()).toThrow(TypeError);
    expect(await copy.json()).toEqual({ a: 1 });

    const streamed = await make();
    const text = await new Response(streamed.body).text();
    expect(text).toBe('{"a":1}');
    expect(streamed.bodyUsed).toBe(true);

    const asBlob = await (await make()).blob();
    expect(asBlob.type).toBe("application/json");
    expect(await asBlob.text()).toBe('{"a":1}');
    expect(new Uint8Array(await (await make()).arrayBuffer())).toEqual(new TextEncoder().encode('{"a":1}'));
  });

  it(
    "cancels a body still arriving after its signal aborted, with an error the transport counts as a " + "timeout",
    async () => {
      const { stream, state } = endlessStream(10, 1_000);
      const error = await bufferResponse(new Response(stream), 1_000_000, AbortSignal.abort()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: BODY_READ_ABORTED });
      expect(state.cancelled).toBe(true);
      expect(state.pulled).toBeLessThan(5);
    },
  );

  it("keeps bodiless statuses bodiless", async () => {
    const buffered = await bufferResponse(new Response(null, { status: 204 }), 100);
    expect(buffered.status).toBe(204);
    expect(buffered.body).toBeNull();
  });

  it("stops reading a streamed body at the cap and cancels it", async () => {
    const { stream, state } = endlessStream(1000, 1_000_000);
    const error = await bufferResponse(new Response(stream), 4500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
    // Five chunks cross the cap; the stream was not drained.
    expect(state.pulled).toBeLessThan(10);
    expect(state.cancelled).toBe(true);
  });
});

describe("oversize answers through the client", () => {
  it("refuses a body whose Content-Length exceeds 8 MiB without reading it", async () => {
    const { stream, state } = endlessStream(64 * 1024, 200);
    const fetch = async () =>
      new Response(stream, {
        headers: { "Content-Type": "application/json", "Content-Length": String(MAX_RESPONSE_BYTES + 1) },
      });
    const { client } = makeClient({ pacing: false, fetch });
    await expect(client.me()).rejects.toMatchObject({ name: "InvalidResponseError", code: "RESPONSE_TOO_LARGE" });
    expect(state.pulled).toBeLessThan(5);
    expect(state.cancelled).toBe(true);
  });

  it("refuses a streamed body that grows past 8 MiB, and does not retry", async () => {
    let calls = 0;
    const states: Array<{ pulled: number; cancelled: boolean }> = [];
    const fetch = async () => {
      calls++;
      const { stream, state } = endlessStream(1024 * 1024, 1000);
      states.push(state);
      return new Response(stream, { headers: { "Content-Type": "application/json" } });
    };
    const { client } = makeClient({ pacing: false, fetch });
    await expect(client.me()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(calls).toBe(1);
    // 8 MiB in 1 MiB chunks: the ninth crosses the cap, and the rest is never pulled.
    expect(states[0]?.pulled).toBeLessThan(12);
    expect(states[0]?.cancelled).toBe(true);
  });
});

describe("oversize answers over real HTTP", () => {
  it("drops the connection of an endless chunked body once past the cap", async () => {
    let bytesWritten = 0;
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const httpServer = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      const chunk = Buffer.alloc(256 * 1024, 32);
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk)) bytesWritten += chunk.length;
        if (!response.destroyed) response.once("drain", pump);
      };
      response.on("close", markClosed);
      pump();
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = httpServer.address() as AddressInfo;
      const { client } = makeClient({ pacing: false, baseUrl: `http://127.0.0.1:${port}` });
      await expect(client.me()).rejects.toMatchObject({ name: "InvalidResponseError", code: "RESPONSE_TOO_LARGE" });
      await closed;
      // The server wrote little more than the cap (plus socket buffers) before the client hung up.
      expect(bytesWritten).toBeLessThan(MAX_RESPONSE_BYTES * 4);
    } finally {
      httpServer.close();
    }
  });
});

// Reads an answer's body into memory with a hard cap, so a broken or hostile server cannot make the
// client buffer without bound, and hands back an equivalent Response whose body is already here
// (a connection dropped mid-body then surfaces inside the attempt, where it can be retried).
// The copy is a plain Response: no subclass of the platform's class, so a Node upgrade cannot break it.

import { InvalidResponseError } from "./errors.js";

/** The `code` of the error a body read throws when its signal aborts (the transport's timeout). */
export const BODY_READ_ABORTED = "TK_BODY_READ_ABORTED";

/** Largest answer body the SDK accepts. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

// Statuses whose answer has no body.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Reads the body of `response` (at most `maxBytes`) and returns an equivalent in-memory Response.
 * A body still arriving when `signal` aborts is cancelled: Node's fetch ends the stream itself, this
 * check covers a fetch that ignores signals.
 */
export async function bufferResponse(response: Response, maxBytes: number, signal?: AbortSignal): Promise<Response> {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    return new Response(null, init);
  }
  const bytes = await readCapped(response, maxBytes, signal);
  return new Response(bytes, init);
}

/**
 * Reads the body of `response` (at most `maxBytes`) as bytes, empty when it has none; the same
 * checks as `bufferResponse`, for a caller that parses the bytes itself and needs no Response.
 */
export function readBodyBytes(response: Response, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return cancelBody(response);
  return readCapped(response, maxBytes, signal);
}

async function cancelBody(response: Response): Promise<Uint8Array> {
  await response.body?.cancel().catch(() => undefined);
  return NO_BYTES;
}

const NO_BYTES = new Uint8Array(0);

async function readCapped(response: Response, maxBytes: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const body = response.body as ReadableStream<Uint8Array>;
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await body.cancel().catch(() => undefined);
    throw tooLarge(response, maxBytes);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (signal?.aborted) {
      await reader.cancel().catch(() => undefined);
      throw Object.assign(new Error("The answer's body was still arriving when the attempt ended"), {
        code: BODY_READ_ABORTED,
      });
    }
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(response, maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(response: Response, maxBytes: number): InvalidResponseError {
  return new InvalidResponseError({
    message: `The answer's body is larger than ${maxBytes} bytes; refusing to read it`,
    status: response.status,
    code: "RESPONSE_TOO_LARGE",
    requestId: response.headers.get("x-request-id") ?? undefined,
  });
}

/** Largest answer body a sink (Vault, GitHub, 1Password, ...) reads: their answers are small JSON. */
export const MAX_SINK_RESPONSE_BYTES = 1024 * 1024;

export interface CappedBody {
  /** The body as UTF-8 text ("" when there is none). */
  text: string;
  bytes: number;
}

/**
 * Reads `response`'s body, at most `maxBytes` (a declared larger Content-Length is refused before
 * reading), for code outside the SDK's own client that talks to other HTTP services (the sinks).
 * Throws InvalidResponseError (`RESPONSE_TOO_LARGE`) beyond the cap.
 */
export async function readCappedBody(response: Response, maxBytes = MAX_SINK_RESPONSE_BYTES): Promise<CappedBody> {
  if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    return { text: "", bytes: 0 };
  }
  const bytes = await readCapped(response, maxBytes, undefined);
  return { text: new TextDecoder().decode(bytes), bytes: bytes.byteLength };
}

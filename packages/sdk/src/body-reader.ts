// Reads an answer's body into memory with a hard cap, so a broken or hostile server cannot make the
// client buffer without bound, and hands back an equivalent Response whose body is already here
// (a connection dropped mid-body then surfaces inside the attempt, where it can be retried).

import { InvalidResponseError } from "./errors.js";

/** The `code` of the error a body read throws when its deadline passes (the transport's timeout). */
export const DEADLINE_PASSED = "TK_DEADLINE_PASSED";

/** Largest answer body the SDK accepts. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

// The DOM typings declare Response's methods as properties, which a subclass may not override with
// methods; the base is therefore typed by what the subclass uses, and instances are cast back.
type ResponseBase = new (body: null, init: ResponseInit) => Pick<Response, "status" | "statusText">;

interface BufferedInit {
  status: number;
  statusText: string;
  /** The answer's own headers, served as they are (a Response would copy them into a new list). */
  headers: Headers;
}

/**
 * A Response whose body bytes are in memory. Building a Response from bytes would wrap them in a
 * new web stream, which costs more than the rest of a loopback request's client-side work; this
 * subclass serves the bytes directly and makes a stream only if someone asks for `body`.
 * The class is made on first use: extending `Response` loads Node's fetch implementation, which a
 * program that imports the SDK but sends nothing (a CLI printing its help) should not pay for.
 */
function defineBufferedResponse() {
  return class BufferedResponse extends (Response as unknown as ResponseBase) {
    readonly #bytes: Uint8Array | null;
    readonly #url: string;
    readonly #headers: Headers;
    #used = false;
    #stream: ReadableStream<Uint8Array> | null | undefined;

    constructor(bytes: Uint8Array | null, init: BufferedInit, url = "") {
      super(null, { status: init.status, statusText: init.statusText });
      this.#bytes = bytes;
      this.#url = url;
      this.#headers = init.headers;
    }

    get url(): string {
      return this.#url;
    }

    get headers(): Headers {
      return this.#headers;
    }

    get body(): ReadableStream<Uint8Array> | null {
      if (this.#stream === undefined) {
        const bytes = this.#bytes;
        this.#stream =
          bytes === null
            ? null
            : new ReadableStream<Uint8Array>({
                pull: (controller) => {
                  this.#used = true;
                  if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
                  controller.close();
                },
              });
      }
      return this.#stream;
    }

    get bodyUsed(): boolean {
      return this.#used;
    }

    #take(): Uint8Array {
      if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
      this.#used = true;
      return this.#bytes ?? EMPTY;
    }

    async arrayBuffer(): Promise<ArrayBuffer> {
      const bytes = this.#take();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }

    async bytes(): Promise<Uint8Array> {
      return this.#take().slice();
    }

    async text(): Promise<string> {
      return utf8.decode(this.#take());
    }

    async json(): Promise<unknown> {
      return JSON.parse(await this.text()) as unknown;
    }

    async blob(): Promise<Blob> {
      return new Blob([this.#take().slice()], { type: this.#headers.get("content-type") ?? "" });
    }

    clone(): Response {
      if (this.#used) throw new TypeError("Response.clone: Body has already been consumed.");
      const init = { status: this.status, statusText: this.statusText, headers: new Headers(this.#headers) };
      return buffered(this.#bytes, init, this.#url);
    }
  };
}

let BufferedResponse: ReturnType<typeof defineBufferedResponse> | undefined;

function buffered(bytes: Uint8Array | null, init: BufferedInit, url: string): Response {
  BufferedResponse ??= defineBufferedResponse();
  return new BufferedResponse(bytes, init, url) as unknown as Response;
}

// Statuses whose answer has no body.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Reads the body of `response` (at most `maxBytes`) and returns an equivalent in-memory Response.
 * With a `deadline` (a `performance.now()` time), a body still arriving after it is cancelled.
 */
export async function bufferResponse(response: Response, maxBytes: number, deadline = Infinity): Promise<Response> {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    return buffered(null, init, response.url);
  }
  return buffered(await readCapped(response, maxBytes, deadline), init, response.url);
}

async function readCapped(response: Response, maxBytes: number, deadline: number): Promise<Uint8Array> {
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
    if (performance.now() > deadline) {
      await reader.cancel().catch(() => undefined);
      throw Object.assign(new Error("The answer's body was still arriving at the attempt's deadline"), { code: DEADLINE_PASSED });
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
  const bytes = await readCapped(response, maxBytes, Infinity);
  return { text: utf8.decode(bytes), bytes: bytes.byteLength };
}

// Runs one typed openapi-fetch call and turns what came back into either an answer or a typed
// error. Shared by the resources (api-keys.ts) and the client's own operations.

import { errorClassFor, InvalidResponseError, type TimelyError } from "./errors.js";
import { readErrorBody } from "./envelope.js";
import type { Redactor } from "./redact.js";
import type { Delivery, Transport } from "./transport.js";

/** What an openapi-fetch call resolves to, reduced to what the SDK reads. */
export interface RawResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

export interface Answer {
  /** Parsed body: `data` for a 2xx, `error` otherwise (openapi-fetch's naming). */
  body: unknown;
  response: Response;
  delivery: Delivery | undefined;
}

/** The openapi-fetch options of a typed call (see `Caller.options`). */
export type TypedCallOptions = {
  signal: AbortSignal | undefined;
  parseAs?: "stream";
  fetch?: (request: Request) => Promise<Response>;
};

export class Caller {
  readonly #transport: Transport;
  readonly #redactor: Redactor;
  readonly #middlewareRegistered: () => boolean;

  /** `middlewareRegistered` tells whether middleware on the openapi-fetch client may see answers. */
  constructor(transport: Transport, redactor: Redactor, middlewareRegistered: () => boolean) {
    this.#transport = transport;
    this.#redactor = redactor;
    this.#middlewareRegistered = middlewareRegistered;
  }

  /**
   * What a typed call passes to openapi-fetch. Unless middleware could look at the answer, a 2xx
   * body is read into bytes by the transport and parsed here (openapi-fetch's `parseAs: "stream"`
   * leaves it alone), instead of a new Response around the bytes that openapi-fetch reads again.
   */
  options(signal: AbortSignal | undefined): TypedCallOptions {
    if (this.#middlewareRegistered()) return { signal };
    const transport = this.#transport;
    const fetch = signal === undefined ? transport.fetchKeepingBytesUnsignalled : transport.fetchKeepingBytes;
    return { signal, parseAs: "stream", fetch };
  }

  /** Runs the call; any HTTP status is an answer. Failures without an answer throw typed errors. */
  async send(call: () => Promise<RawResult>): Promise<Answer> {
    let result: RawResult;
    try {
      result = this.#withBody(await call());
    } catch (error) {
      throw translateThrown(error);
    }
    const { response } = result;
    const body = response.ok ? result.data : result.error;
    return { body, response, delivery: this.#transport.deliveryOf(response) };
  }

  /** Runs the call and throws a typed error unless the status is 2xx. */
  async ok(call: () => Promise<RawResult>): Promise<Answer> {
    let result: RawResult;
    try {
      result = this.#withBody(await call());
    } catch (error) {
      throw translateThrown(error);
    }
    const { response } = result;
    if (response.ok) return { body: result.data, response, delivery: undefined };
    throw this.errorFor({ body: result.error, response, delivery: this.#transport.deliveryOf(response) });
  }

  /** The result with a body that the transport kept as bytes parsed, as openapi-fetch would have. */
  #withBody(result: RawResult): RawResult {
    const bytes = this.#transport.takeBodyBytes(result.response);
    if (bytes === undefined) return result;
    return { data: parseJson(bytes), response: result.response };
  }

  /** The typed error for an error answer; the server's message is redacted. */
  errorFor(answer: Answer): TimelyError {
    const { response, delivery } = answer;
    const error = readErrorBody(answer.body);
    const ErrorClass = errorClassFor(response.status, error.code);
    const wait = delivery?.serverWaitMs;
    const message = error.message ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    return new ErrorClass({
      message: this.#redactor.redact(message),
      status: response.status,
      code: error.code,
      requestId: response.headers.get("x-request-id") ?? error.requestId,
      retryAfter: wait === undefined ? undefined : Math.ceil(wait / 1000),
      field: error.field,
    });
  }
}

const utf8 = new TextDecoder();

// As openapi-fetch parses a 2xx body: no body is `undefined`, anything else must be JSON (a
// SyntaxError becomes the SDK's error in the caller's catch, as openapi-fetch's own would).
function parseJson(bytes: Uint8Array): unknown {
  return bytes.byteLength === 0 ? undefined : JSON.parse(utf8.decode(bytes));
}

function translateThrown(error: unknown): unknown {
  // openapi-fetch parses 2xx bodies itself and lets JSON.parse's SyntaxError through. Its message
  // quotes the body, which may hold a secret: it is not kept, not even as a cause.
  if (error instanceof SyntaxError) {
    return new InvalidResponseError({ message: "The answer is not valid JSON", code: "INVALID_RESPONSE" });
  }
  return error;
}

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

export class Caller {
  readonly #transport: Transport;
  readonly #redactor: Redactor;

  constructor(transport: Transport, redactor: Redactor) {
    this.#transport = transport;
    this.#redactor = redactor;
  }

  /** Runs the call; any HTTP status is an answer. Failures without an answer throw typed errors. */
  async send(call: () => Promise<RawResult>): Promise<Answer> {
    const result = await run(call);
    const { response } = result;
    const body = response.ok ? result.data : result.error;
    return { body, response, delivery: this.#transport.deliveryOf(response) };
  }

  /** Runs the call and throws a typed error unless the status is 2xx. */
  async ok(call: () => Promise<RawResult>): Promise<Answer> {
    const result = await run(call);
    const { response } = result;
    if (response.ok) return { body: result.data, response, delivery: undefined };
    throw this.errorFor({ body: result.error, response, delivery: this.#transport.deliveryOf(response) });
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

/** The call's result; a throw (no answer at all) is turned into the SDK's error for it. */
function run(call: () => Promise<RawResult>): Promise<RawResult> {
  return call().catch((error: unknown) => {
    throw translateThrown(error);
  });
}

function translateThrown(error: unknown): unknown {
  // openapi-fetch parses 2xx bodies itself and lets JSON.parse's SyntaxError through. Its message
  // quotes the body, which may hold a secret: it is not kept, not even as a cause.
  if (error instanceof SyntaxError) {
    return new InvalidResponseError({ message: "The answer is not valid JSON", code: "INVALID_RESPONSE" });
  }
  return error;
}

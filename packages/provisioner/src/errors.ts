// The provisioner's one error model, and the one way to say any thrown value in one line.
//
// Usage, manifest, step and delivery errors are written for the person running the tool: they say
// what went wrong and what to fix, and never hold a secret or a token. The SDK keeps its own error
// classes (TimelyError and its status-to-error map); describeError words them, Node's system errors,
// aborts, timeouts and anything else that can be thrown, for the CLI's `error:` line, the Action's
// failure, apply's per-action messages and a sink's reason alike.
import { type Redactor, sanitize, TimelyError } from "@timely-keys/sdk";
import type { SinkType } from "./deliver/config.js";
import type { Diagnostic } from "./diagnostics.js";

/** Bad input or a refused operation: the message says what to fix. */
export class UserError extends Error {
  override readonly name: string = "UserError";
}

/** A bad flag, action input or environment variable: the message names it and what it accepts. */
export class UsageError extends UserError {
  override readonly name: string = "UsageError";
  /** Where to read how it is used; the CLI prints it on a line of its own after the error. */
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string } = {}) {
    super(message);
    this.hint = options.hint;
  }
}

/**
 * The manifest could not be loaded or has error findings. The findings themselves are shown where
 * the manifest is named (the CLI's stderr lines, the Action's annotations); this is the verdict.
 */
export class ManifestError extends UserError {
  override readonly name: string = "ManifestError";
  readonly manifest: string;
  readonly diagnostics: readonly Diagnostic[];

  constructor(manifest: string, diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super(
      `${manifest}: ${errors} error${errors === 1 ? "" : "s"} in the manifest (see the findings above); ` +
        "nothing was read or changed",
    );
    this.manifest = manifest;
    this.diagnostics = diagnostics;
  }
}

/** A workspace's management token is missing, rejected or lacks the role; names the env var only. */
export class ManagementTokenError extends UserError {
  override readonly name: string = "ManagementTokenError";
  constructor(
    readonly workspace: string,
    readonly tokenEnv: string,
    message: string,
  ) {
    super(message);
  }
}

/** A step of apply failed; `newKeyId` is the key it had made by then, when there is one. */
export class StepError extends Error {
  override readonly name = "StepError";
  constructor(
    message: string,
    readonly newKeyId?: string,
  ) {
    super(message);
  }
}

export interface DeliveryErrorInit {
  sinkType: SinkType;
  destination: string;
  entryId: string;
  keyId: string;
  keyName: string;
  /** Why it failed, already masked. */
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
  maybeDelivered?: boolean;
}

/**
 * A sink did not take the secret. The message names the sink and the key; it never holds the
 * secret or a token (every reason passes through the sink's redactor first). No `cause` is kept:
 * a library's error could carry a request body, and `util.inspect` prints causes.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly sinkType: SinkType;
  readonly destination: string;
  readonly entryId: string;
  readonly keyId: string;
  /** The masked reason alone, without the sink and key prefix. */
  readonly reason: string;
  /**
   * Running the sink again may succeed (a program's exit, a write race, a store not caught up):
   * deliverAll retries these. A store's 429/5xx or lost answer was already retried by the request.
   */
  readonly retryable: boolean;
  /** The service asked to wait this long before trying again (Retry-After). */
  readonly retryAfterMs: number | undefined;
  /**
   * The write may have reached the destination although it failed (no answer, a 5xx after the
   * request was sent, a program that read its input and then failed). A caller deciding whether
   * any consumer could hold the secret must count such a sink as having received it.
   */
  readonly maybeDelivered: boolean;

  constructor(init: DeliveryErrorInit) {
    super(
      `${init.sinkType} sink ${init.destination} did not receive key ${init.keyName} (${init.keyId}) ` +
        `of entry ${init.entryId}: ${init.reason}`,
    );
    this.sinkType = init.sinkType;
    this.destination = init.destination;
    this.entryId = init.entryId;
    this.keyId = init.keyId;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.maybeDelivered = init.maybeDelivered ?? false;
  }
}

export interface DescribeErrorOptions {
  /** Values this caller knows beyond the run-wide registry (a sink's own redactor), masked too. */
  redactor?: Redactor;
}

/**
 * Any thrown value as one line for a person: redacted (registered secrets and every token shape)
 * and inert (no escape sequence, no newline, never the start of a workflow command). Never a stack.
 */
export function describeError(error: unknown, options: DescribeErrorOptions = {}): string {
  let text: string;
  try {
    text = words(error, 0);
  } catch {
    // A getter that throws, a Proxy: the value cannot even be looked at.
    text = "unknown error (the thrown value could not be read)";
  }
  return sanitize(options.redactor ? options.redactor.redact(text) : text);
}

/** Causes followed at most this deep: a cycle or a long chain must not make one line long. */
const MAX_CAUSE_DEPTH = 3;

function words(error: unknown, depth: number): string {
  // Our own errors were written for this line: as they are.
  if (error instanceof UserError || error instanceof StepError || error instanceof DeliveryError) return error.message;
  if (error instanceof TimelyError) return timelyWords(error);
  if (error instanceof Error || isDomException(error)) return errorWords(error as Error, depth);
  if (typeof error === "string") return error === "" ? "unknown error (an empty string was thrown)" : error;
  if (typeof error === "object" && error !== null) {
    const message = (error as { message?: unknown }).message;
    return typeof message === "string" && message !== "" ? message : "unknown error (an object was thrown)";
  }
  return `unknown error (${String(error)} was thrown)`;
}

/** The SDK's errors are already free of credentials: an answer says so, a client-side failure says what to check. */
function timelyWords(error: TimelyError): string {
  if (error.status) {
    const where = `${error.status} ${error.code ?? ""}`.trim();
    return `the API answered ${where}: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ""}`;
  }
  switch (error.code) {
    case "INVALID_OPTION":
      return (
        `invalid API setting: ${error.message} ` +
        "(check TIMELY_API_URL, the workspace's apiUrl and TIMELY_API_TIMEOUT)"
      );
    case "CONNECTION_ERROR":
      return `could not reach the API: ${error.message}. Check the API URL (TIMELY_API_URL or apiUrl) and the network.`;
    case "TIMEOUT":
      return (
        `the API did not answer in time: ${error.message}. ` +
        "TIMELY_API_TIMEOUT sets the seconds one attempt may take."
      );
    case "VALIDATION_ERROR":
      return `refused before sending (the SDK's check): ${error.message}`;
    default:
      return `no usable answer from the API (${error.code ?? error.name}): ${error.message}`;
  }
}

function errorWords(error: Error, depth: number): string {
  const message = typeof error.message === "string" ? error.message : "";
  // An AbortSignal's own reasons: the caller cancelled, or AbortSignal.timeout fired.
  if (error.name === "AbortError") return `cancelled: ${message || "the operation was aborted"}`;
  if (error.name === "TimeoutError") return `timed out: ${message || "the operation took too long"}`;
  // Node's system errors name their code, call and path or address: "ENOENT: no such file or
  // directory, open 'x'", "connect ECONNREFUSED 127.0.0.1:9". The class name adds nothing.
  if (isSystemError(error)) return withCause(message, error, depth);
  // fetch's own failure is a TypeError whose cause holds what happened; not a bug in the program.
  if (error.name === "TypeError" && message === "fetch failed") return withCause("request failed", error, depth);
  // Other errors keep their class name: it is what tells a bug (TypeError) from a library's error.
  const text = error.name && error.name !== "Error" ? `${error.name}: ${message}` : message;
  return withCause(text || `unknown error (${error.name || "Error"} with no message)`, error, depth);
}

function withCause(text: string, error: Error, depth: number): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause === undefined || cause === null || depth >= MAX_CAUSE_DEPTH) return text;
  const said = words(cause, depth + 1);
  return text.includes(said) ? text : `${text}: ${said}`;
}

function isSystemError(error: Error): boolean {
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return typeof code === "string" && /^E[A-Z0-9_]+$/.test(code) && typeof syscall === "string";
}

/** DOMException (AbortError, TimeoutError) is an Error subclass on Node 20+; be sure on any realm. */
function isDomException(value: unknown): boolean {
  return typeof DOMException !== "undefined" && value instanceof DOMException;
}

// Typed errors thrown by the SDK. Every field is safe to print: each text field is redacted as the
// error is made (registered secrets and every secret shape, see redact.ts), whatever input it
// quotes, and no error carries request headers.
import { redact } from "./redact.js";

export interface TimelyErrorInit {
  message: string;
  status?: number | undefined;
  code?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  field?: string | undefined;
  cause?: unknown;
}

/** Base class of every error the SDK throws (except a caller's own abort reason). */
export class TimelyError extends Error {
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The API's error code (`NOT_FOUND`, ...) or a client-side code (`CONNECTION_ERROR`, ...). */
  readonly code: string | undefined;
  /** `X-Request-Id` header, or `error.request_id` of the body. */
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait before trying again. */
  readonly retryAfter: number | undefined;
  /** For validation errors: the offending field. */
  readonly field: string | undefined;

  constructor(init: TimelyErrorInit) {
    super(redact(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = redactOptional(init.code);
    this.requestId = redactOptional(init.requestId);
    this.retryAfter = init.retryAfter;
    this.field = redactOptional(init.field);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      retryAfter: this.retryAfter,
      field: this.field,
    };
  }
}

/** 401 `UNAUTHORIZED`: missing, invalid, deactivated, revoked or expired credential. */
export class AuthenticationError extends TimelyError {}
/** 403 `FORBIDDEN`: valid credential without the scope or role needed. */
export class PermissionError extends TimelyError {}
/** 404 `NOT_FOUND`: absent, revoked, or in another workspace. */
export class NotFoundError extends TimelyError {}
/** 409 `CONFLICT`: already exists, or an Idempotency-Key reused with another body. */
export class ConflictError extends TimelyError {}
/** 400 `VALIDATION_ERROR`, also thrown before sending when the SDK can tell a request is invalid. */
export class ValidationError extends TimelyError {}
/** 429 `RATE_LIMIT_EXCEEDED`, after the retries were used up. */
export class RateLimitError extends TimelyError {}
/** 5xx, after the retries were used up. */
export class ServerError extends TimelyError {}
/** The connection failed or dropped before a complete answer arrived. */
export class ConnectionError extends TimelyError {}
/** An attempt took longer than `timeoutMs` (after the retries were used up). */
export class TimeoutError extends TimelyError {}
/** The answer was not valid JSON, not the expected envelope, or too large. */
export class InvalidResponseError extends TimelyError {}
/**
 * The server answered with a redirect (3xx). The SDK never follows one: the request carries the
 * key, and a redirect could send it to another origin or over plain http.
 */
export class RedirectError extends TimelyError {
  /** Where the server pointed (origin only, so no query string reaches a log). */
  readonly location: string | undefined;

  constructor(init: TimelyErrorInit & { location?: string | undefined }) {
    super(init);
    this.location = init.location === undefined ? undefined : redact(init.location);
  }
}

function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redact(text);
}

type ErrorClass = new (init: TimelyErrorInit) => TimelyError;

const classByStatus: Readonly<Record<number, ErrorClass>> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

const classByCode: Readonly<Record<string, ErrorClass>> = {
  VALIDATION_ERROR: ValidationError,
  UNAUTHORIZED: AuthenticationError,
  FORBIDDEN: PermissionError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  RATE_LIMIT_EXCEEDED: RateLimitError,
};

/** The error class for an HTTP status, falling back on the body's error code for odd statuses. */
export function errorClassFor(status: number, code: string | undefined): ErrorClass {
  if (status >= 500) return ServerError;
  return classByStatus[status] ?? (code === undefined ? undefined : classByCode[code]) ?? TimelyError;
}

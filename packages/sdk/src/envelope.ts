// Checks of the API's envelopes: `{"data": ...}`, `{"data": [...], "meta": {...}}` and
// `{"error": {...}}`. Only the envelope is checked, not every field: the shapes inside are the
// contract's, and a field the API adds must not break a client.

import { InvalidResponseError } from "./errors.js";
import type { PageMeta } from "@timely-keys/contract";

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

/** The fields of an `{"error": {...}}` body that the SDK uses; all absent when the body is not one. */
export interface ErrorBody {
  code: string | undefined;
  message: string | undefined;
  field: string | undefined;
  requestId: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(response: Response, what: string): InvalidResponseError {
  return new InvalidResponseError({
    message: `Unexpected answer (HTTP ${response.status}): ${what}`,
    status: response.status,
    code: "INVALID_RESPONSE",
    requestId: response.headers.get("x-request-id") ?? undefined,
  });
}

/** The `data` of a `{"data": ...}` body whose `data` is an object. */
export function expectData<T>(body: unknown, response: Response): T {
  if (!isRecord(body)) throw invalid(response, "the body is not a JSON object");
  if (!isRecord(body.data)) throw invalid(response, "the body has no `data` object");
  return body.data as T;
}

/** A list page: `data` an array, `meta` the pagination counters. */
export function expectPage<T>(body: unknown, response: Response): Page<T> {
  if (!isRecord(body)) throw invalid(response, "the body is not a JSON object");
  if (!Array.isArray(body.data)) throw invalid(response, "the body has no `data` array");
  const meta = body.meta;
  if (!isRecord(meta) || !Number.isInteger(meta.total_pages) || !Number.isInteger(meta.page)) {
    throw invalid(response, "the list has no valid `meta`");
  }
  return { data: body.data as T[], meta: meta as unknown as PageMeta };
}

/** Reads an error envelope, tolerating anything else (a proxy's HTML page, plain text). */
export function readErrorBody(body: unknown): ErrorBody {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  return {
    code: text(error.code),
    message: text(error.message),
    field: text(error.field),
    requestId: text(error.request_id),
  };
}

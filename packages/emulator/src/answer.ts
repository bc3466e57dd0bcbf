import type { ErrorCode } from "./contract-types.js";

/** What a handler returns: the status, the JSON body (absent for 204), extra headers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (data: unknown, status = 200): Answer => ({ status, body: { data } });

export function errorBody(
  status: number,
  code: ErrorCode,
  message: string,
  requestId: string,
  field?: string,
): unknown {
  return { error: { code, message, status, ...(field ? { field } : {}), request_id: requestId } };
}

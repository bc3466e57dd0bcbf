import type { ErrorCode } from "./contract-types.js";

/** An error answered with the contract's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const validationError = (field: string, message: string): ApiError =>
  new ApiError(400, "VALIDATION_ERROR", message.startsWith(field) ? message : `${field}: ${message}`, field);
export const unauthorized = (message: string): ApiError => new ApiError(401, "UNAUTHORIZED", message);
export const forbidden = (message: string): ApiError => new ApiError(403, "FORBIDDEN", message);
export const notFound = (message: string, field?: string): ApiError => new ApiError(404, "NOT_FOUND", message, field);
export const conflict = (message: string): ApiError => new ApiError(409, "CONFLICT", message);

import { keyStatusValues, limits, scopeValues, type KeyStatus, type Scope } from "./contract-types.js";
import { notFound, validationError } from "./errors.js";
import { uuidPattern } from "./ids.js";

export interface Pagination {
  page: number;
  perPage: number;
}

export function parsePagination(query: URLSearchParams): Pagination {
  return {
    page: integerParam(query, "page", 1, 1, Number.MAX_SAFE_INTEGER),
    perPage: integerParam(query, "per_page", limits.perPageDefault, 1, limits.perPageMax),
  };
}

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw validationError(name, `${name} must be an integer`);
  const value = Number(raw);
  if (value < min) throw validationError(name, `${name} must be at least ${min}`);
  if (value > max) throw validationError(name, `${name} must be at most ${max}`);
  return value;
}

export function parseStatusFilter(query: URLSearchParams): KeyStatus | undefined {
  const raw = query.get("status");
  if (raw === null) return undefined;
  if (!keyStatusValues.includes(raw as KeyStatus)) {
    throw validationError("status", `status must be one of ${keyStatusValues.join(", ")}`);
  }
  return raw as KeyStatus;
}

/** A key id that is not a UUID names no key: NOT_FOUND (the contract has no 400 for these routes). */
export function parseKeyId(raw: string | undefined): string {
  if (!raw || !uuidPattern.test(raw)) throw notFound("key_id must be a UUID; no such API key", "key_id");
  return raw.toLowerCase();
}

export interface CreateKeyInput {
  name: string;
  description: string;
  scopes: Scope[];
  expiresInDays: number | null;
}

const createFields = ["name", "description", "scopes", "expires_in_days"];
const immutableFields = new Set(["scopes", "expires_in_days", "expires_at"]);

export function parseCreateBody(body: unknown): CreateKeyInput {
  const obj = requireObject(body);
  for (const field of Object.keys(obj)) {
    if (!createFields.includes(field))
      throw validationError(field, `unknown field ${field} (allowed: ${createFields.join(", ")})`);
  }
  if (obj.name === undefined) throw validationError("name", "name is required");
  return {
    name: parseName(obj.name),
    description: obj.description === undefined ? "" : parseDescription(obj.description),
    scopes: parseScopes(obj.scopes),
    expiresInDays: parseExpiresInDays(obj.expires_in_days),
  };
}

export interface UpdateKeyInput {
  name?: string;
  description?: string;
}

export function parseUpdateBody(body: unknown): UpdateKeyInput {
  const obj = requireObject(body);
  for (const field of Object.keys(obj)) {
    if (immutableFields.has(field)) {
      throw validationError(field, `${field} cannot be changed after creation; create a new key instead`);
    }
    if (field !== "name" && field !== "description") {
      throw validationError(field, `unknown field ${field} (only name and description can be edited)`);
    }
  }
  if (obj.name === undefined && obj.description === undefined) {
    throw validationError("body", "body must contain name or description");
  }
  const input: UpdateKeyInput = {};
  if (obj.name !== undefined) input.name = parseName(obj.name);
  if (obj.description !== undefined) input.description = parseDescription(obj.description);
  return input;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (body === undefined) throw validationError("body", "body is required (a JSON object)");
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw validationError("body", "body must be a JSON object");
  return body as Record<string, unknown>;
}

function parseName(value: unknown): string {
  if (typeof value !== "string") throw validationError("name", "name must be a string");
  if (value.length === 0 || !/\S/.test(value)) throw validationError("name", "name must not be blank");
  if (value.length > limits.nameMaxLength)
    throw validationError("name", `name must be at most ${limits.nameMaxLength} characters`);
  return value;
}

function parseDescription(value: unknown): string {
  if (typeof value !== "string") throw validationError("description", "description must be a string");
  if (value.length > limits.descriptionMaxLength) {
    throw validationError("description", `description must be at most ${limits.descriptionMaxLength} characters`);
  }
  return value;
}

function parseScopes(value: unknown): Scope[] {
  if (value === undefined) throw validationError("scopes", "scopes is required");
  if (!Array.isArray(value)) throw validationError("scopes", "scopes must be an array");
  if (value.length === 0) throw validationError("scopes", "scopes must contain at least one scope");
  const seen = new Set<Scope>();
  for (const [index, scope] of value.entries()) {
    // The offending value is not echoed: it could be anything, a pasted secret included.
    if (!scopeValues.includes(scope as Scope)) {
      throw validationError("scopes", `scopes[${index}] must be one of ${scopeValues.join(", ")}`);
    }
    if (seen.has(scope as Scope)) throw validationError("scopes", `scopes must not repeat ${String(scope)}`);
    seen.add(scope as Scope);
  }
  return [...seen];
}

function parseExpiresInDays(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw validationError("expires_in_days", "expires_in_days must be an integer number of days, or null");
  }
  if (value < limits.expiresInDaysMin || value > limits.expiresInDaysMax) {
    throw validationError(
      "expires_in_days",
      `expires_in_days must be between ${limits.expiresInDaysMin} and ${limits.expiresInDaysMax}`,
    );
  }
  return value;
}

export function parseIdempotencyKey(raw: string | string[] | undefined, strict: boolean): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === "") return undefined;
  if (strict && value.length > limits.idempotencyKeyMaxLength) {
    throw validationError(
      "Idempotency-Key",
      `Idempotency-Key must be at most ${limits.idempotencyKeyMaxLength} characters`,
    );
  }
  return value;
}

// `client.apiKeys`: the key-management operations of the contract, with typed inputs and results.

import type { Client } from "openapi-fetch";
import type { Caller } from "./caller.js";
import { expectData, expectPage, type Page } from "./envelope.js";
import { InvalidResponseError, ValidationError } from "./errors.js";
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, KeyStatus, KeyUsage, paths } from "@timely-keys/contract";
import { PageIterator } from "./pagination.js";
import { Secret } from "./secret.js";

/** Options every operation takes. */
export interface RequestOptions {
  /** Aborts the call (pacing, attempts and backoff alike); it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of operations that send an `Idempotency-Key` and may therefore be retried. */
export interface IdempotentRequestOptions extends RequestOptions {
  /** Reused across retries; one is generated when absent. */
  idempotencyKey?: string;
}

export interface ListApiKeysOptions extends RequestOptions {
  status?: KeyStatus;
  /** Keys per page, 1 to 100 (default 100). */
  perPage?: number;
}

export interface ListApiKeysPageOptions extends ListApiKeysOptions {
  /** Page number, from 1 (default 1). */
  page?: number;
}

/** What `update()` may change. Scopes and expiry are immutable: changing them means a new key. */
export interface ApiKeyChanges {
  name?: string;
  description?: string;
}

export interface CreatedKey {
  /** The key as stored; it never carries the secret. */
  key: ApiKey;
  /** The full secret, shown this once; it prints masked. */
  secret: Secret;
  /** True when the server replayed an earlier answer for the same Idempotency-Key. */
  replayed: boolean;
}

const DEFAULT_PER_PAGE = 100;
const EDITABLE_FIELDS: ReadonlySet<string> = new Set(["name", "description"]);

export class ApiKeys {
  readonly #raw: Client<paths>;
  readonly #caller: Caller;

  constructor(raw: Client<paths>, caller: Caller) {
    this.#raw = raw;
    this.#caller = caller;
  }

  /** Every key, across all pages: `for await (const key of client.apiKeys.list())`, or `.pages()`. */
  list(options: ListApiKeysOptions = {}): PageIterator<ApiKey> {
    const perPage = checkPerPage(options.perPage);
    return new PageIterator((page) => this.#fetchPage(page, perPage, options));
  }

  /** One page of keys. */
  async listPage(options: ListApiKeysPageOptions = {}): Promise<Page<ApiKey>> {
    const page = options.page ?? 1;
    if (!Number.isInteger(page) || page < 1) {
      throw invalidInput("page", "page must be an integer from 1");
    }
    return this.#fetchPage(page, checkPerPage(options.perPage), options);
  }

  async #fetchPage(page: number, perPage: number, options: ListApiKeysOptions): Promise<Page<ApiKey>> {
    const query = { page, per_page: perPage, ...(options.status === undefined ? {} : { status: options.status }) };
    const answer = await this.#caller.ok(() =>
      this.#raw.GET("/v1/api-keys", { params: { query }, ...this.#caller.options(options.signal) }),
    );
    return expectPage<ApiKey>(answer.body, answer.response);
  }

  /**
   * Creates a key. The answer is the only place its secret ever appears. One Idempotency-Key is
   * used for every attempt, so a retry after a lost answer replays it instead of making a second key.
   */
  async create(body: CreateApiKeyRequest, options: IdempotentRequestOptions = {}): Promise<CreatedKey> {
    const idempotencyKey = checkIdempotencyKey(options.idempotencyKey);
    const answer = await this.#caller.ok(() =>
      this.#raw.POST("/v1/api-keys", {
        params: { header: { "Idempotency-Key": idempotencyKey } },
        body,
        ...this.#caller.options(options.signal),
      }),
    );
    const { secret, ...key } = expectData<CreatedApiKey>(answer.body, answer.response);
    if (typeof secret !== "string" || secret.length === 0) {
      throw new InvalidResponseError({
        message: "The created key's answer has no secret",
        status: answer.response.status,
        code: "INVALID_RESPONSE",
        requestId: answer.response.headers.get("x-request-id") ?? undefined,
      });
    }
    return {
      key,
      secret: new Secret(secret),
      replayed: answer.response.headers.get("idempotent-replayed") === "true",
    };
  }

  async get(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    const key_id = checkId(id);
    const answer = await this.#caller.ok(() =>
      this.#raw.GET("/v1/api-keys/{key_id}", { params: { path: { key_id } }, ...this.#caller.options(options.signal) }),
    );
    return expectData<ApiKey>(answer.body, answer.response);
  }

  /** Edits name and/or description; anything else is refused before sending. */
  async update(id: string, changes: ApiKeyChanges, options: RequestOptions = {}): Promise<ApiKey> {
    const key_id = checkId(id);
    const body = checkChanges(changes);
    const answer = await this.#caller.ok(() =>
      this.#raw.PATCH("/v1/api-keys/{key_id}", {
        params: { path: { key_id } },
        body,
        ...this.#caller.options(options.signal),
      }),
    );
    return expectData<ApiKey>(answer.body, answer.response);
  }

  /** Restores a deactivated key (a no-op for an active one). */
  async activate(id: string, options: IdempotentRequestOptions = {}): Promise<ApiKey> {
    return this.#toggle("/v1/api-keys/{key_id}/activate", id, options);
  }

  /** Blocks every request made with the key at once, without deleting it. */
  async deactivate(id: string, options: IdempotentRequestOptions = {}): Promise<ApiKey> {
    return this.#toggle("/v1/api-keys/{key_id}/deactivate", id, options);
  }

  async #toggle(
    path: "/v1/api-keys/{key_id}/activate" | "/v1/api-keys/{key_id}/deactivate",
    id: string,
    options: IdempotentRequestOptions,
  ): Promise<ApiKey> {
    const key_id = checkId(id);
    const idempotencyKey = checkIdempotencyKey(options.idempotencyKey);
    const answer = await this.#caller.ok(() =>
      this.#raw.POST(path, {
        params: { path: { key_id }, header: { "Idempotency-Key": idempotencyKey } },
        ...this.#caller.options(options.signal),
      }),
    );
    return expectData<ApiKey>(answer.body, answer.response);
  }

  /**
   * Revokes (deletes) the key: immediate and permanent. A 404 on a retry that follows a lost answer
   * means the earlier attempt did it, and counts as success; a 404 on the first attempt does not.
   */
  async revoke(id: string, options: RequestOptions = {}): Promise<void> {
    const key_id = checkId(id);
    const answer = await this.#caller.send(() =>
      this.#raw.DELETE("/v1/api-keys/{key_id}", {
        params: { path: { key_id } },
        ...this.#caller.options(options.signal),
      }),
    );
    if (answer.response.ok) return;
    if (answer.response.status === 404 && answer.delivery?.earlierOutcomeUnknown === true) return;
    throw this.#caller.errorFor(answer);
  }

  /** Total requests, success rate, most accessed endpoints and recent activity of the key. */
  async usage(id: string, options: RequestOptions = {}): Promise<KeyUsage> {
    const key_id = checkId(id);
    const answer = await this.#caller.ok(() =>
      this.#raw.GET("/v1/api-keys/{key_id}/usage", {
        params: { path: { key_id } },
        ...this.#caller.options(options.signal),
      }),
    );
    return expectData<KeyUsage>(answer.body, answer.response);
  }
}

function invalidInput(field: string, message: string): ValidationError {
  return new ValidationError({ message, code: "VALIDATION_ERROR", field });
}

function checkId(id: unknown): string {
  // Ids are UUIDs; refusing path-like values keeps a bad id from reaching another route.
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]+$/.test(id)) {
    throw invalidInput("id", "id must be a key id (a UUID)");
  }
  return id;
}

function checkPerPage(perPage: number | undefined): number {
  const value = perPage ?? DEFAULT_PER_PAGE;
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw invalidInput("perPage", "perPage must be an integer from 1 to 100");
  }
  return value;
}

function checkIdempotencyKey(given: string | undefined): string {
  if (given === undefined) return globalThis.crypto.randomUUID();
  if (typeof given !== "string" || given.length === 0 || given.length > 255) {
    throw invalidInput("idempotencyKey", "idempotencyKey must be 1 to 255 characters");
  }
  return given;
}

function checkChanges(changes: ApiKeyChanges): ApiKeyChanges {
  if (typeof changes !== "object" || changes === null || Array.isArray(changes)) {
    throw invalidInput("body", "update() takes an object with name and/or description");
  }
  const body: ApiKeyChanges = {};
  for (const [field, value] of Object.entries(changes)) {
    if (!EDITABLE_FIELDS.has(field)) {
      throw invalidInput(
        field,
        `update() can change only name and description; "${field}" cannot be edited (scopes and expiry are ` +
          `immutable: make a new key)`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== "string") throw invalidInput(field, `${field} must be a string`);
    body[field as keyof ApiKeyChanges] = value;
  }
  if (Object.keys(body).length === 0) {
    throw invalidInput("body", "update() needs name and/or description");
  }
  return body;
}

// @timely-keys/sdk: the typed client of the Timely.ai API key-management contract.

export { TimelyClient, type ClientStats } from "./client.js";
export { DEFAULT_BASE_URL, type TimelyClientHooks, type TimelyClientOptions } from "./options.js";
export {
  ApiKeys,
  type ApiKeyChanges,
  type CreatedKey,
  type IdempotentRequestOptions,
  type ListApiKeysOptions,
  type ListApiKeysPageOptions,
  type RequestOptions,
} from "./api-keys.js";
export { PageIterator } from "./pagination.js";
export type { Page } from "./envelope.js";
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimelyError,
  TimeoutError,
  ValidationError,
  type TimelyErrorInit,
} from "./errors.js";
export { Secret, maskSecret } from "./secret.js";
export { MAX_RESPONSE_BYTES } from "./body-reader.js";
export type { Logger, TransportStats } from "./transport.js";
export type { Sleep } from "./sleep.js";
export type {
  ApiKey,
  CreateApiKeyRequest,
  CreatedApiKey,
  ErrorCode,
  Health,
  KeyStatus,
  KeyUsage,
  Me,
  PageMeta,
  Scope,
  UpdateApiKeyRequest,
  components,
  paths,
} from "@timely-keys/contract";
export { errorCodeValues, keyStatusValues, scopeValues } from "@timely-keys/contract";

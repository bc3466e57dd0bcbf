// @timely-keys/sdk: the typed client of the Timely.ai API key-management contract.

export { TimelyClient, type ClientStats } from "./client.js";
export {
  DEFAULT_BASE_URL,
  isLoopbackHost,
  isSecureOrigin,
  type TimelyClientHooks,
  type TimelyClientOptions,
} from "./options.js";
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
  RedirectError,
  ServerError,
  TimelyError,
  TimeoutError,
  ValidationError,
  type TimelyErrorInit,
} from "./errors.js";
export { Secret, maskSecret } from "./secret.js";
export { MAX_RESPONSE_BYTES, MAX_SINK_RESPONSE_BYTES, readCappedBody, type CappedBody } from "./body-reader.js";
export {
  MIN_REGISTERED_LENGTH,
  Redactor,
  SECRET_SHAPES,
  containsSecret,
  findAllSecretShapes,
  findSecretShape,
  redact,
  redactDeep,
  redactingReplacer,
  redactionMark,
  registerSecret,
  runSecrets,
  type SecretShape,
  type SecretShapeMatch,
} from "./redact.js";
export { guardTerminalOutput, isInert, sanitize, sanitizeLines } from "./sanitize.js";
export type { Logger, TransportStats } from "./transport.js";
export { sleep, type Sleep } from "./sleep.js";
// The one retry policy, for other HTTP callers to share (the provisioner's sinks and notifications).
export {
  decideRetry,
  serverWaitMs,
  DEFAULT_RETRY_SETTINGS,
  type RetrySettings,
  type AttemptOutcome,
} from "./retry-policy.js";
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

// The one place the emulator takes the contract's generated types (from @timely-keys/contract).
export type {
  ApiKey,
  CreatedApiKey,
  Scope,
  KeyStatus,
  Me,
  KeyUsage,
  Agent,
  Conversation,
  AnalyticsSummary,
  Health,
  PageMeta,
  ErrorCode,
  ErrorEnvelope,
} from "@timely-keys/contract";
export { scopeValues, keyStatusValues } from "@timely-keys/contract";

export const roleValues = ["owner", "manager", "member", "viewer"] as const;
export type Role = (typeof roleValues)[number];

/** Roles that may create, edit, (de)activate and revoke keys. */
export const managingRoles: ReadonlySet<Role> = new Set<Role>(["owner", "manager"]);

// Limits of the contract's schemas (KeyName, KeyDescription, ExpiresInDays, PerPage,
// IdempotencyKey). test/contract.test.ts checks them against the OpenAPI document.
export const limits = {
  nameMaxLength: 100,
  descriptionMaxLength: 500,
  expiresInDaysMin: 1,
  expiresInDaysMax: 3650,
  perPageDefault: 20,
  perPageMax: 100,
  idempotencyKeyMaxLength: 255,
} as const;

export const API_VERSION = "1.0.0";

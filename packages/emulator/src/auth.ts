import { managingRoles, type Scope } from "./contract-types.js";
import { forbidden, unauthorized, type ApiError } from "./errors.js";
import { hashCredential, secretPattern, tokenPattern } from "./secrets.js";
import { isExpired, type Credential, type Store } from "./store.js";

export interface Authentication {
  /** The record the header names, if any (also when it may not be used: inactive, expired). */
  credential?: Credential;
  /** Why the credential may not be used; absent when it may. */
  failure?: ApiError;
  /** Who the rate limit and the request log count the request against. */
  identity: string;
  principal: string;
}

/** Resolves `x-api-key`: one hash and a Map lookup, whichever kind of credential it is. */
export function authenticate(
  header: string | string[] | undefined,
  store: Store,
  nowMs: number,
  address: string,
): Authentication {
  const anonymous = { identity: `address:${address}`, principal: "anonymous" };
  const presented = Array.isArray(header) ? header[0] : header;
  if (!presented) return { ...anonymous, failure: unauthorized("Missing x-api-key header") };
  if (!secretPattern.test(presented) && !tokenPattern.test(presented)) {
    return { ...anonymous, failure: unauthorized("Invalid credential in x-api-key") };
  }
  const credential = store.findCredential(hashCredential(presented));
  if (!credential) return { ...anonymous, failure: unauthorized("Invalid credential in x-api-key") };
  if (credential.kind === "member") {
    return { credential, identity: `member:${credential.member.id}`, principal: `member:${credential.member.name}` };
  }
  const key = credential.key;
  const who = { credential, identity: `key:${key.id}`, principal: `key:${key.id}` };
  if (key.status !== "active") return { ...who, failure: unauthorized("API key is inactive") };
  if (isExpired(key, nowMs)) return { ...who, failure: unauthorized("API key has expired") };
  return who;
}

export type Access =
  | { kind: "public" }
  | { kind: "any" }
  | { kind: "manage"; write: boolean }
  | { kind: "scopes"; anyOf: Scope[] };

/** Throws FORBIDDEN when a valid credential may not do what the route needs. */
export function authorize(credential: Credential, access: Access): void {
  if (access.kind === "public" || access.kind === "any") return;
  if (access.kind === "manage") {
    if (credential.kind === "key") {
      throw forbidden("An API key cannot manage keys; use a workspace member's management token");
    }
    if (access.write && !managingRoles.has(credential.member.role)) {
      throw forbidden(
        `Role ${credential.member.role} may not create, edit, activate, deactivate or revoke keys (owner or manager ` +
          `only)`,
      );
    }
    return;
  }
  if (credential.kind === "member") {
    throw forbidden("A management token cannot call data endpoints; use an API key");
  }
  if (!access.anyOf.some((scope) => credential.key.scopes.includes(scope))) {
    throw forbidden(`This endpoint needs scope ${access.anyOf.join(" or ")}`);
  }
}

const scopePermissions: Record<Scope, string[]> = {
  read: ["agents:read", "contacts:read", "conversations:read"],
  write: ["contacts:write", "conversations:write"],
  conversations: ["conversations:read", "conversations:write"],
  agents: ["agents:read", "agents:write"],
  analytics: ["analytics:read", "analytics:export"],
};

/** The `resource:action` permissions a credential has, for `/v1/me`. */
export function permissionsOf(credential: Credential): string[] {
  if (credential.kind === "member") {
    return managingRoles.has(credential.member.role) ? ["api_keys:read", "api_keys:write"] : ["api_keys:read"];
  }
  return [...new Set(credential.key.scopes.flatMap((scope) => scopePermissions[scope]))].sort();
}

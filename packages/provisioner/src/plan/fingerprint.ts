// A fingerprint of a workspace's live state. A saved plan records it; `apply` refuses the plan when
// the live state has moved since. Usage fields (last_used_at, request_count) are left out: a key in
// use must not make every saved plan stale.
import { createHash } from "node:crypto";
import type { ApiKey } from "@timely-keys/sdk";
import { compareText } from "./keys.js";

/**
 * Keys serialized per hash update: one update per key costs more than the hashing, and one string
 * of every key costs more to build; batches this size stay well below V8's large-object size.
 */
const BATCH = 128;

/**
 * `sha256:` and the hex digest of the JSON array of the keys' canonical forms, by id. Saved plans
 * carry it from one version to the next, so its bytes must not change: the array's text is hashed
 * a batch of keys at a time (the same bytes as hashing it whole) rather than built as one string.
 */
export function fingerprintKeys(keys: readonly ApiKey[]): string {
  // The API lists keys in a stable order, often by id already: then there is nothing to sort.
  const sorted = isSortedById(keys) ? keys : [...keys].sort(compareIds);
  const digest = createHash("sha256").update("[", "utf8");
  for (let start = 0; start < sorted.length; start += BATCH) {
    if (start > 0) digest.update(",", "utf8");
    // The batch's own array brackets are dropped: its elements continue the one array.
    digest.update(JSON.stringify(sorted.slice(start, start + BATCH).map(canonical)).slice(1, -1), "utf8");
  }
  return `sha256:${digest.update("]", "utf8").digest("hex")}`;
}

function compareIds(a: ApiKey, b: ApiKey): number {
  return compareText(String(a.id), String(b.id));
}

function isSortedById(keys: readonly ApiKey[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareIds(keys[i - 1] as ApiKey, keys[i] as ApiKey) > 0) return false;
  return true;
}

/** Scopes as `sort()` orders them: the key's own list when it is in that order already (nearly always). */
function sortedScopes(scopes: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < scopes.length; i++) {
    const scope = scopes[i];
    // sort() compares strings by code units, as `<` does; anything else is left to sort().
    if (typeof scope !== "string" || (i > 0 && (scopes[i - 1] as string) > scope)) return [...scopes].sort();
  }
  return scopes;
}

function canonical(key: ApiKey) {
  return {
    id: key.id,
    status: key.status,
    name: key.name,
    description: key.description,
    scopes: Array.isArray(key.scopes) ? sortedScopes(key.scopes) : key.scopes,
    expires_at: key.expires_at,
    updated_at: key.updated_at,
    deactivated_at: key.deactivated_at,
  };
}

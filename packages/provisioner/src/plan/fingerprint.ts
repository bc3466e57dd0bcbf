// A fingerprint of a workspace's live state. A saved plan records it; `apply` refuses the plan when
// the live state has moved since. Usage fields (last_used_at, request_count) are left out: a key in
// use must not make every saved plan stale.
import { createHash } from "node:crypto";
import type { ApiKey } from "@timely-keys/sdk";
import { compareText } from "./keys.js";

export function fingerprintKeys(keys: readonly ApiKey[]): string {
  const canonical = [...keys]
    .sort((a, b) => compareText(String(a.id), String(b.id)))
    .map((key) => ({
      id: key.id,
      status: key.status,
      name: key.name,
      description: key.description,
      scopes: Array.isArray(key.scopes) ? [...key.scopes].sort() : key.scopes,
      expires_at: key.expires_at,
      updated_at: key.updated_at,
      deactivated_at: key.deactivated_at,
    }));
  return `sha256:${createHash("sha256").update(JSON.stringify(canonical), "utf8").digest("hex")}`;
}

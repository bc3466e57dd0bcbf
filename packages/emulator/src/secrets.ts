import { createHash, randomBytes } from "node:crypto";

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Random characters after `tml_` in a minted secret. */
export const SECRET_RANDOM_LENGTH = 40;
export const SECRET_PREFIX = "tml_";
export const TOKEN_PREFIX = "tkm_";

export const secretPattern = /^tml_[A-Za-z0-9]{32,}$/;
export const tokenPattern = /^tkm_[A-Za-z0-9]{32,}$/;

/**
 * `length` base62 characters from the CSPRNG. Bytes >= 248 are rejected (248 = 4 * 62) so every
 * character is equally likely; a plain `byte % 62` would favour the first 8 characters.
 */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function mintSecret(): string {
  return SECRET_PREFIX + randomBase62(SECRET_RANDOM_LENGTH);
}

/** Secrets and management tokens are only ever kept as this hash. */
export function hashCredential(credential: string): string {
  return createHash("sha256").update(credential, "utf8").digest("hex");
}

/** The masked prefix shown after creation, e.g. `tml_a1B2...`. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}...`;
}

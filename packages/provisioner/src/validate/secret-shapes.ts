// Recognises text shaped like a secret or token, so the manifest can refuse it and messages can
// avoid echoing it. Two kinds of evidence: well-known token formats (precise, checked everywhere,
// even in comments) and long high-entropy strings (a heuristic, skipped in fields whose values are
// known to be safe).

import { findAllSecretShapes, findSecretShape, redact, type SecretShapeMatch } from "@timely-keys/sdk";

// The well-known formats are defined once, in the SDK's redaction module (redact.ts there).
export type SecretMatch = SecretShapeMatch;

/** The first well-known token format in `text`, if any. */
export function findTokenShape(text: string): SecretMatch | undefined {
  return findSecretShape(text);
}

/** Every well-known token format in `text` (for scanning a whole file, comments included). */
export function findAllTokenShapes(text: string): SecretMatch[] {
  return findAllSecretShapes(text);
}

/** Secrets are long; shorter runs are ordinary identifiers. */
const MIN_RANDOM_LENGTH = 32;
/** Splits text into candidate tokens; `/`, `+`, `-`, `_` and `.` stay inside (base64 and friends). */
const TOKEN_SEPARATORS = /[\s"'`,;=()<>[\]{}|:@\\]+/;
const HEX = /^[0-9a-fA-F]+$/;
const BASE64ISH = /^[A-Za-z0-9+/_.-]+=*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function charClass(char: string): "upper" | "lower" | "digit" | "other" {
  if (char >= "A" && char <= "Z") return "upper";
  if (char >= "a" && char <= "z") return "lower";
  if (char >= "0" && char <= "9") return "digit";
  return "other";
}

/**
 * How often neighbouring letters and digits switch class (upper/lower/digit), per character.
 * Random strings switch about every other character; words, CamelCase names and paths rarely do.
 * This is what tells `SalesforceCrmIntegrationProd2024` (a name) from a random token of equal entropy.
 */
function classSwitchRate(token: string): number {
  let switches = 0;
  for (let i = 1; i < token.length; i++) {
    const a = charClass(token[i - 1]!);
    const b = charClass(token[i]!);
    if (a !== "other" && b !== "other" && a !== b) switches++;
  }
  return switches / token.length;
}

/** Whether one whitespace-free token looks randomly generated. */
function isRandomLooking(token: string): string | undefined {
  if (token.length < MIN_RANDOM_LENGTH || UUID.test(token)) return undefined;
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return undefined;
  if (HEX.test(token)) {
    return shannonEntropy(token) >= 3 && classSwitchRate(token) >= 0.3 ? "long random hex string" : undefined;
  }
  if (BASE64ISH.test(token)) {
    return shannonEntropy(token) >= 3.5 && classSwitchRate(token) >= 0.3 ? "long high-entropy string" : undefined;
  }
  return undefined;
}

/** The first long random-looking token in `text`, if any. */
export function findHighEntropy(text: string): SecretMatch | undefined {
  // Every token is part of the text.
  if (text.length < MIN_RANDOM_LENGTH) return undefined;
  let offset = 0;
  for (const token of text.split(TOKEN_SEPARATORS)) {
    const index = text.indexOf(token, offset);
    offset = index + token.length;
    const kind = isRandomLooking(token);
    if (kind) return { kind, index };
  }
  return undefined;
}

/**
 * Whether `text` looks like (or contains) a secret. `entropy: false` limits the check to the
 * well-known formats, for fields whose values are known to be safe (ids, paths).
 */
export function findSecret(text: string, options: { entropy?: boolean } = {}): SecretMatch | undefined {
  return findTokenShape(text) ?? (options.entropy === false ? undefined : findHighEntropy(text));
}

export function looksLikeSecret(text: string): boolean {
  return findSecret(text) !== undefined;
}

const REDACTED = "<redacted>";

/**
 * Replaces everything secret-shaped in `text` (the SDK's shapes and registry, then long random
 * strings): the last line of defence before a finding is printed.
 */
export function redactSecrets(text: string): string {
  return redact(text).replace(/[A-Za-z0-9+/_.=-]{32,}/g, (token) => (isRandomLooking(token) ? REDACTED : token));
}

const MAX_QUOTED_LENGTH = 60;

/**
 * A value quoted for a message: JSON-quoted and shortened, or a placeholder when it looks like a
 * secret. Messages use this for every value taken from the manifest.
 */
export function quoteValue(value: unknown): string {
  if (typeof value === "string") {
    if (looksLikeSecret(value)) return "(a value that looks like a secret, not shown)";
    const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

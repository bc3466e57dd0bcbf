// The fingerprint hashes the keys' canonical JSON a batch at a time; these are the bytes of
// JSON.stringify of the whole canonical array (saved plans compare them), for any number of keys,
// any mix of present, null and absent fields, scopes in any order, and any text.
import { createHash } from "node:crypto";
import type { ApiKey } from "@timely-keys/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprintKeys } from "../../src/plan/fingerprint.js";

/** The definition: sha256 of JSON.stringify of the array of canonical objects, by id. */
function reference(keys: readonly ApiKey[]): string {
  const canonical = [...keys]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
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

const text = fc.string({ unit: "grapheme", maxLength: 12 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.option(arb, { nil: null }), { nil: undefined });

const apiKey = fc
  .record({
    id: fc.uuid(),
    status: fc.constantFrom("active", "inactive"),
    name: text,
    description: maybe(text),
    scopes: fc.array(fc.constantFrom("read", "write", "agents", "analytics", "conversations"), { maxLength: 5 }),
    expires_at: maybe(text),
    updated_at: text,
    deactivated_at: maybe(text),
    request_count: fc.nat(),
  })
  .map((fields) => {
    const key: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) key[name] = value;
    return key as unknown as ApiKey;
  });

describe("fingerprintKeys", () => {
  it("hashes the same bytes as JSON.stringify of the canonical keys, in batches or not", () => {
    fc.assert(
      fc.property(fc.array(apiKey, { maxLength: 300 }), (keys) => {
        expect(fingerprintKeys(keys)).toBe(reference(keys));
      }),
      { numRuns: 60 },
    );
  });

  it("hashes the same bytes when the keys come sorted by id and their scopes sorted (read as they are)", () => {
    fc.assert(
      fc.property(fc.array(apiKey, { maxLength: 300 }), (keys) => {
        const sorted = [...keys]
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((key) => (Array.isArray(key.scopes) ? { ...key, scopes: [...key.scopes].sort() } : key));
        expect(fingerprintKeys(sorted)).toBe(reference(sorted));
        expect(fingerprintKeys(sorted)).toBe(reference(keys));
      }),
      { numRuns: 60 },
    );
  });
});

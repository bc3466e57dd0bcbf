export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface StoredAnswer {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  answer: StoredAnswer;
  storedAtMs: number;
}

export type IdempotencyLookup = { kind: "miss" } | { kind: "replay"; answer: StoredAnswer } | { kind: "conflict" };

/**
 * Remembers the first successful answer per (workspace, credential, method + path, Idempotency-Key)
 * for 24 hours of emulated time. Lives only in memory: answers hold secrets.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  lookup(scope: string, fingerprint: string, nowMs: number): IdempotencyLookup {
    const entry = this.entries.get(scope);
    if (!entry) return { kind: "miss" };
    if (nowMs - entry.storedAtMs >= IDEMPOTENCY_TTL_MS || nowMs < entry.storedAtMs) {
      this.entries.delete(scope);
      return { kind: "miss" };
    }
    return entry.fingerprint === fingerprint ? { kind: "replay", answer: entry.answer } : { kind: "conflict" };
  }

  store(scope: string, fingerprint: string, answer: StoredAnswer, nowMs: number): void {
    this.entries.set(scope, { fingerprint, answer, storedAtMs: nowMs });
    if (this.entries.size > 10_000) this.evictExpired(nowMs);
  }

  clear(): void {
    this.entries.clear();
  }

  private evictExpired(nowMs: number): void {
    for (const [scope, entry] of this.entries) {
      if (nowMs - entry.storedAtMs >= IDEMPOTENCY_TTL_MS) this.entries.delete(scope);
    }
  }
}

/** Same body = same JSON value, whatever the key order or whitespace. */
export function fingerprintBody(body: unknown): string {
  return canonicalJson(body ?? null);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// Live keys as the planner sees them: the API object, its marker and the user's text, plus the
// small predicates every rule uses.
import type { ApiKey } from "@timely-keys/sdk";
import { splitDescription, type Marker } from "../marker.js";
import { ms } from "./time.js";

export interface KeyView {
  key: ApiKey;
  marker: Marker | null;
  /** The description without its marker. */
  text: string;
}

/** A key of an entry (its marker names the entry). */
export interface MarkedKey extends KeyView {
  marker: Marker;
  /** `created_at` and `expires_at` in ms, read once (NaN when absent or unreadable). */
  createdMs: number;
  expiresMs: number;
}

export function viewOf(key: ApiKey): KeyView {
  const description = typeof key.description === "string" ? key.description : "";
  const { text, marker } = splitDescription(description);
  // Only the rules of an entry read a key's times: a key without a marker is listed, not timed.
  if (marker === null) return { key, marker, text };
  return markedViewOf(key, marker, text);
}

/** The view of a key carrying `marker` (or about to: an adopted key, as the plan will leave it). */
export function markedViewOf(key: ApiKey, marker: Marker, text: string): MarkedKey {
  return { key, marker, text, createdMs: ms(key.created_at), expiresMs: ms(key.expires_at) };
}

/** Older first: generation, then creation time, then id. The last current-phase key is the current one. */
export function compareRank(a: MarkedKey, b: MarkedKey): number {
  if (a.marker.generation !== b.marker.generation) return a.marker.generation - b.marker.generation;
  const byCreated = compareTimes(a.createdMs, b.createdMs);
  if (byCreated !== 0) return byCreated;
  return compareText(a.key.id, b.key.id);
}

/** Unmanaged keys are listed by name, then id. */
export function compareByNameThenId(a: KeyView, b: KeyView): number {
  return compareText(a.key.name, b.key.name) || compareText(a.key.id, b.key.id);
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTimes(a: number, b: number): number {
  const fa = Number.isFinite(a);
  const fb = Number.isFinite(b);
  if (fa && fb) return a - b;
  if (fa === fb) return 0;
  return fa ? -1 : 1;
}

export function isActive(key: ApiKey): boolean {
  return key.status === "active";
}

export function isExpired(view: MarkedKey, now: number): boolean {
  return Number.isFinite(view.expiresMs) && view.expiresMs <= now;
}

/** The last time a run could have written this key: a recent touch means a run may still be at work. */
export function lastTouched(key: ApiKey): number {
  const created = ms(key.created_at);
  const updated = ms(key.updated_at);
  if (!Number.isFinite(created)) return updated;
  return Number.isFinite(updated) ? Math.max(created, updated) : created;
}

/** Sorted, unique scopes as one comparable string. */
export function scopeList(scopes: readonly string[]): string {
  // Scopes nearly always come sorted and unique already: then they only need joining.
  if (isSortedUnique(scopes)) return scopes.join(", ");
  return [...new Set(scopes)].sort().join(", ");
}

/** Strings in strictly increasing code-unit order (what `sort()` gives, without duplicates). */
function isSortedUnique(list: readonly string[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item !== "string") return false;
    if (i > 0 && !((list[i - 1] as string) < item)) return false;
  }
  return true;
}

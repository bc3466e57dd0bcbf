// Sorting one entry's live keys into the roles of the rotation state machine, from markers alone:
// the current key, previous keys (older, draining or in quarantine), successors left half-done by
// a crash, and successors another run may still be delivering.
//
// A successor is created `delivering`: from its first moment a sink may hold it, so one whose run is
// over is drained like a previous key, never revoked unannounced. `pending` is only written by
// versions before 2026-12 (create, then PATCH to `delivering` before the first sink): such a key
// never reached a sink, and is revoked at once.
import type { MarkedKey } from "./keys.js";
import { compareRank, lastTouched } from "./keys.js";

export interface EntryKeys {
  /** The newest verified (current-phase) key. */
  current: MarkedKey | null;
  /** Of an older generation than the current key: verified keys it replaced, and partly delivered successors. */
  previous: MarkedKey[];
  /**
   * `delivering` successors not older than the current key (or with no current key) whose run is over:
   * some sinks may hold them (a crash right after the create included), so they drain.
   */
  partial: MarkedKey[];
  /** `pending` successors (made by an earlier version) whose run is over: no sink has them, their secret is lost. */
  abandoned: MarkedKey[];
  /**
   * `pending` or `delivering` successors touched within the lease (and not marked `failed`): a run may
   * still be at work.
   */
  inFlight: MarkedKey[];
  /**
   * Other verified keys claiming the current key's generation (a copied marker). Never retired by a
   * plan: a key is retired only once a verified key of a newer generation is current.
   */
  duplicates: MarkedKey[];
  /** Highest generation among all the entry's keys (0 when none). */
  maxGeneration: number;
}

export function classifyEntryKeys(keys: readonly MarkedKey[], now: number, leaseMs: number): EntryKeys {
  // Nearly every entry has one key, its current one: nothing to rank, nothing else to sort.
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only !== undefined && only.marker.phase === "current") return onlyCurrent(only);
  const ranked = keys.length > 1 ? [...keys].sort(compareRank) : keys;
  let current: MarkedKey | null = null;
  let maxGeneration = 0;
  for (const key of ranked) {
    if (key.marker.phase === "current") current = key;
    maxGeneration = Math.max(maxGeneration, key.marker.generation);
  }
  const result: EntryKeys = {
    current,
    previous: [],
    partial: [],
    abandoned: [],
    inFlight: [],
    duplicates: [],
    maxGeneration,
  };
  for (const key of ranked) {
    if (key === current) continue;
    const sameGeneration = current !== null && key.marker.generation === current.marker.generation;
    const olderGeneration = current !== null && key.marker.generation < current.marker.generation;
    if (key.marker.phase === "current") {
      if (sameGeneration) result.duplicates.push(key);
      else result.previous.push(key);
      continue;
    }
    const touched = lastTouched(key.key);
    // A key whose times cannot be read shows no run at work: it is treated as left behind.
    // A successor whose run recorded a failure (`failed`) is over: the next run goes on at once.
    const withinLease = !key.marker.failed && Number.isFinite(touched) && now < touched + leaseMs;
    if (withinLease) result.inFlight.push(key);
    else if (key.marker.phase === "pending") result.abandoned.push(key);
    else if (olderGeneration) result.previous.push(key);
    else result.partial.push(key);
  }
  return result;
}

/** No other key: the role lists are one shared empty list (frozen: the rules only read them). */
const NONE = Object.freeze([]) as readonly MarkedKey[] as MarkedKey[];

function onlyCurrent(current: MarkedKey): EntryKeys {
  return {
    current,
    previous: NONE,
    partial: NONE,
    abandoned: NONE,
    inFlight: NONE,
    duplicates: NONE,
    maxGeneration: Math.max(0, current.marker.generation),
  };
}

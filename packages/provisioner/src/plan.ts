// plan(desired, live, now): the heart of timely-keys. A pure function: no I/O, no clock but `now`,
// no randomness; the same inputs give a deep-equal Plan. Order: workspaces as in the manifest,
// then each entry as in the manifest, then keys of entries removed from it (by id), then unmanaged
// keys (by name, then id).
import { DEFAULT_MAX_ROTATIONS_PER_RUN, type Desired, type DesiredKey, type DesiredWorkspace } from "./desired.js";
import { isMarkableEntryId } from "./marker.js";
import {
  DEFAULT_IN_FLIGHT_LEASE_SECONDS,
  type Live,
  type Plan,
  type PlanAction,
  type PlanOptions,
  type PlanWarning,
  type PlanWorkspace,
  type EntryState,
} from "./model.js";
import { warn, type NormalizedOptions, type WorkspaceContext } from "./plan/context.js";
import { planUnmanagedKey } from "./plan/drift.js";
import { planEntry } from "./plan/entry.js";
import { fingerprintKeys } from "./plan/fingerprint.js";
import { compareByNameThenId, compareRank, compareText, viewOf, type KeyView, type MarkedKey } from "./plan/keys.js";
import { redactAction } from "./plan/redact.js";
import { queueRotations } from "./plan/queue.js";
import { planRetiredEntry } from "./plan/retire.js";
import { summarize } from "./plan/summary.js";
import { appendAll } from "./append.js";
import type { ApiKey } from "@timely-keys/sdk";

export { fingerprintKeys } from "./plan/fingerprint.js";
export { idempotencyKey, successorForGeneration } from "./plan/successor.js";

export function plan(desired: Desired, live: Live, now: Date, options: PlanOptions = {}): Plan {
  if (!(now instanceof Date) || !Number.isFinite(now.getTime()))
    throw new TypeError("plan: `now` must be a valid Date (the server clock)");
  const opts = normalizeOptions(options);
  const warnings: PlanWarning[] = [];
  const selected = desired.workspaces.filter((ws) => opts.workspaces === null || opts.workspaces.includes(ws.name));
  for (const name of opts.workspaces ?? []) {
    if (!desired.workspaces.some((ws) => ws.name === name))
      warnings.push({ workspace: name, facts: { code: "workspace_not_in_manifest" } });
  }
  const workspaces = selected.map((ws) => planWorkspace(desired, ws, live, now.getTime(), opts, warnings));
  queueRotations(workspaces, desired.policy.maxRotationsPerRun ?? DEFAULT_MAX_ROTATIONS_PER_RUN);
  for (const target of opts.targets ?? []) {
    const known = workspaces.some(
      (ws) => ws.entries.some((e) => e.entryId === target) || ws.actions.some((a) => a.entryId === target),
    );
    if (!known) warnings.push({ workspace: "*", entryId: target, facts: { code: "unknown_target" } });
  }
  const summary = summarize(workspaces);
  return {
    format_version: 2,
    generated_at: now.toISOString(),
    manifest: desired.file,
    options: publicOptions(opts),
    changes: workspaces.some((ws) => ws.actions.some((a) => a.mutates)),
    summary,
    warnings,
    workspaces,
  };
}

/** The options as the plan records them: the emergency ones only when there is an emergency. */
function publicOptions(opts: NormalizedOptions): Plan["options"] {
  const { compromised, revokeFirst, ...rest } = opts;
  return compromised.length === 0 ? rest : { ...rest, compromised, revokeFirst };
}

function normalizeOptions(options: PlanOptions): NormalizedOptions {
  const list = (values: string[] | undefined): string[] => [...new Set(values ?? [])].sort(compareText);
  const lease = options.inFlightLeaseSeconds ?? DEFAULT_IN_FLIGHT_LEASE_SECONDS;
  return {
    targets: options.targets === undefined ? null : list(options.targets),
    workspaces: options.workspaces === undefined ? null : list(options.workspaces),
    forceRotate: list(options.forceRotate),
    rollback: options.rollback ?? null,
    inFlightLeaseSeconds: Number.isFinite(lease) && lease > 0 ? lease : 0,
    compromised: list(options.compromised),
    revokeFirst: options.revokeFirst === true && (options.compromised?.length ?? 0) > 0,
  };
}

function planWorkspace(
  desired: Desired,
  ws: DesiredWorkspace,
  live: Live,
  now: number,
  options: NormalizedOptions,
  warnings: PlanWarning[],
): PlanWorkspace {
  const liveWs = live.workspaces.find((w) => w.name === ws.name);
  const keys = liveWs?.keys ?? [];
  const ctx: WorkspaceContext = {
    workspace: ws.name,
    workspaceId: sharedWorkspaceId(keys),
    now,
    policy: desired.policy,
    options,
    warnings,
  };
  if (liveWs === undefined) warn(ctx, { code: "no_live_state" });
  if (liveWs?.workspaceId !== undefined && ws.id === undefined) {
    warn(ctx, { code: "unpinned_workspace", workspaceId: liveWs.workspaceId });
  }

  // Each key is read once (its marker and times) and goes to its entry by position: the entries'
  // keys are a list per entry, looked up once per key, not once per rule.
  const position = new Map<string, number>();
  const entries = uniqueEntries(ctx, ws.keys, position);
  const keysOf: Array<MarkedKey[] | undefined> = new Array(entries.length).fill(undefined);
  /** Keys of entries no longer in the manifest, by entry id. */
  let removedKeys: Map<string, MarkedKey[]> | null = null;
  const unmarked: KeyView[] = [];
  // Built only for an `adopt`: most manifests have none.
  const viewById = entries.some((e) => e.adopt !== undefined) ? new Map<string, KeyView>() : null;
  for (const key of keys) {
    const view = viewOf(key);
    viewById?.set(key.id, view);
    if (view.marker === null) {
      unmarked.push(view);
      continue;
    }
    const at = position.get(view.marker.entryId);
    let group: MarkedKey[] | undefined;
    if (at !== undefined) {
      group = keysOf[at];
      // Most entries have one key: an array of one, not an empty array grown by a push.
      if (group === undefined) keysOf[at] = [view as MarkedKey];
    } else {
      removedKeys ??= new Map();
      group = removedKeys.get(view.marker.entryId);
      if (group === undefined) removedKeys.set(view.marker.entryId, [view as MarkedKey]);
    }
    group?.push(view as MarkedKey);
  }
  for (const group of keysOf) if (group !== undefined && group.length > 1) group.sort(compareRank);
  if (removedKeys !== null) for (const group of removedKeys.values()) group.sort(compareRank);

  const claims = viewById === null ? null : adoptions(ctx, entries, viewById, keysOf);
  const targets = options.targets;

  const actions: PlanAction[] = [];
  const states: EntryState[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as DesiredKey;
    if (targets !== null && !targets.includes(entry.id)) continue;
    const result = planEntry(ctx, entry, keysOf[i] ?? NO_KEYS, claims?.get(entry.id) ?? null);
    appendAll(actions, result.actions);
    states.push(result.state);
  }

  if (removedKeys !== null) {
    const removed = [...removedKeys.keys()].filter((id) => targets === null || targets.includes(id)).sort(compareText);
    for (const entryId of removed) appendAll(actions, planRetiredEntry(ctx, entryId, removedKeys.get(entryId) ?? []));
  }

  if (targets === null && unmarked.length > 0) {
    let unmanaged = unmarked;
    if (claims !== null && claims.size > 0) {
      const claimed = new Set<string>();
      for (const view of claims.values()) claimed.add(view.key.id);
      unmanaged = unmarked.filter((v) => !claimed.has(v.key.id));
    }
    unmanaged.sort(compareByNameThenId);
    // Entries without a key yet, by name (first of each): the namesake hint is a lookup, not a scan.
    const keylessByName = new Map<string, DesiredKey>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as DesiredKey;
      if (keysOf[i] === undefined && !claims?.has(e.id) && !keylessByName.has(e.name)) keylessByName.set(e.name, e);
    }
    for (const view of unmanaged) {
      actions.push(planUnmanagedKey(ctx, view));
      if (keylessByName.size === 0) continue;
      const namesake = keylessByName.get(view.key.name);
      if (namesake !== undefined) {
        warn(ctx, { code: "unmanaged_namesake", name: view.key.name }, { entryId: namesake.id, keyId: view.key.id });
      }
    }
  }

  // The actions are this plan's own: redacted in place.
  for (let i = 0; i < actions.length; i++) actions[i] = redactAction(actions[i] as PlanAction);
  const planned: PlanWorkspace = { name: ws.name, tokenEnv: ws.tokenEnv } as PlanWorkspace;
  if (ws.apiUrl !== undefined) planned.apiUrl = ws.apiUrl;
  planned.serverNow = liveWs?.serverNow ?? null;
  planned.fingerprint = fingerprintKeys(keys);
  planned.actions = actions;
  planned.entries = states;
  return planned;
}

/** An entry with no live key. */
const NO_KEYS: readonly MarkedKey[] = Object.freeze([]);

/** The workspace id every key reports, or null (no keys, or keys that disagree). */
function sharedWorkspaceId(keys: readonly ApiKey[]): string | null {
  const first = keys[0]?.workspace_id;
  for (const key of keys) if (key.workspace_id !== first) return null;
  return first ?? null;
}

/**
 * Entries a marker can name, first of each id (validation rejects the rest; the planner stays safe
 * anyway), and each one's place in that list, by id, in `position`.
 */
function uniqueEntries(
  ctx: WorkspaceContext,
  entries: readonly DesiredKey[],
  position: Map<string, number>,
): DesiredKey[] {
  const out: DesiredKey[] = [];
  for (const entry of entries) {
    if (!isMarkableEntryId(entry.id)) {
      warn(ctx, { code: "entry_id_unmarkable" }, { entryId: entry.id });
    } else if (position.has(entry.id)) {
      warn(ctx, { code: "entry_id_twice" }, { entryId: entry.id });
    } else {
      position.set(entry.id, out.length);
      out.push(entry);
    }
  }
  return out;
}

/** Unmarked keys claimed by an entry's `adopt`, by entry id. */
function adoptions(
  ctx: WorkspaceContext,
  entries: DesiredKey[],
  viewById: ReadonlyMap<string, KeyView>,
  keysOf: ReadonlyArray<MarkedKey[] | undefined>,
): Map<string, KeyView> {
  const claims = new Map<string, KeyView>();
  const claimedKeys = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as DesiredKey;
    if (entry.adopt === undefined) continue;
    const view = viewById.get(entry.adopt);
    if (view === undefined) continue; // gone (revoked after a rotation): nothing left to adopt
    if (view.marker !== null) {
      if (view.marker.entryId !== entry.id) {
        warn(
          ctx,
          { code: "adopt_other_entry", name: view.key.name, owner: view.marker.entryId },
          { entryId: entry.id, keyId: view.key.id },
        );
      }
      continue;
    }
    if (claimedKeys.has(view.key.id)) {
      warn(ctx, { code: "adopt_taken", name: view.key.name }, { entryId: entry.id, keyId: view.key.id });
      continue;
    }
    // Pending keys never reached anyone (they are revoked): they do not stand in the way.
    if ((keysOf[i] ?? []).some((k) => k.marker.phase !== "pending")) {
      warn(ctx, { code: "adopt_has_keys", name: view.key.name }, { entryId: entry.id, keyId: view.key.id });
      continue;
    }
    claimedKeys.add(view.key.id);
    claims.set(entry.id, view);
  }
  return claims;
}

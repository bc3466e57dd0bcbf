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
  const views = keys.map(viewOf);
  const workspaceIds = [...new Set(keys.map((k) => k.workspace_id))].sort(compareText);
  const ctx: WorkspaceContext = {
    workspace: ws.name,
    workspaceId: workspaceIds.length === 1 ? (workspaceIds[0] ?? null) : null,
    now,
    policy: desired.policy,
    options,
    warnings,
  };
  if (liveWs === undefined) warn(ctx, { code: "no_live_state" });
  if (liveWs?.workspaceId !== undefined && ws.id === undefined) {
    warn(ctx, { code: "unpinned_workspace", workspaceId: liveWs.workspaceId });
  }

  const groups = new Map<string, MarkedKey[]>();
  const unmarked: KeyView[] = [];
  for (const view of views) {
    if (view.marker === null) {
      unmarked.push(view);
      continue;
    }
    const group = groups.get(view.marker.entryId);
    // Most entries have one key: an array of one, not an empty array grown by a push.
    if (group === undefined) groups.set(view.marker.entryId, [view as MarkedKey]);
    else group.push(view as MarkedKey);
  }
  for (const group of groups.values()) group.sort(compareRank);

  const entries = uniqueEntries(ctx, ws.keys);
  const claims = adoptions(ctx, entries, views, groups);
  const inScope = (entryId: string) => options.targets === null || options.targets.includes(entryId);

  const actions: PlanAction[] = [];
  const states: EntryState[] = [];
  for (const entry of entries) {
    if (!inScope(entry.id)) continue;
    const result = planEntry(ctx, entry, groups.get(entry.id) ?? [], claims.get(entry.id) ?? null);
    appendAll(actions, result.actions);
    states.push(result.state);
  }

  const manifestIds = new Set(ws.keys.map((e) => e.id));
  const removed = [...groups.keys()].filter((id) => !manifestIds.has(id) && inScope(id)).sort(compareText);
  for (const entryId of removed) appendAll(actions, planRetiredEntry(ctx, entryId, groups.get(entryId) ?? []));

  if (options.targets === null) {
    const claimed = new Set([...claims.values()].map((v) => v.key.id));
    const unmanaged = unmarked.filter((v) => !claimed.has(v.key.id)).sort(compareByNameThenId);
    // Entries without a key yet, by name (first of each): the namesake hint is a lookup, not a scan.
    const keylessByName = new Map<string, DesiredKey>();
    for (const e of entries)
      if (!groups.has(e.id) && !claims.has(e.id) && !keylessByName.has(e.name)) keylessByName.set(e.name, e);
    for (const view of unmanaged) {
      actions.push(planUnmanagedKey(ctx, view));
      const namesake = keylessByName.get(view.key.name);
      if (namesake !== undefined) {
        warn(ctx, { code: "unmanaged_namesake", name: view.key.name }, { entryId: namesake.id, keyId: view.key.id });
      }
    }
  }

  return {
    name: ws.name,
    tokenEnv: ws.tokenEnv,
    ...(ws.apiUrl !== undefined ? { apiUrl: ws.apiUrl } : {}),
    serverNow: liveWs?.serverNow ?? null,
    fingerprint: fingerprintKeys(keys),
    actions: actions.map(redactAction),
    entries: states,
  };
}

/** Entries a marker can name, first of each id (validation rejects the rest; the planner stays safe anyway). */
function uniqueEntries(ctx: WorkspaceContext, entries: readonly DesiredKey[]): DesiredKey[] {
  const seen = new Set<string>();
  const out: DesiredKey[] = [];
  for (const entry of entries) {
    if (!isMarkableEntryId(entry.id)) {
      warn(ctx, { code: "entry_id_unmarkable" }, { entryId: entry.id });
    } else if (seen.has(entry.id)) {
      warn(ctx, { code: "entry_id_twice" }, { entryId: entry.id });
    } else {
      seen.add(entry.id);
      out.push(entry);
    }
  }
  return out;
}

/** Unmarked keys claimed by an entry's `adopt`, by entry id. */
function adoptions(
  ctx: WorkspaceContext,
  entries: DesiredKey[],
  views: KeyView[],
  groups: Map<string, MarkedKey[]>,
): Map<string, KeyView> {
  const claims = new Map<string, KeyView>();
  const claimedKeys = new Set<string>();
  // Built on the first `adopt`: most manifests have none.
  let viewById: Map<string, KeyView> | null = null;
  for (const entry of entries) {
    if (entry.adopt === undefined) continue;
    viewById ??= new Map(views.map((v) => [v.key.id, v]));
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
    if ((groups.get(entry.id) ?? []).some((k) => k.marker.phase !== "pending")) {
      warn(ctx, { code: "adopt_has_keys", name: view.key.name }, { entryId: entry.id, keyId: view.key.id });
      continue;
    }
    claimedKeys.add(view.key.id);
    claims.set(entry.id, view);
  }
  return claims;
}

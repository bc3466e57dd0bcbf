// Findings about where keys stand in their life, from the live keys and the plan alone (no usage
// calls): expired, overdue, expiring, a stuck rotation, a straggling previous key, an unused key, an
// entry that cannot rotate, and unmanaged keys. Pure: plain data in, findings out.
import type { ApiKey } from "@timely-keys/sdk";
import type { Desired, DesiredKey } from "../desired.js";
import type { Live, Plan, PlanWorkspace } from "../model.js";
import { viewOf, lastTouched, type MarkedKey } from "../plan/keys.js";
import { promotedAtMs } from "../plan/previous.js";
import { DAY, isoOrNull, ms, SECOND } from "../plan/time.js";
import type { Finding, FindingKey, MonitorSettings } from "./model.js";

export interface LifecycleOptions {
  /** Days past `maxAgeDays` a key may be before its rotation is `overdue` (the Action's max-overdue-days). */
  maxOverdueDays: number;
  monitor: MonitorSettings;
}

/** The keys of one entry, as the plan decided: its current key, older keys still active, successors. */
export interface EntryKeys {
  entry: DesiredKey;
  current?: MarkedKey;
  /** Older generations that were once current and are still active (draining). */
  previous: MarkedKey[];
  /** pending / delivering keys newer than the current one. */
  successors: MarkedKey[];
}

/**
 * The planner rotates a key `rotateBeforeExpiryDays` before it expires, but never earlier than
 * half its lifetime (or a short-lived key would rotate forever): the same margin is "expiring soon".
 */
export function expiryMarginMs(createdAt: number, expiresAt: number, entry: Pick<DesiredKey, "rotation">): number {
  const margin = entry.rotation.rotateBeforeExpiryDays * DAY;
  const lifetime = expiresAt - createdAt;
  return Number.isFinite(lifetime) ? Math.min(margin, lifetime / 2) : margin;
}

export function keyRef(key: ApiKey, generation?: number): FindingKey {
  return { id: key.id, name: key.name, ...(generation !== undefined ? { generation } : {}) };
}

/** Each selected entry of a planned workspace with its live keys sorted into roles. */
export function entryKeys(desired: Desired, live: Live, ws: PlanWorkspace): EntryKeys[] {
  const entries = desired.workspaces.find((w) => w.name === ws.name)?.keys ?? [];
  const views = (live.workspaces.find((w) => w.name === ws.name)?.keys ?? []).map(viewOf);
  const out: EntryKeys[] = [];
  for (const state of ws.entries) {
    const entry = entries.find((k) => k.id === state.entryId);
    if (entry === undefined) continue;
    const mine = views.filter((v): v is MarkedKey => v.marker?.entryId === entry.id);
    const current = mine.find((v) => v.key.id === state.currentKeyId);
    const generation = current?.marker.generation ?? 0;
    out.push({
      entry,
      ...(current ? { current } : {}),
      previous: mine.filter(
        (v) =>
          v !== current &&
          v.marker.phase === "current" &&
          v.marker.generation < generation &&
          v.key.status === "active",
      ),
      successors: mine.filter((v) => v.marker.phase !== "current" && v.marker.generation > generation),
    });
  }
  return out;
}

export function lifecycleFindings(
  desired: Desired,
  live: Live,
  plan: Plan,
  now: Date,
  options: LifecycleOptions,
): Finding[] {
  const found: Finding[] = [];
  const at = now.getTime();
  for (const ws of plan.workspaces) {
    for (const keys of entryKeys(desired, live, ws)) {
      const base = {
        workspace: ws.name,
        entryId: keys.entry.id,
        ...(keys.entry.source ? { source: keys.entry.source } : {}),
      };
      if (keys.entry.enabled && keys.entry.deliver.length === 0) {
        // The planner leaves out a due rotation of an entry without sinks (apply could only fail on
        // it): no scheduled run rotates it, so once it is due this is an error, not only a warning.
        const state = ws.entries.find((e) => e.entryId === keys.entry.id);
        const due = state?.unrotatable === "no_sinks";
        found.push({
          ...base,
          kind: "cannot-rotate",
          severity: due ? "error" : "warning",
          ...(keys.current ? { key: keyRef(keys.current.key, keys.current.marker.generation) } : {}),
          evidence: { sinks: 0, rotationDue: due },
          fix: "add-sink",
        });
      }
      if (keys.entry.enabled && keys.current)
        found.push(...currentKeyFindings(keys.entry, keys.current, at, options).map((f) => ({ ...base, ...f })));
      for (const successor of keys.successors) {
        const touched = lastTouched(successor.key);
        const leaseEnd = touched + plan.options.inFlightLeaseSeconds * SECOND;
        if (!(at > leaseEnd)) continue;
        found.push({
          ...base,
          kind: "stuck",
          severity: "error",
          key: keyRef(successor.key, successor.marker.generation),
          evidence: {
            phase: successor.marker.phase,
            sinksDone: successor.marker.progress?.done ?? null,
            sinksTotal: successor.marker.progress?.total ?? null,
            lastTouchedAt: isoOrNull(touched),
            leaseSeconds: plan.options.inFlightLeaseSeconds,
          },
          fix: "run-apply",
        });
      }
      if (keys.current) {
        const promoted = promotedAtMs(keys.current);
        const drainEnd = promoted + keys.entry.rotation.drainWindowSeconds * SECOND;
        for (const previous of keys.previous) {
          const lastUsed = ms(previous.key.last_used_at);
          if (!(lastUsed > drainEnd)) continue;
          found.push({
            ...base,
            kind: "straggler",
            severity: "warning",
            key: keyRef(previous.key, previous.marker.generation),
            evidence: {
              lastUsedAt: isoOrNull(lastUsed),
              successorPromotedAt: isoOrNull(promoted),
              drainWindowSeconds: keys.entry.rotation.drainWindowSeconds,
              successorGeneration: keys.current.marker.generation,
            },
            fix: "update-consumer",
          });
        }
      }
    }
    for (const action of ws.actions) {
      if (action.kind !== "drift") continue;
      const key = live.workspaces.find((w) => w.name === ws.name)?.keys.find((k) => k.id === action.keyId);
      found.push({
        workspace: ws.name,
        kind: "unmanaged",
        severity: "warning",
        key: key ? keyRef(key) : { id: action.keyId, name: action.keyName ?? action.keyId },
        evidence: { status: key?.status ?? null, lastUsedAt: key?.last_used_at ?? null, policy: action.operation },
        fix: "manage-or-retire",
      });
    }
  }
  return found;
}

type KeyFinding = Omit<Finding, "workspace" | "entryId" | "source">;

/** expired / expiring / overdue / unused, for the current key of an enabled entry. */
function currentKeyFindings(
  entry: DesiredKey,
  current: MarkedKey,
  at: number,
  options: LifecycleOptions,
): KeyFinding[] {
  const key = current.key;
  const ref = keyRef(key, current.marker.generation);
  const created = ms(key.created_at);
  const expires = ms(key.expires_at);
  const found: KeyFinding[] = [];
  if (Number.isFinite(expires) && expires <= at) {
    found.push({
      kind: "expired",
      severity: "error",
      key: ref,
      evidence: { expiresAt: isoOrNull(expires) },
      fix: "run-apply",
    });
  } else if (Number.isFinite(expires) && expires - at <= expiryMarginMs(created, expires, entry)) {
    found.push({
      kind: "expiring",
      severity: "error",
      key: ref,
      evidence: {
        expiresAt: isoOrNull(expires),
        daysLeft: Math.floor((expires - at) / DAY),
        rotateBeforeExpiryDays: entry.rotation.rotateBeforeExpiryDays,
      },
      fix: "run-apply",
    });
  }
  const limitDays = entry.rotation.maxAgeDays + options.maxOverdueDays;
  if (Number.isFinite(created) && at - created > limitDays * DAY) {
    found.push({
      kind: "overdue",
      severity: "error",
      key: ref,
      evidence: {
        createdAt: isoOrNull(created),
        ageDays: Math.floor((at - created) / DAY),
        maxAgeDays: entry.rotation.maxAgeDays,
        maxOverdueDays: options.maxOverdueDays,
      },
      fix: "run-apply",
    });
  }
  if (key.status === "active") {
    const lastUsed = ms(key.last_used_at);
    const silentSince = Number.isFinite(lastUsed) ? lastUsed : created;
    if (Number.isFinite(silentSince) && at - silentSince > options.monitor.unusedDays * DAY) {
      found.push({
        kind: "unused",
        severity: "warning",
        key: ref,
        evidence: {
          lastUsedAt: isoOrNull(lastUsed),
          createdAt: isoOrNull(created),
          idleDays: Math.floor((at - silentSince) / DAY),
          unusedDays: options.monitor.unusedDays,
        },
        fix: "deactivate",
      });
    }
  }
  return found;
}

// When an entry's current key must be rotated, and the create/rotate actions that start a
// successor. A rotation is one composite action: create -> deliver -> verify -> promote, all in the
// run that holds the new secret.
import type { DesiredKey } from "../desired.js";
import { withMarker } from "../marker.js";
import {
  rotationTriggers as TRIGGER_ORDER,
  type AttributeChange,
  type CreateAction,
  type KeyOperation,
  type Reason,
  type RotateAction,
  type RotationTrigger,
  type TriggerFacts,
} from "../model.js";
import { planAction } from "./action.js";
import type { EntryKeys } from "./classify.js";
import type { WorkspaceContext } from "./context.js";
import { entryExpiry, expiryChanged, keyExpiry, lifetimeDays, sinkRef } from "./describe.js";
import { isActive, isExpired, scopeList, type MarkedKey } from "./keys.js";
import { successorSpec } from "./successor.js";
import { DAY, earliest, HOUR, isoOrNull, SECOND } from "./time.js";

export interface Triggers {
  /** Most pressing first (the order of `rotationTriggers`): the first is the one the plan names. */
  reasons: RotationTrigger[];
  /** What each phrase names, same order. */
  facts: TriggerFacts[];
}

/** How long before expiry a key rotates: never more than half its lifetime, or it would rotate forever. */
export function expiryMarginMs(key: MarkedKey, entry: DesiredKey): number {
  const lifetime = key.expiresMs - key.createdMs;
  const margin = entry.rotation.rotateBeforeExpiryDays * DAY;
  return Number.isFinite(lifetime) ? Math.min(margin, lifetime / 2) : margin;
}

/**
 * How much earlier than `maxAgeDays` this entry rotates: a deterministic offset in [0, spread)
 * from its id, so keys created together rotate on different days (and never after maxAgeDays).
 * The spread is capped at half the maximum age, or a short-lived key would rotate at once.
 */
export function spreadOffsetMs(entry: DesiredKey): number {
  const spread = Math.min((entry.rotation.spreadSeconds ?? 0) * SECOND, (entry.rotation.maxAgeDays * DAY) / 2);
  if (!(spread > 0)) return 0;
  // FNV-1a over the id: cheap (a plan computes one per entry) and stable across runs and machines.
  let hash = 0x811c9dc5;
  for (let i = 0; i < entry.id.length; i++) hash = Math.imul(hash ^ entry.id.charCodeAt(i), 0x01000193) >>> 0;
  // Ids that differ only in their last characters (svc-01, svc-02) differ in the low bits: mix them
  // into the high ones (murmur3's finalizer), which pick the offset.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0;
  hash = (hash ^ (hash >>> 16)) >>> 0;
  return Math.floor((hash / 0x1_0000_0000) * (spread / HOUR)) * HOUR;
}

/** When the current key is due by age: `maxAgeDays` after its creation, less the entry's spread offset. */
export function dueByAgeMs(key: MarkedKey, entry: DesiredKey): number {
  return key.createdMs + entry.rotation.maxAgeDays * DAY - spreadOffsetMs(entry);
}

/** When the current key next needs a rotation by age or expiry (ms, NaN when never). */
export function nextRotationDue(key: MarkedKey, entry: DesiredKey): number {
  const byAge = dueByAgeMs(key, entry);
  const expires = key.expiresMs;
  // A key that never expires needs no margin (nor its times read for one).
  const byExpiry = Number.isFinite(expires) ? expires - expiryMarginMs(key, entry) : Number.NaN;
  return earliest(byAge, byExpiry);
}

/** Whether a list of `rotate` ids names this entry: by its id, or as `workspace/id` (what --exposed-to passes). */
function isNamed(ctx: WorkspaceContext, ids: readonly string[], entry: DesiredKey): boolean {
  return ids.length > 0 && (ids.includes(entry.id) || ids.includes(`${ctx.workspace}/${entry.id}`));
}

/** How the entry's current key is compromised, if it is: from its marker, or asked for in this plan. */
export function compromiseOf(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
): "after-successor" | "revoke-first" | undefined {
  const asked = isNamed(ctx, ctx.options.compromised, entry);
  // --revoke-first can only make an emergency more urgent, never less.
  if (current.marker.compromised === "revoke-first" || (asked && ctx.options.revokeFirst)) return "revoke-first";
  if (current.marker.compromised !== undefined || asked) return "after-successor";
  return undefined;
}

export function rotationTriggers(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  keys: EntryKeys,
): Triggers {
  const key = current.key;
  // Most keys have no trigger: the record of what was found is made at the first one.
  let found: Partial<Record<RotationTrigger, TriggerFacts>> | null = null;
  const compromise = compromiseOf(ctx, entry, current);
  if (compromise !== undefined) {
    found = { compromised: { reason: "compromised", revokeFirst: compromise === "revoke-first" } };
  }
  const expired = isExpired(current, ctx.now);
  if (expired) {
    found ??= {};
    found.expired = { reason: "expired", expiresAt: isoOrNull(current.expiresMs) };
  }
  if (scopeList(key.scopes ?? []) !== scopeList(entry.scopes)) {
    found ??= {};
    found.scopes_changed = { reason: "scopes_changed", before: key.scopes ?? [], after: entry.scopes };
  }
  if (expiryChanged(key, entry)) {
    found ??= {};
    found.expiry_changed = {
      reason: "expiry_changed",
      beforeDays: knownOr(lifetimeDays(key)),
      afterDays: entry.expiresInDays,
    };
  }
  if (keys.partial.length > 0 || keys.abandoned.length > 0) {
    const left = [...keys.partial];
    for (const k of keys.abandoned) if (k.marker.generation > current.marker.generation) left.push(k);
    if (left.length > 0) {
      found ??= {};
      found.successor_abandoned = {
        reason: "successor_abandoned",
        generations: left.map((k) => k.marker.generation),
      };
    }
  }
  if (isNamed(ctx, ctx.options.forceRotate, entry)) {
    found ??= {};
    found.manual = { reason: "manual" };
  }
  const age = ctx.now - current.createdMs;
  const offset = spreadOffsetMs(entry);
  if (age >= entry.rotation.maxAgeDays * DAY - offset) {
    found ??= {};
    found.max_age = { reason: "max_age", ageMs: age, maxAgeDays: entry.rotation.maxAgeDays, spreadMs: offset };
  }
  const untilExpiry = current.expiresMs - ctx.now;
  if (!expired && Number.isFinite(untilExpiry) && untilExpiry <= expiryMarginMs(current, entry)) {
    found ??= {};
    found.expiring = { reason: "expiring", inMs: untilExpiry, expiresAt: isoOrNull(current.expiresMs) };
  }
  if (found === null) return NO_TRIGGERS;
  const triggers: Triggers = { reasons: [], facts: [] };
  for (const reason of TRIGGER_ORDER) {
    const facts = found[reason];
    if (facts === undefined) continue;
    triggers.reasons.push(reason);
    triggers.facts.push(facts);
  }
  return triggers;
}

/** What most keys have: nothing due. Frozen, as it is shared. */
const NO_TRIGGERS: Triggers = Object.freeze({
  reasons: Object.freeze([]) as unknown as RotationTrigger[],
  facts: Object.freeze([]) as unknown as TriggerFacts[],
});

/** A lifetime in days, or "unknown" when the key's times cannot be read. */
function knownOr(days: number | null): number | null | "unknown" {
  return days === null || Number.isFinite(days) ? days : "unknown";
}

/** What the executor needs to make, deliver and promote key #generation of the entry. */
function newSuccessor(ctx: WorkspaceContext, entry: DesiredKey, generation: number) {
  return successorSpec({
    workspace: ctx.workspace,
    workspaceId: ctx.workspaceId,
    entry,
    generation,
    promotedAt: nowSeconds(ctx),
  });
}

function nowSeconds(ctx: WorkspaceContext): number {
  return Math.floor(ctx.now / 1000);
}

function newKeyAttributes(entry: DesiredKey): AttributeChange[] {
  return [
    { name: "name", before: null, after: entry.name },
    { name: "description", before: null, after: entry.description },
    { name: "scopes", before: null, after: entry.scopes },
    { name: "expires", before: null, after: entryExpiry(entry) },
    { name: "deliver", before: null, after: entry.deliver.map(sinkRef) },
  ];
}

export function createAction(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  generation: number,
  reason: "missing" | "successor_abandoned",
): CreateAction {
  return planAction<CreateAction>(
    "create",
    { workspace: ctx.workspace, entryId: entry.id, keyName: entry.name, generation },
    reason,
    { say: "create" },
    {
      attributes: newKeyAttributes(entry),
      successor: newSuccessor(ctx, entry, generation),
    },
  );
}

export function rotateAction(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  generation: number,
  triggers: Triggers,
): RotateAction {
  const key = current.key;
  const scopesDiffer = triggers.reasons.includes("scopes_changed");
  const expiryDiffers = triggers.reasons.includes("expiry_changed");
  const attributes: AttributeChange[] = [
    {
      name: "key",
      before: { generation: current.marker.generation, prefix: key.prefix, id: key.id },
      after: { generation, new: true },
    },
    {
      name: "scopes",
      before: key.scopes ?? [],
      after: entry.scopes,
      ...(scopesDiffer ? { forcesReplacement: true } : {}),
    },
    expiryDiffers
      ? { name: "expires", before: keyExpiry(key), after: entryExpiry(entry), forcesReplacement: true }
      : { name: "expires", before: entryExpiry(entry), after: entryExpiry(entry) },
  ];
  if (key.name !== entry.name) attributes.push({ name: "name", before: key.name, after: entry.name });
  if (current.text !== entry.description) {
    attributes.push({ name: "description", before: current.text, after: entry.description });
  }
  attributes.push({ name: "deliver", before: null, after: entry.deliver.map(sinkRef) });
  const replace = scopesDiffer || expiryDiffers;
  const reason = triggers.reasons[0] ?? "manual";
  const compromise = compromiseOf(ctx, entry, current);
  const operations: KeyOperation[] = [];
  if (compromise !== undefined) {
    // Written on the old key before anything else, so a crash at any later point leaves the
    // emergency on record and the next run finishes it instead of falling back to a drain.
    if (current.marker.compromised !== compromise) {
      operations.push({
        op: "update",
        keyId: key.id,
        body: { description: withMarker(current.text, { ...current.marker, compromised: compromise }) },
      });
    }
    if (compromise === "revoke-first" && isActive(key)) operations.push({ op: "deactivate", keyId: key.id });
    attributes.unshift({
      name: "old key",
      before: { generation: current.marker.generation },
      after: { compromised: compromise },
    });
  }
  const nextRotation = isoOrNull(ctx.now + entry.rotation.maxAgeDays * DAY - spreadOffsetMs(entry));
  if (nextRotation !== null) attributes.push({ name: "next rotation", before: null, after: nextRotation });
  return planAction<RotateAction>(
    "rotate",
    {
      workspace: ctx.workspace,
      entryId: entry.id,
      keyId: key.id,
      keyName: key.name,
      generation: current.marker.generation,
    },
    reason,
    { say: "rotate", triggers: triggers.facts },
    {
      reasons: triggers.reasons,
      attributes,
      operations,
      replace,
      emergency: compromise !== undefined ? { keyId: key.id, revokeFirst: compromise === "revoke-first" } : undefined,
      dueAt: dueAt(ctx, entry, current, triggers),
      successor: newSuccessor(ctx, entry, generation),
    },
  );
}

/** Reasons a rotation is never queued behind `maxPerRun`: someone asked for it now. */
export const UNQUEUED_REASONS: readonly Reason[] = ["compromised", "manual"];

/**
 * When a rotation by age or expiry became due (it orders the queue of `maxPerRun`: most overdue
 * first). Absent for the other triggers, which go first.
 */
function dueAt(ctx: WorkspaceContext, entry: DesiredKey, current: MarkedKey, triggers: Triggers): string | undefined {
  const onSchedule = triggers.reasons.every((r) => r === "max_age" || r === "expiring");
  if (!onSchedule) return undefined;
  return isoOrNull(Math.min(nextRotationDue(current, entry), ctx.now)) ?? undefined;
}

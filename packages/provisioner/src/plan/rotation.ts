// When an entry's current key must be rotated, and the create/rotate actions that start a
// successor. A rotation is one composite action: create -> deliver -> verify -> promote, all in the
// run that holds the new secret.
import type { DesiredKey } from "../desired.js";
import { withMarker } from "../marker.js";
import type { AttributeChange, CreateAction, KeyOperation, Reason, RotateAction } from "../model.js";
import type { EntryKeys } from "./classify.js";
import { compact } from "./compact.js";
import type { WorkspaceContext } from "./context.js";
import { expiryChanged, expiryOfEntry, expiryOfKey, keyRef, lifetimeLabel, quoted, sinkLabel } from "./describe.js";
import { isActive, isExpired, scopeList, type MarkedKey } from "./keys.js";
import { successorSpec } from "./successor.js";
import { DAY, earliest, formatDuration, formatIsoWhen, formatWhen, HOUR, isoOrNull, ms, SECOND } from "./time.js";

/** Most pressing first: the first reason is the one the plan names. */
const REASON_ORDER: Reason[] = [
  "compromised",
  "expired",
  "scopes_changed",
  "expiry_changed",
  "successor_abandoned",
  "manual",
  "max_age",
  "expiring",
];

export interface Triggers {
  reasons: Reason[];
  /** One phrase per reason, same order. */
  details: string[];
}

/** How long before expiry a key rotates: never more than half its lifetime, or it would rotate forever. */
export function expiryMarginMs(key: MarkedKey["key"], entry: DesiredKey): number {
  const lifetime = ms(key.expires_at) - ms(key.created_at);
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
export function dueByAgeMs(key: MarkedKey["key"], entry: DesiredKey): number {
  return ms(key.created_at) + entry.rotation.maxAgeDays * DAY - spreadOffsetMs(entry);
}

/** When the current key next needs a rotation by age or expiry (ms, NaN when never). */
export function nextRotationDue(key: MarkedKey["key"], entry: DesiredKey): number {
  const byAge = dueByAgeMs(key, entry);
  const expires = ms(key.expires_at);
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
  const found = new Map<Reason, string>();
  const compromise = compromiseOf(ctx, entry, current);
  if (compromise !== undefined) {
    found.set(
      "compromised",
      compromise === "revoke-first"
        ? "compromised: deactivated first, its consumers fail until the new key reaches them"
        : "compromised: revoked as soon as the new key is verified, no drain",
    );
  }
  if (isExpired(key, ctx.now)) found.set("expired", `expired on ${formatWhen(ms(key.expires_at))}`);
  if (scopeList(key.scopes ?? []) !== scopeList(entry.scopes)) {
    found.set("scopes_changed", `scopes changed: ${scopeList(key.scopes ?? [])} -> ${scopeList(entry.scopes)}`);
  }
  if (expiryChanged(key, entry))
    found.set("expiry_changed", `expiry changed: ${lifetimeLabel(key)} -> ${expiryOfEntry(entry)}`);
  const left = [...keys.partial];
  for (const k of keys.abandoned) if (k.marker.generation > current.marker.generation) left.push(k);
  if (left.length > 0) {
    found.set(
      "successor_abandoned",
      `successor ${left.map((k) => `#${k.marker.generation}`).join(", ")} left unfinished by an earlier run`,
    );
  }
  if (isNamed(ctx, ctx.options.forceRotate, entry)) found.set("manual", "requested with timely-keys rotate");
  const age = ctx.now - ms(key.created_at);
  const offset = spreadOffsetMs(entry);
  if (age >= entry.rotation.maxAgeDays * DAY - offset) {
    const early = offset > 0 ? ` less ${formatDuration(offset)} of spread` : "";
    found.set("max_age", `max age: ${formatDuration(age)} old >= ${entry.rotation.maxAgeDays}d${early}`);
  }
  const untilExpiry = ms(key.expires_at) - ctx.now;
  if (!found.has("expired") && Number.isFinite(untilExpiry) && untilExpiry <= expiryMarginMs(key, entry)) {
    found.set("expiring", `expires in ${formatDuration(untilExpiry)}, on ${formatWhen(ms(key.expires_at))}`);
  }
  const triggers: Triggers = { reasons: [], details: [] };
  for (const reason of REASON_ORDER) {
    const detail = found.get(reason);
    if (detail === undefined) continue;
    triggers.reasons.push(reason);
    triggers.details.push(detail);
  }
  return triggers;
}

function nowSeconds(ctx: WorkspaceContext): number {
  return Math.floor(ctx.now / 1000);
}

function newKeyAttributes(entry: DesiredKey): AttributeChange[] {
  return [
    { name: "name", before: null, after: quoted(entry.name) },
    { name: "description", before: null, after: quoted(entry.description) },
    { name: "scopes", before: null, after: scopeList(entry.scopes) },
    { name: "expires", before: null, after: expiryOfEntry(entry) },
    {
      name: "deliver",
      before: null,
      after: entry.deliver.length === 0 ? "(no sinks)" : entry.deliver.map(sinkLabel).join(", "),
    },
  ];
}

export function createAction(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  generation: number,
  reason: "missing" | "successor_abandoned",
): CreateAction {
  const summary =
    reason === "missing"
      ? `create ${quoted(entry.name)} (#${generation}): create, deliver to ${entry.deliver.length} sink(s), verify`
      : `create ${quoted(entry.name)} (#${generation}) again: the earlier attempt was left unfinished`;
  return compact<CreateAction>({
    kind: "create",
    workspace: ctx.workspace,
    entryId: entry.id,
    keyName: entry.name,
    generation,
    reason,
    reasons: [reason],
    summary,
    mutates: true,
    attributes: newKeyAttributes(entry),
    operations: [],
    successor: successorSpec({
      workspace: ctx.workspace,
      workspaceId: ctx.workspaceId,
      entry,
      generation,
      promotedAt: nowSeconds(ctx),
    }),
  });
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
    { name: "key", before: keyRef(key, current.marker.generation), after: `#${generation} (new key)` },
    {
      name: "scopes",
      before: scopeList(key.scopes ?? []),
      after: scopeList(entry.scopes),
      ...(scopesDiffer ? { forcesReplacement: true } : {}),
    },
    expiryDiffers
      ? { name: "expires", before: expiryOfKey(key), after: expiryOfEntry(entry), forcesReplacement: true }
      : { name: "expires", before: expiryOfEntry(entry), after: expiryOfEntry(entry) },
  ];
  if (key.name !== entry.name) attributes.push({ name: "name", before: quoted(key.name), after: quoted(entry.name) });
  if (current.text !== entry.description) {
    attributes.push({ name: "description", before: quoted(current.text), after: quoted(entry.description) });
  }
  attributes.push({
    name: "deliver",
    before: null,
    after: entry.deliver.length === 0 ? "(no sinks)" : entry.deliver.map(sinkLabel).join(", "),
  });
  const replace = scopesDiffer || expiryDiffers;
  const reason = triggers.reasons[0] ?? "manual";
  const compromise = compromiseOf(ctx, entry, current);
  const operations: KeyOperation[] = [];
  let summary = `rotation 1/6: ${replace ? "replace" : "rotate"} ${quoted(entry.name)} #${current.marker.generation} -> #${generation} (${triggers.details.join("; ")})`;
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
    const old = `#${current.marker.generation}`;
    summary =
      compromise === "revoke-first"
        ? `rotation 1/6: compromised: deactivate ${quoted(entry.name)} ${old} first (downtime: its consumers fail until #${generation} reaches them), then create #${generation}, deliver, verify, promote, and revoke ${old}`
        : `rotation 1/6: compromised: rotate ${quoted(entry.name)} ${old} -> #${generation}, then deactivate and revoke ${old} at once (no drain); if delivery or verification fails, ${old} stays active`;
    attributes.unshift({
      name: "old key",
      before: `${old} active`,
      after: compromise === "revoke-first" ? "deactivated first, then revoked" : "revoked once the new key is verified",
    });
  }
  const nextRotation = isoOrNull(ctx.now + entry.rotation.maxAgeDays * DAY - spreadOffsetMs(entry));
  if (nextRotation !== null)
    attributes.push({ name: "next rotation", before: null, after: formatIsoWhen(nextRotation) });
  return compact<RotateAction>({
    kind: "rotate",
    workspace: ctx.workspace,
    entryId: entry.id,
    keyId: key.id,
    keyName: key.name,
    generation: current.marker.generation,
    reason,
    reasons: triggers.reasons,
    summary,
    mutates: true,
    attributes,
    operations,
    replace,
    ...(compromise !== undefined ? { emergency: { keyId: key.id, revokeFirst: compromise === "revoke-first" } } : {}),
    ...(dueAt(ctx, entry, current, triggers) ?? {}),
    successor: successorSpec({
      workspace: ctx.workspace,
      workspaceId: ctx.workspaceId,
      entry,
      generation,
      promotedAt: nowSeconds(ctx),
    }),
  });
}

/** Reasons a rotation is never queued behind `maxPerRun`: someone asked for it now. */
export const UNQUEUED_REASONS: readonly Reason[] = ["compromised", "manual"];

/**
 * When a rotation by age or expiry became due (it orders the queue of `maxPerRun`: most overdue
 * first). Absent for the other triggers, which go first.
 */
function dueAt(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  triggers: Triggers,
): { dueAt: string } | undefined {
  const onSchedule = triggers.reasons.every((r) => r === "max_age" || r === "expiring");
  if (!onSchedule) return undefined;
  const due = isoOrNull(Math.min(nextRotationDue(current.key, entry), ctx.now));
  return due === null ? undefined : { dueAt: due };
}

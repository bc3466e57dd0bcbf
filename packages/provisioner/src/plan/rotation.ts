// When an entry's current key must be rotated, and the create/rotate actions that start a
// successor. A rotation is one composite action: create -> deliver -> verify -> promote, all in the
// run that holds the new secret.
import type { DesiredKey } from "../desired.js";
import type { AttributeChange, CreateAction, Reason, RotateAction } from "../model.js";
import type { EntryKeys } from "./classify.js";
import { compact } from "./compact.js";
import type { WorkspaceContext } from "./context.js";
import { expiryChanged, expiryOfEntry, expiryOfKey, keyRef, lifetimeLabel, quoted, sinkLabel } from "./describe.js";
import { isExpired, scopeList, type MarkedKey } from "./keys.js";
import { successorSpec } from "./successor.js";
import { DAY, earliest, formatDuration, formatWhen, ms } from "./time.js";

/** Most pressing first: the first reason is the one the plan names. */
const REASON_ORDER: Reason[] = [
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

/** When the current key next needs a rotation by age or expiry (ms, NaN when never). */
export function nextRotationDue(key: MarkedKey["key"], entry: DesiredKey): number {
  const byAge = ms(key.created_at) + entry.rotation.maxAgeDays * DAY;
  const expires = ms(key.expires_at);
  // A key that never expires needs no margin (nor its times read for one).
  const byExpiry = Number.isFinite(expires) ? expires - expiryMarginMs(key, entry) : Number.NaN;
  return earliest(byAge, byExpiry);
}

export function rotationTriggers(ctx: WorkspaceContext, entry: DesiredKey, current: MarkedKey, keys: EntryKeys): Triggers {
  const key = current.key;
  const found = new Map<Reason, string>();
  if (isExpired(key, ctx.now)) found.set("expired", `expired on ${formatWhen(ms(key.expires_at))}`);
  if (scopeList(key.scopes ?? []) !== scopeList(entry.scopes)) {
    found.set("scopes_changed", `scopes changed: ${scopeList(key.scopes ?? [])} -> ${scopeList(entry.scopes)}`);
  }
  if (expiryChanged(key, entry)) found.set("expiry_changed", `expiry changed: ${lifetimeLabel(key)} -> ${expiryOfEntry(entry)}`);
  const left = [...keys.partial];
  for (const k of keys.abandoned) if (k.marker.generation > current.marker.generation) left.push(k);
  if (left.length > 0) {
    found.set("successor_abandoned", `successor ${left.map((k) => `#${k.marker.generation}`).join(", ")} left unfinished by an earlier run`);
  }
  if (ctx.options.forceRotate.includes(entry.id)) found.set("manual", "requested with timely-keys rotate");
  const age = ctx.now - ms(key.created_at);
  const maxAge = entry.rotation.maxAgeDays * DAY;
  if (age >= maxAge) found.set("max_age", `max age: ${formatDuration(age)} old >= ${entry.rotation.maxAgeDays}d`);
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
    { name: "deliver", before: null, after: entry.deliver.length === 0 ? "(no sinks)" : entry.deliver.map(sinkLabel).join(", ") },
  ];
}

export function createAction(ctx: WorkspaceContext, entry: DesiredKey, generation: number, reason: "missing" | "successor_abandoned"): CreateAction {
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
    successor: successorSpec({ workspace: ctx.workspace, workspaceId: ctx.workspaceId, entry, generation, promotedAt: nowSeconds(ctx) }),
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
    { name: "scopes", before: scopeList(key.scopes ?? []), after: scopeList(entry.scopes), ...(scopesDiffer ? { forcesReplacement: true } : {}) },
    expiryDiffers
      ? { name: "expires", before: expiryOfKey(key), after: expiryOfEntry(entry), forcesReplacement: true }
      : { name: "expires", before: expiryOfEntry(entry), after: expiryOfEntry(entry) },
  ];
  if (key.name !== entry.name) attributes.push({ name: "name", before: quoted(key.name), after: quoted(entry.name) });
  if (current.text !== entry.description) {
    attributes.push({ name: "description", before: quoted(current.text), after: quoted(entry.description) });
  }
  attributes.push({ name: "deliver", before: null, after: entry.deliver.length === 0 ? "(no sinks)" : entry.deliver.map(sinkLabel).join(", ") });
  const replace = scopesDiffer || expiryDiffers;
  const reason = triggers.reasons[0] ?? "manual";
  return compact<RotateAction>({
    kind: "rotate",
    workspace: ctx.workspace,
    entryId: entry.id,
    keyId: key.id,
    keyName: key.name,
    generation: current.marker.generation,
    reason,
    reasons: triggers.reasons,
    summary: `rotation 1/6: ${replace ? "replace" : "rotate"} ${quoted(entry.name)} #${current.marker.generation} -> #${generation} (${triggers.details.join("; ")})`,
    mutates: true,
    attributes,
    operations: [],
    replace,
    successor: successorSpec({ workspace: ctx.workspace, workspaceId: ctx.workspaceId, entry, generation, promotedAt: nowSeconds(ctx) }),
  });
}

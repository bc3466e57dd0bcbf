// One manifest entry against its live keys: the rotation state machine. Reads only markers and
// live fields; returns the entry's actions and where its rotation stands.
import type { DesiredKey } from "../desired.js";
import { formatMarker, stripMarker } from "../marker.js";
import type { AttributeChange, EntryFacts, EntryState, KeyAction, PlanAction, WaitAction } from "../model.js";
import { keyRefs, planAction } from "./action.js";
import { classifyEntryKeys, type EntryKeys } from "./classify.js";
import { warn, type WorkspaceContext } from "./context.js";
import { planCurrentKey } from "./current.js";
import { currentDescription } from "./describe.js";
import { isActive, lastTouched, markedViewOf, type KeyView, type MarkedKey } from "./keys.js";
import { isHeld, planPreviousKeys, planRollback } from "./previous.js";
import {
  compromiseOf,
  createAction,
  nextRotationDue,
  rotateAction,
  rotationTriggers,
  spreadOffsetMs,
} from "./rotation.js";
import { withMarker } from "../marker.js";
import { agoMs, DAY, isoOrNull, ms, SECOND } from "./time.js";
import { appendAll, minOf } from "../append.js";

export interface EntryPlan {
  actions: PlanAction[];
  state: EntryState;
}

/**
 * @param marked the live keys whose marker names this entry
 * @param adoptable the unmarked live key the entry claims with `adopt`, if any
 */
export function planEntry(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  marked: readonly MarkedKey[],
  adoptable: KeyView | null,
): EntryPlan {
  const actions: PlanAction[] = [];
  let keys = marked;
  if (adoptable !== null && keys.every(isPending)) {
    const generation = keys.reduce((max, k) => Math.max(max, k.marker.generation), 0) + 1;
    const adopted = adoptAction(ctx, entry, adoptable, generation);
    actions.push(adopted.action);
    keys = [...keys, adopted.view];
  }
  const roles = classifyEntryKeys(keys, ctx.now, ctx.options.inFlightLeaseSeconds * SECOND);
  if (roles.duplicates.length > 0 && roles.current !== null) {
    warn(
      ctx,
      {
        code: "duplicate_current",
        count: roles.duplicates.length + 1,
        generation: roles.current.marker.generation,
        name: roles.current.key.name,
        keyId: roles.current.key.id,
      },
      { entryId: entry.id },
    );
  }
  for (const key of roles.abandoned) actions.push(revokeAbandoned(ctx, entry, key));
  const inFlight: readonly PlanAction[] =
    roles.inFlight.length === 0 ? NO_ACTIONS : roles.inFlight.map((key) => inFlightWait(ctx, entry, key));

  if (!entry.enabled) return planDisabled(ctx, entry, roles, actions, inFlight);

  const current = roles.current;
  if (current === null) {
    if (inFlight.length > 0) {
      appendAll(actions, inFlight);
    } else {
      const leftBehind = roles.abandoned.length + roles.partial.length > 0;
      if (entry.deliver.length === 0) {
        // Apply could only fail on it (a new secret would reach no one): a warning with the fix instead.
        warn(ctx, { code: "no_sinks_new" }, { entryId: entry.id });
        const state = stateOf(entry, null, "new", undefined, { say: "no-key-no-sinks" }, null);
        state.unrotatable = "no_sinks";
        return { actions, state };
      }
      actions.push(createAction(ctx, entry, roles.maxGeneration + 1, leftBehind ? "successor_abandoned" : "missing"));
    }
    return { actions, state: withNextRotation(ctx, entry, null, actions, entryState(entry, null, actions, 0)) };
  }

  const triggers = rotationTriggers(ctx, entry, current, roles);
  // An entry without sinks is never rotated (apply could only fail on it): its key is due, not stuck.
  const blocked = triggers.reasons.length > 0 && inFlight.length === 0 && entry.deliver.length === 0;
  const rotating = triggers.reasons.length > 0 && inFlight.length === 0 && !blocked;
  appendAll(actions, planCurrentKey(ctx, entry, current, rotating));
  if (blocked) {
    warn(ctx, { code: "no_sinks_due", triggers: triggers.facts }, { entryId: entry.id });
  }
  if (rotating) {
    actions.push(rotateAction(ctx, entry, current, roles.maxGeneration + 1, triggers));
  } else if (!blocked && triggers.reasons.includes("compromised")) {
    const record = compromiseRecord(ctx, entry, current);
    if (record.operations.length > 0) actions.push(record);
    warn(ctx, { code: "compromised_in_flight" }, { entryId: entry.id });
  } else if (triggers.reasons.includes("manual")) {
    warn(ctx, { code: "manual_in_flight" }, { entryId: entry.id });
  }
  appendAll(actions, inFlight);
  const rollback = planRollback(ctx, entry, current, roles.previous);
  appendAll(actions, rollback.actions);
  appendAll(actions, planPreviousKeys(ctx, entry, current, roles.previous, rollback.held));
  let heldCount = 0;
  for (const k of roles.previous) if (rollback.held.has(k.key.id) || isHeld(k, current)) heldCount += 1;
  const state = entryState(entry, current, actions, heldCount);
  if (blocked) {
    state.unrotatable = "no_sinks";
    state.facts = { say: "due-no-sinks", triggers: triggers.facts };
  }
  return { actions, state: withNextRotation(ctx, entry, current, actions, state) };
}

/** No successor in flight (nearly every entry): shared, frozen. */
const NO_ACTIONS: readonly PlanAction[] = Object.freeze([]);

function isPending(key: MarkedKey): boolean {
  return key.marker.phase === "pending";
}

/** Whether the plan makes the entry a new key (a rotation or a create). */
function startsKey(actions: readonly PlanAction[]): boolean {
  for (const action of actions) if (action.kind === "rotate" || action.kind === "create") return true;
  return false;
}

/** The state with `nextRotationAt`: when the current key, or the key this plan makes, is next due. */
function withNextRotation(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey | null,
  actions: PlanAction[],
  state: EntryState,
): EntryState {
  let due: number;
  if (startsKey(actions)) {
    const byAge = ctx.now + entry.rotation.maxAgeDays * DAY - spreadOffsetMs(entry);
    const lifetime = entry.expiresInDays === null ? Number.NaN : entry.expiresInDays * DAY;
    const byExpiry = ctx.now + lifetime - Math.min(entry.rotation.rotateBeforeExpiryDays * DAY, lifetime / 2);
    due = Number.isFinite(byExpiry) ? Math.min(byAge, byExpiry) : byAge;
  } else if (state.phase === "steady" && state.nextAt !== undefined) {
    // Already worked out for the steady detail.
    state.nextRotationAt = state.nextAt;
    return state;
  } else if (current !== null) {
    due = nextRotationDue(current, entry);
  } else {
    return state;
  }
  const iso = isoOrNull(due);
  if (iso !== null) state.nextRotationAt = iso;
  return state;
}

/** `enabled: false`: no rotation; the current key and every other active key of the entry are deactivated. */
function planDisabled(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  roles: EntryKeys,
  actions: PlanAction[],
  inFlight: readonly PlanAction[],
): EntryPlan {
  if (roles.current !== null) appendAll(actions, planCurrentKey(ctx, entry, roles.current, false));
  for (const key of [...roles.previous, ...roles.duplicates, ...roles.partial]) {
    if (!isActive(key.key)) continue;
    actions.push(
      planAction<KeyAction>(
        "disable",
        keyRefs(ctx, entry, key),
        "enabled_changed",
        { say: "disable-older", name: key.key.name },
        {
          attributes: [{ name: "status", before: "active", after: "inactive" }],
          operations: [{ op: "deactivate", keyId: key.key.id }],
        },
      ),
    );
  }
  appendAll(actions, inFlight);
  return { actions, state: entryState(entry, roles.current, actions, 0) };
}

function adoptAction(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  view: KeyView,
  generation: number,
): { action: KeyAction; view: MarkedKey } {
  const key = view.key;
  const wanted = currentDescription(entry.name, entry.description, {
    entryId: entry.id,
    generation,
    phase: "current",
    ...(entry.protect ? { protect: true } : {}),
    // Already inactive as the manifest wants: record that timely-keys keeps it so.
    ...(!entry.enabled && !isActive(key) ? { off: true } : {}),
  });
  const body: { name?: string; description?: string } = { description: wanted.description };
  if (key.name !== entry.name) body.name = entry.name;
  const attributes: AttributeChange[] = [{ name: "marker", before: null, after: formatMarker(wanted.marker) }];
  if (key.name !== entry.name) attributes.push({ name: "name", before: key.name, after: entry.name });
  if (view.text !== stripMarker(wanted.description)) {
    attributes.push({
      name: "description",
      before: view.text,
      after: stripMarker(wanted.description),
    });
  }
  const action = planAction<KeyAction>(
    "adopt",
    { workspace: ctx.workspace, entryId: entry.id, keyId: key.id, keyName: key.name, generation },
    "adopted",
    { say: "adopt", name: key.name },
    { attributes, operations: [{ op: "update", keyId: key.id, body }] },
  );
  // From here on the rules see the key as it will be once adopted.
  const adopted = markedViewOf(
    { ...key, name: entry.name, description: wanted.description },
    wanted.marker,
    stripMarker(wanted.description),
  );
  return { action, view: adopted };
}

/**
 * A compromised current key whose rotation cannot start in this plan (another run is delivering its
 * successor): the compromise is recorded on it now (and with --revoke-first it is deactivated), so
 * it is retired the moment that successor is verified, not drained.
 */
function compromiseRecord(ctx: WorkspaceContext, entry: DesiredKey, current: MarkedKey): KeyAction {
  const mode = compromiseOf(ctx, entry, current) ?? "after-successor";
  const key = current.key;
  const operations: KeyAction["operations"] = [];
  if (current.marker.compromised !== mode) {
    operations.push({
      op: "update",
      keyId: key.id,
      body: { description: withMarker(current.text, { ...current.marker, compromised: mode }) },
    });
  }
  if (mode === "revoke-first" && isActive(key)) operations.push({ op: "deactivate", keyId: key.id });
  return planAction<KeyAction>(
    "update",
    keyRefs(ctx, entry, current),
    "compromised",
    { say: "mark-compromised", name: key.name, revokeFirst: mode === "revoke-first" },
    {
      attributes: [
        { name: "marker", before: null, after: mode === "revoke-first" ? "compromised-first" : "compromised" },
      ],
      operations,
    },
  );
}

function revokeAbandoned(ctx: WorkspaceContext, entry: DesiredKey, key: MarkedKey): KeyAction {
  return planAction<KeyAction>(
    "revoke-abandoned",
    keyRefs(ctx, entry, key),
    "successor_abandoned",
    { say: "revoke-abandoned", name: key.key.name, createdAgoMs: agoMs(ms(key.key.created_at), ctx.now) },
    {
      attributes: [{ name: "status", before: key.key.status, after: "revoked" }],
      operations: [{ op: "revoke", keyId: key.key.id }],
    },
  );
}

function inFlightWait(ctx: WorkspaceContext, entry: DesiredKey, key: MarkedKey): WaitAction {
  const touched = lastTouched(key.key);
  const leaseMs = ctx.options.inFlightLeaseSeconds * SECOND;
  return planAction<WaitAction>(
    "in-flight",
    keyRefs(ctx, entry, key),
    "successor_in_flight",
    {
      say: "in-flight",
      name: key.key.name,
      phase: key.marker.phase === "pending" ? "pending" : "delivering",
      ...(key.marker.progress ? { progress: key.marker.progress } : {}),
      touchedAgoMs: agoMs(touched, ctx.now),
      leaseMs,
    },
    { until: isoOrNull(touched + leaseMs) ?? undefined },
  );
}

/** Actions that tell where an entry's rotation stands, the most telling first. */
const STATE_KINDS: readonly PlanAction["kind"][] = [
  "rotate",
  "create",
  "in-flight",
  "deactivate-previous",
  "drain",
  "revoke-previous",
  "quarantine",
];

/** Where the entry's rotation stands, from the actions just planned. */
function entryState(
  entry: DesiredKey,
  current: MarkedKey | null,
  actions: PlanAction[],
  heldCount: number,
): EntryState {
  if (!entry.enabled) {
    return stateOf(entry, current, "disabled", undefined, { say: "disabled" }, null);
  }
  const found = firstOfKinds(actions, STATE_KINDS);
  if (found === undefined) {
    if (current === null) return stateOf(entry, current, "new", undefined, { say: "no-key" }, null);
    if (heldCount > 0) return stateOf(entry, current, "held", undefined, { say: "held" }, null);
    // The detail names the next rotation when it is known (`nextAt`).
    const dueIso = isoOrNull(nextRotationDue(current, entry));
    return stateOf(entry, current, "steady", undefined, { say: "steady" }, dueIso);
  }
  const facts: EntryFacts = { say: "action", kind: found.kind };
  switch (found.kind) {
    case "create":
      return stateOf(entry, current, found.reason === "missing" ? "new" : "rotating", "1/6", facts, null);
    case "rotate":
      return stateOf(entry, current, "rotating", "1/6", facts, null);
    case "in-flight":
      return stateOf(entry, current, "rotating", "2/6", facts, nextWaitAt(actions));
    case "deactivate-previous":
      return stateOf(entry, current, "draining", "5/6", facts, nextWaitAt(actions));
    case "drain":
      return stateOf(entry, current, "draining", "4/6", facts, nextWaitAt(actions));
    default:
      return stateOf(entry, current, "quarantine", "6/6", facts, nextWaitAt(actions));
  }
}

/**
 * The state, without the fields it has no value for (a plan survives a JSON round trip unchanged),
 * its fields in the order the JSON plan lists them.
 */
function stateOf(
  entry: DesiredKey,
  current: MarkedKey | null,
  phase: EntryState["phase"],
  step: string | undefined,
  facts: EntryFacts,
  nextAt: string | null,
): EntryState {
  const state = { entryId: entry.id, name: entry.name } as EntryState;
  if (current !== null) {
    state.generation = current.marker.generation;
    state.currentKeyId = current.key.id;
  }
  state.phase = phase;
  if (step !== undefined) state.step = step;
  if (nextAt !== null) state.nextAt = nextAt;
  state.facts = facts;
  return state;
}

/** The first action of the first of `kinds` the entry has. */
function firstOfKinds(actions: readonly PlanAction[], kinds: readonly PlanAction["kind"][]): PlanAction | undefined {
  for (const kind of kinds) {
    for (const action of actions) if (action.kind === kind) return action;
  }
  return undefined;
}

/** The soonest `until` of the actions, as ISO text (null when none waits). */
function nextWaitAt(actions: readonly PlanAction[]): string | null {
  const waits: number[] = [];
  for (const action of actions) if (action.until !== undefined) waits.push(ms(action.until));
  return waits.length > 0 ? isoOrNull(minOf(waits)) : null;
}

// The end of a rotation: the keys a newer current key replaced drain (stay active until their last
// use has not moved for the drain window, or the longest grace has passed), are deactivated, sit in
// quarantine (a rollback can still restore them), and are revoked. Nothing here ever touches a key
// unless the entry's current key (verified, newer) is active and unexpired.
import type { DesiredKey } from "../desired.js";
import { withMarker } from "../marker.js";
import type { ActionFacts, KeyAction, KeyOperation, PlanAction, PreviousKeyAction, WaitAction } from "../model.js";
import { planAction, type KeyRefs } from "./action.js";
import { warn, type WorkspaceContext } from "./context.js";
import { isActive, isExpired, type MarkedKey } from "./keys.js";
import { agoMs, isoOrNull, ms, SECOND } from "./time.js";

/** When the current key was promoted (ms): the drain clock of every older key starts there. */
export function promotedAtMs(current: MarkedKey): number {
  if (current.marker.promotedAt !== undefined) return current.marker.promotedAt * SECOND;
  const updated = ms(current.key.updated_at);
  return Number.isFinite(updated) ? updated : current.createdMs;
}

/** A rollback's hold lasts until the entry's next rotation promotes a newer current key. */
export function isHeld(key: MarkedKey, current: MarkedKey): boolean {
  return key.marker.holdFor !== undefined && current.marker.generation <= key.marker.holdFor;
}

export interface RollbackOutcome {
  actions: readonly KeyAction[];
  /** Ids of keys held from this plan on. */
  held: ReadonlySet<string>;
}

const NO_ACTIONS: readonly PlanAction[] = Object.freeze([]);

/** What every entry but the one rolled back gets (shared: nothing reads it but to look). */
const NO_ROLLBACK: RollbackOutcome = Object.freeze({ actions: Object.freeze([]), held: new Set<string>() });

/**
 * `timely-keys rollback ID`: the newest previous key that was once verified comes back (activated
 * when in quarantine) and is marked `hold#<current generation>`, so no plan drains or revokes it
 * until the next rotation.
 */
export function planRollback(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  previous: readonly MarkedKey[],
): RollbackOutcome {
  if (ctx.options.rollback !== entry.id) return NO_ROLLBACK;
  const held = new Set<string>();
  // A compromised key is never brought back.
  const target = previous.filter((k) => k.marker.phase === "current" && k.marker.compromised === undefined).at(-1);
  if (target === undefined) {
    warn(ctx, { code: "nothing_to_roll_back" }, { entryId: entry.id });
    return { actions: [], held };
  }
  held.add(target.key.id);
  const operations: KeyOperation[] = [];
  if (!isActive(target.key)) operations.push({ op: "activate", keyId: target.key.id });
  const description = withMarker(target.text, { ...target.marker, holdFor: current.marker.generation });
  if (description !== target.key.description)
    operations.push({ op: "update", keyId: target.key.id, body: { description } });
  if (operations.length === 0) return { actions: [], held };
  const action = planAction<KeyAction>(
    "rollback",
    {
      workspace: ctx.workspace,
      entryId: entry.id,
      keyId: target.key.id,
      keyName: target.key.name,
      generation: target.marker.generation,
    },
    "rollback_requested",
    {
      say: "rollback",
      name: target.key.name,
      wasActive: isActive(target.key),
      currentGeneration: current.marker.generation,
    },
    {
      attributes: [
        { name: "status", before: target.key.status, after: "active" },
        { name: "hold", before: null, after: { untilNewerThan: current.marker.generation } },
      ],
      operations,
    },
  );
  return { actions: [action], held };
}

/** Drain, deactivate, quarantine and revoke the previous keys of an enabled entry, each when due. */
export function planPreviousKeys(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  previous: readonly MarkedKey[],
  held: ReadonlySet<string>,
): readonly PlanAction[] {
  if (previous.length === 0) return NO_ACTIONS;
  const actions: PlanAction[] = [];
  // Called for enabled entries only: an inactive current key is activated earlier in this same
  // plan (and the executor checks it is active before retiring anything). An expired one is not
  // coming back: nothing retires until its successor is verified.
  const currentUsable = !isExpired(current, ctx.now);
  const promoted = promotedAtMs(current);
  const settings = entry.rotation;
  for (const prev of previous) {
    // Only a verified key of a newer generation may retire a key.
    if (prev.marker.generation >= current.marker.generation) continue;
    const key = prev.key;
    const name = key.name;
    const common: KeyRefs = {
      workspace: ctx.workspace,
      entryId: entry.id,
      keyId: key.id,
      keyName: key.name,
      generation: prev.marker.generation,
    };
    // A compromised key goes at once, with no drain and no quarantine: its verified successor is current.
    if (prev.marker.compromised !== undefined && currentUsable && !(entry.protect && !isActive(key))) {
      actions.push(retireCompromised(common, current, prev, entry.protect));
      continue;
    }
    if (held.has(prev.key.id) || isHeld(prev, current)) continue;
    const waitForSuccessor: ActionFacts = {
      say: "wait-for-successor",
      name,
      currentGeneration: current.marker.generation,
    };
    if (isActive(key)) {
      if (!currentUsable) {
        actions.push(wait("drain", common, waitForSuccessor));
        continue;
      }
      const lastUsed = ms(key.last_used_at);
      const silentSince = Number.isFinite(lastUsed) ? Math.max(promoted, lastUsed) : promoted;
      const drainEnd = silentSince + settings.drainWindowSeconds * SECOND;
      const graceEnd = promoted + settings.maxGraceSeconds * SECOND;
      const drain = {
        name,
        lastUsedAgoMs: agoMs(lastUsed, ctx.now),
        drainWindowMs: settings.drainWindowSeconds * SECOND,
        graceMs: settings.maxGraceSeconds * SECOND,
        drainEndsAt: isoOrNull(drainEnd),
        graceEndsAt: isoOrNull(graceEnd),
      };
      if (ctx.now >= drainEnd) {
        actions.push(
          previousAction("deactivate-previous", common, current, "drained", { say: "deactivate-drained", ...drain }, [
            { op: "deactivate", keyId: key.id },
          ]),
        );
      } else if (ctx.now >= graceEnd) {
        const warning = {
          code: "grace_expired" as const,
          name,
          keyId: key.id,
          lastUsedAgoMs: drain.lastUsedAgoMs,
          lastUsedAt: isoOrNull(lastUsed),
          graceMs: drain.graceMs,
        };
        warn(ctx, warning, { entryId: entry.id, keyId: key.id });
        const action = previousAction(
          "deactivate-previous",
          common,
          current,
          "grace_expired",
          { say: "deactivate-grace", ...drain },
          [{ op: "deactivate", keyId: key.id }],
        );
        action.warning = warning;
        actions.push(action);
      } else {
        actions.push(wait("drain", common, { say: "drain", ...drain }, Math.min(drainEnd, graceEnd)));
      }
      continue;
    }
    if (entry.protect) {
      actions.push(wait("quarantine", common, { say: "protected", name }));
      continue;
    }
    const deactivated = ms(key.deactivated_at);
    const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
    const revokeAt = since + settings.quarantineSeconds * SECOND;
    const quarantine = {
      name,
      inactiveSince: isoOrNull(since),
      quarantineMs: settings.quarantineSeconds * SECOND,
    };
    if (!currentUsable) {
      actions.push(wait("quarantine", common, waitForSuccessor));
    } else if (ctx.now >= revokeAt) {
      actions.push(
        previousAction(
          "revoke-previous",
          common,
          current,
          "quarantine_elapsed",
          { say: "revoke-quarantined", ...quarantine },
          [{ op: "revoke", keyId: key.id }],
        ),
      );
    } else {
      actions.push(wait("quarantine", common, { say: "quarantine", ...quarantine }, revokeAt));
    }
  }
  return actions;
}

/** A drain or a quarantine: the previous key waits, until `until` when known. */
function wait(kind: "drain" | "quarantine", common: KeyRefs, facts: ActionFacts, until?: number): WaitAction {
  return planAction<WaitAction>(kind, common, kind === "drain" ? "draining" : "in_quarantine", facts, {
    until: until === undefined ? undefined : (isoOrNull(until) ?? undefined),
  });
}

function retireCompromised(common: KeyRefs, current: MarkedKey, prev: MarkedKey, protect: boolean): PreviousKeyAction {
  const operations: KeyOperation[] = [];
  if (isActive(prev.key)) operations.push({ op: "deactivate", keyId: prev.key.id });
  // `protect` still wins over revocation: the key is only deactivated then.
  if (!protect) operations.push({ op: "revoke", keyId: prev.key.id });
  return planAction<PreviousKeyAction>(
    isActive(prev.key) && protect ? "deactivate-previous" : "revoke-previous",
    common,
    "compromised",
    {
      say: "retire-compromised",
      name: prev.key.name,
      currentGeneration: current.marker.generation,
      protect,
      wasActive: isActive(prev.key),
    },
    {
      attributes: [{ name: "status", before: prev.key.status, after: protect ? "inactive" : "revoked" }],
      operations,
      currentKeyId: current.key.id,
    },
  );
}

function previousAction(
  kind: PreviousKeyAction["kind"],
  common: KeyRefs,
  current: MarkedKey,
  reason: PreviousKeyAction["reason"],
  facts: ActionFacts,
  operations: KeyOperation[],
): PreviousKeyAction {
  return planAction<PreviousKeyAction>(kind, common, reason, facts, {
    attributes: [
      kind === "deactivate-previous"
        ? { name: "status", before: "active", after: "inactive" }
        : { name: "status", before: "inactive", after: "revoked" },
    ],
    operations,
    currentKeyId: current.key.id,
  });
}

// The end of a rotation: the keys a newer current key replaced drain (stay active until their last
// use has not moved for the drain window, or the longest grace has passed), are deactivated, sit in
// quarantine (a rollback can still restore them), and are revoked. Nothing here ever touches a key
// unless the entry's current key (verified, newer) is active and unexpired.
import type { DesiredKey } from "../desired.js";
import { withMarker } from "../marker.js";
import type { KeyAction, KeyOperation, PlanAction, PreviousKeyAction } from "../model.js";
import { compact } from "./compact.js";
import { warn, type WorkspaceContext } from "./context.js";
import { quoted } from "./describe.js";
import { isActive, isExpired, type MarkedKey } from "./keys.js";
import { formatAgo, formatDuration, formatWhen, ms, SECOND } from "./time.js";
import { waitAction, type KeyRefs } from "./wait.js";

/** When the current key was promoted (ms): the drain clock of every older key starts there. */
export function promotedAtMs(current: MarkedKey): number {
  if (current.marker.promotedAt !== undefined) return current.marker.promotedAt * SECOND;
  const updated = ms(current.key.updated_at);
  return Number.isFinite(updated) ? updated : ms(current.key.created_at);
}

/** A rollback's hold lasts until the entry's next rotation promotes a newer current key. */
export function isHeld(key: MarkedKey, current: MarkedKey): boolean {
  return key.marker.holdFor !== undefined && current.marker.generation <= key.marker.holdFor;
}

export interface RollbackOutcome {
  actions: KeyAction[];
  /** Ids of keys held from this plan on. */
  held: Set<string>;
}

/**
 * `timely-keys rollback ID`: the newest previous key that was once verified comes back (activated
 * when in quarantine) and is marked `hold#<current generation>`, so no plan drains or revokes it
 * until the next rotation.
 */
export function planRollback(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  previous: MarkedKey[],
): RollbackOutcome {
  const held = new Set<string>();
  if (ctx.options.rollback !== entry.id) return { actions: [], held };
  // A compromised key is never brought back.
  const target = previous.filter((k) => k.marker.phase === "current" && k.marker.compromised === undefined).at(-1);
  if (target === undefined) {
    warn(
      ctx,
      `rollback of ${entry.id}: no previous key is left to restore (it was revoked, or the entry never rotated)`,
      {
        entryId: entry.id,
      },
    );
    return { actions: [], held };
  }
  held.add(target.key.id);
  const operations: KeyOperation[] = [];
  if (!isActive(target.key)) operations.push({ op: "activate", keyId: target.key.id });
  const description = withMarker(target.text, { ...target.marker, holdFor: current.marker.generation });
  if (description !== target.key.description)
    operations.push({ op: "update", keyId: target.key.id, body: { description } });
  if (operations.length === 0) return { actions: [], held };
  const action = compact<KeyAction>({
    kind: "rollback",
    workspace: ctx.workspace,
    entryId: entry.id,
    keyId: target.key.id,
    keyName: target.key.name,
    generation: target.marker.generation,
    reason: "rollback_requested",
    reasons: ["rollback_requested"],
    summary: `roll back: ${isActive(target.key) ? "hold" : "re-activate and hold"} previous key ${quoted(target.key.name)} #${
      target.marker.generation
    } until the next rotation (current key #${current.marker.generation} stays active)`,
    mutates: true,
    attributes: [
      { name: "status", before: target.key.status, after: "active" },
      { name: "hold", before: null, after: `until a key newer than #${current.marker.generation} is current` },
    ],
    operations,
  });
  return { actions: [action], held };
}

/** Drain, deactivate, quarantine and revoke the previous keys of an enabled entry, each when due. */
export function planPreviousKeys(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  previous: MarkedKey[],
  held: Set<string>,
): PlanAction[] {
  const actions: PlanAction[] = [];
  if (previous.length === 0) return actions;
  // Called for enabled entries only: an inactive current key is activated earlier in this same
  // plan (and the executor checks it is active before retiring anything). An expired one is not
  // coming back: nothing retires until its successor is verified.
  const currentUsable = !isExpired(current.key, ctx.now);
  const promoted = promotedAtMs(current);
  const settings = entry.rotation;
  for (const prev of previous) {
    // Only a verified key of a newer generation may retire a key.
    if (prev.marker.generation >= current.marker.generation) continue;
    const key = prev.key;
    const name = `previous key ${quoted(key.name)} #${prev.marker.generation}`;
    const common = {
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
    if (isActive(key)) {
      if (!currentUsable) {
        actions.push(
          waitAction(
            "drain",
            common,
            `rotation 4/6: ${name} stays active: the current key #${current.marker.generation} has expired, nothing retires before its successor is verified`,
          ),
        );
        continue;
      }
      const lastUsed = ms(key.last_used_at);
      const silentSince = Number.isFinite(lastUsed) ? Math.max(promoted, lastUsed) : promoted;
      const drainEnd = silentSince + settings.drainWindowSeconds * SECOND;
      const graceEnd = promoted + settings.maxGraceSeconds * SECOND;
      const lastUse = `last used ${formatAgo(lastUsed, ctx.now)}`;
      if (ctx.now >= drainEnd) {
        actions.push(
          previousAction(
            "deactivate-previous",
            common,
            current,
            "drained",
            `rotation 5/6: deactivate ${name}: ${lastUse}, silent for ${formatDuration(settings.drainWindowSeconds * SECOND)} since the new key was delivered`,
            [{ op: "deactivate", keyId: key.id }],
          ),
        );
      } else if (ctx.now >= graceEnd) {
        const warning = `${quoted(key.name)} (${key.id}) was still in use (${lastUse}, at ${formatWhen(lastUsed)}) when the longest grace of ${formatDuration(
          settings.maxGraceSeconds * SECOND,
        )} ran out: it is deactivated now, and whatever still uses it will fail until it switches to the new key`;
        warn(ctx, warning, { entryId: entry.id, keyId: key.id });
        actions.push(
          compact({
            ...previousAction(
              "deactivate-previous",
              common,
              current,
              "grace_expired",
              `rotation 5/6: deactivate ${name}: the longest grace (${formatDuration(settings.maxGraceSeconds * SECOND)}) has passed, ${lastUse}`,
              [{ op: "deactivate", keyId: key.id }],
            ),
            warning,
          }),
        );
      } else {
        actions.push(
          waitAction(
            "drain",
            common,
            `rotation 4/6: draining ${name}, ${lastUse}, deactivates after ${formatDuration(settings.drainWindowSeconds * SECOND)} of silence (${formatWhen(
              drainEnd,
            )}) or on ${formatWhen(graceEnd)} at the latest`,
            Math.min(drainEnd, graceEnd),
          ),
        );
      }
      continue;
    }
    if (entry.protect) {
      actions.push(
        waitAction("quarantine", common, `rotation 6/6: ${name} is inactive and protected: never revoked by a plan`),
      );
      continue;
    }
    const deactivated = ms(key.deactivated_at);
    const since = Number.isFinite(deactivated) ? deactivated : ms(key.updated_at);
    const revokeAt = since + settings.quarantineSeconds * SECOND;
    if (!currentUsable) {
      actions.push(
        waitAction(
          "quarantine",
          common,
          `rotation 6/6: ${name} stays in quarantine: the current key #${current.marker.generation} has expired, nothing is revoked before its successor is verified`,
        ),
      );
    } else if (ctx.now >= revokeAt) {
      actions.push(
        previousAction(
          "revoke-previous",
          common,
          current,
          "quarantine_elapsed",
          `rotation 6/6: revoke ${name}: inactive since ${formatWhen(since)}, quarantine of ${formatDuration(settings.quarantineSeconds * SECOND)} over`,
          [{ op: "revoke", keyId: key.id }],
        ),
      );
    } else {
      actions.push(
        waitAction(
          "quarantine",
          common,
          `rotation 6/6: ${name} is in quarantine (inactive since ${formatWhen(since)}; \`timely-keys rollback ${entry.id}\` restores it), revoked on ${formatWhen(revokeAt)}`,
          revokeAt,
        ),
      );
    }
  }
  return actions;
}

function retireCompromised(common: KeyRefs, current: MarkedKey, prev: MarkedKey, protect: boolean): PreviousKeyAction {
  const operations: KeyOperation[] = [];
  if (isActive(prev.key)) operations.push({ op: "deactivate", keyId: prev.key.id });
  // `protect` still wins over revocation: the key is only deactivated then.
  if (!protect) operations.push({ op: "revoke", keyId: prev.key.id });
  const what = protect
    ? "deactivate (protected: never revoked)"
    : isActive(prev.key)
      ? "deactivate and revoke"
      : "revoke";
  return compact<PreviousKeyAction>({
    kind: isActive(prev.key) && protect ? "deactivate-previous" : "revoke-previous",
    ...common,
    reason: "compromised",
    reasons: ["compromised"],
    summary: `compromised: ${what} previous key ${quoted(prev.key.name)} #${prev.marker.generation} now: its successor #${current.marker.generation} is verified (no drain, no quarantine)`,
    mutates: true,
    attributes: [{ name: "status", before: prev.key.status, after: protect ? "inactive" : "revoked" }],
    operations,
    currentKeyId: current.key.id,
  });
}

function previousAction(
  kind: PreviousKeyAction["kind"],
  common: KeyRefs,
  current: MarkedKey,
  reason: PreviousKeyAction["reason"],
  summary: string,
  operations: KeyOperation[],
): PreviousKeyAction {
  return compact<PreviousKeyAction>({
    kind,
    ...common,
    reason,
    reasons: [reason],
    summary,
    mutates: true,
    attributes: [
      kind === "deactivate-previous"
        ? { name: "status", before: "active", after: "inactive" }
        : { name: "status", before: "inactive", after: "revoked" },
    ],
    operations,
    currentKeyId: current.key.id,
  });
}

// Every sentence of a plan: the one line of each action, the detail of each entry's rotation state,
// the warnings and the phrases naming why a rotation is due. plan() states facts (model.ts:
// ActionFacts, EntryFacts, WarningFacts); text, markdown, the JSON plan, the HTML report, apply's
// output and the Action's job summary all take their words from here. Each sentence is made inert
// as a whole (the SDK's sanitizer), since it quotes names the API gave.
import { sanitize } from "@timely-keys/sdk";
import type { ActionFacts, EntryState, PlanAction, PlanWarning, TriggerFacts, WarningFacts } from "../model.js";
import { scopeList } from "../plan/keys.js";
import { lifetimeLabel, quoted } from "./attributes.js";
import { formatAgo, formatDuration, formatIsoWhen } from "./time.js";

/**
 * Lines already written, by action: a plan is shown several ways in one run (text, JSON, the job
 * summary), and a large one has 100,000 lines to make inert. A plan's actions are not changed once
 * it is made.
 */
const summaries = new WeakMap<PlanAction, string>();

/** One line for humans about an action. */
export function actionSummary(action: PlanAction): string {
  const facts = action.facts;
  if (facts.say === "saved") return facts.summary;
  // The queue writes its line from the rotation's already inert name.
  if (facts.say === "queued") return queuedSummary(action, facts.maxPerRun, facts.dueAt);
  let summary = summaries.get(action);
  if (summary === undefined) {
    summary = sanitize(summaryOf(action, facts));
    summaries.set(action, summary);
  }
  return summary;
}

/** The warning attached to an action (a grace that ran out), if any. */
export function actionWarning(action: PlanAction): string | undefined {
  if (action.facts.say === "saved") return action.facts.warning;
  const warning = action.warning;
  return warning === undefined || warning.code === "saved" ? undefined : sanitize(warningSentence(warning, action));
}

/**
 * The detail of an entry's rotation state; `actions`: the entry's actions (or all of its workspace's:
 * those of other entries are skipped). A workspace's renderer groups them once: see `actionsByEntry`.
 */
export function entryDetail(state: EntryState, actions: readonly PlanAction[]): string {
  const facts = state.facts;
  switch (facts.say) {
    case "saved":
      return facts.detail;
    case "action": {
      const action = actions.find((a) => a.entryId === state.entryId && a.kind === facts.kind);
      return action === undefined ? "" : actionSummary(action);
    }
    case "no-key":
      return "no key yet";
    case "no-key-no-sinks":
      return "no key yet: waits for a deliver: sink";
    case "disabled":
      return state.generation === undefined ? "disabled: no key" : `disabled: key #${state.generation} kept inactive`;
    case "held":
      return sanitize(
        `held: key #${state.generation} current, previous key restored by a rollback and held until the next rotation`,
      );
    case "steady":
      return sanitize(
        `steady: key #${state.generation} current` +
          (state.nextAt !== undefined ? `, next rotation on ${formatIsoWhen(state.nextAt)}` : ""),
      );
    case "due-no-sinks":
      return sanitize(`due for rotation (${triggerPhrases(facts.triggers)}), not rotated: no deliver sinks`);
  }
}

/** A workspace's actions grouped by entry id, in plan order. */
export function actionsByEntry(actions: readonly PlanAction[]): Map<string, PlanAction[]> {
  const byEntry = new Map<string, PlanAction[]>();
  for (const action of actions) {
    if (action.entryId === undefined) continue;
    const list = byEntry.get(action.entryId);
    if (list === undefined) byEntry.set(action.entryId, [action]);
    else list.push(action);
  }
  return byEntry;
}

/** A plan warning in words. */
export function warningText(warning: PlanWarning): string {
  if (warning.facts.code === "saved") return warning.facts.message;
  return sanitize(warningSentence(warning.facts, warning));
}

/** The phrases naming why a rotation is due, joined: `max age: 91d old >= 90d; expires in 3d, on ...`. */
export function triggerPhrases(triggers: readonly TriggerFacts[]): string {
  return triggers.map(triggerPhrase).join("; ");
}

export function triggerPhrase(trigger: TriggerFacts): string {
  switch (trigger.reason) {
    case "compromised":
      return trigger.revokeFirst
        ? "compromised: deactivated first, its consumers fail until the new key reaches them"
        : "compromised: revoked as soon as the new key is verified, no drain";
    case "expired":
      return `expired on ${formatIsoWhen(trigger.expiresAt)}`;
    case "scopes_changed":
      return `scopes changed: ${scopeList(trigger.before)} -> ${scopeList(trigger.after)}`;
    case "expiry_changed":
      return `expiry changed: ${lifetimeLabel(trigger.beforeDays)} -> ${lifetimeLabel(trigger.afterDays)}`;
    case "successor_abandoned":
      return `successor ${trigger.generations.map((g) => `#${g}`).join(", ")} left unfinished by an earlier run`;
    case "manual":
      return "requested with timely-keys rotate";
    case "max_age": {
      const early = trigger.spreadMs > 0 ? ` less ${formatDuration(trigger.spreadMs)} of spread` : "";
      return `max age: ${formatDuration(trigger.ageMs)} old >= ${trigger.maxAgeDays}d${early}`;
    }
    case "expiring":
      return `expires in ${formatDuration(trigger.inMs)}, on ${formatIsoWhen(trigger.expiresAt)}`;
  }
}

/** `"Salesforce sync" (id)` */
function keyLabel(name: string, id: string | undefined): string {
  return `"${name}" (${id ?? ""})`;
}

function summaryOf(action: PlanAction, facts: Exclude<ActionFacts, { say: "saved" | "queued" }>): string {
  const gen = action.generation;
  switch (facts.say) {
    case "create": {
      if (action.kind !== "create") break;
      const name = quoted(action.successor.create.name);
      return action.reason === "missing"
        ? `create ${name} (#${gen}): create, deliver to ${action.successor.sinks.length} sink(s), verify`
        : `create ${name} (#${gen}) again: the earlier attempt was left unfinished`;
    }
    case "rotate":
      if (action.kind !== "rotate") break;
      return rotateSummary(action, facts.triggers);
    case "update":
      return (
        `update ${quoted(facts.name)} #${gen} in place` +
        (action.reason === "edited_outside" ? " (edited outside timely-keys)" : "")
      );
    case "mark-compromised":
      return (
        `compromised: mark ${quoted(facts.name)} #${gen}${facts.revokeFirst ? " and deactivate it now" : ""}; ` +
        "it is revoked as soon as the successor in flight is verified"
      );
    case "status": {
      const enable = action.kind === "enable";
      const outside =
        action.reason === "edited_outside"
          ? ` (it was ${enable ? "deactivated" : "activated"} outside timely-keys)`
          : "";
      return `${enable ? "enable" : "disable"} ${quoted(facts.name)} #${gen}${outside}`;
    }
    case "disable-older":
      return `disable older key ${quoted(facts.name)} #${gen} (the entry is disabled)`;
    case "adopt":
      return `adopt existing key ${keyLabel(facts.name, action.keyId)} as ${action.entryId}#${gen} (writes its marker)`;
    case "revoke-abandoned":
      return (
        `revoke abandoned successor ${quoted(facts.name)} #${gen}: its run stopped before any sink received it, ` +
        `so its secret is lost (created ${formatAgo(facts.createdAgoMs)})`
      );
    case "in-flight": {
      const progress = facts.progress ? ` ${facts.progress.done}/${facts.progress.total}` : "";
      return (
        `rotation 2/6: successor ${quoted(facts.name)} #${gen} is ${facts.phase}${progress}, touched ` +
        `${formatAgo(facts.touchedAgoMs)}: another run may still be delivering it; without progress it counts as ` +
        `abandoned on ${formatIsoWhen(action.until ?? null)} (lease ${formatDuration(facts.leaseMs)})`
      );
    }
    case "drain":
      return (
        `rotation 4/6: draining ${previous(facts.name, gen)}, last used ${formatAgo(facts.lastUsedAgoMs)}, ` +
        `deactivates after ${formatDuration(facts.drainWindowMs)} of silence (${formatIsoWhen(facts.drainEndsAt)}) ` +
        `or on ${formatIsoWhen(facts.graceEndsAt)} at the latest`
      );
    case "deactivate-drained":
      return (
        `rotation 5/6: deactivate ${previous(facts.name, gen)}: last used ${formatAgo(facts.lastUsedAgoMs)}, ` +
        `silent for ${formatDuration(facts.drainWindowMs)} since the new key was delivered`
      );
    case "deactivate-grace":
      return (
        `rotation 5/6: deactivate ${previous(facts.name, gen)}: the longest grace (${formatDuration(facts.graceMs)}) ` +
        `has passed, last used ${formatAgo(facts.lastUsedAgoMs)}`
      );
    case "wait-for-successor":
      return action.kind === "drain"
        ? `rotation 4/6: ${previous(facts.name, gen)} stays active: the current key #${facts.currentGeneration} ` +
            "has expired, nothing retires before its successor is verified"
        : `rotation 6/6: ${previous(facts.name, gen)} stays in quarantine: the current key ` +
            `#${facts.currentGeneration} has expired, nothing is revoked before its successor is verified`;
    case "retire-compromised": {
      const what = facts.protect
        ? "deactivate (protected: never revoked)"
        : facts.wasActive
          ? "deactivate and revoke"
          : "revoke";
      return (
        `compromised: ${what} previous key ${quoted(facts.name)} #${gen} now: its successor ` +
        `#${facts.currentGeneration} is verified (no drain, no quarantine)`
      );
    }
    case "protected":
      return `rotation 6/6: ${previous(facts.name, gen)} is inactive and protected: never revoked by a plan`;
    case "revoke-quarantined":
      return (
        `rotation 6/6: revoke ${previous(facts.name, gen)}: inactive since ${formatIsoWhen(facts.inactiveSince)}, ` +
        `quarantine of ${formatDuration(facts.quarantineMs)} over`
      );
    case "quarantine":
      return (
        `rotation 6/6: ${previous(facts.name, gen)} is in quarantine (inactive since ` +
        `${formatIsoWhen(facts.inactiveSince)}; \`timely-keys rollback ${action.entryId}\` restores it), ` +
        `revoked on ${formatIsoWhen(action.until ?? null)}`
      );
    case "rollback":
      return (
        `roll back: ${facts.wasActive ? "hold" : "re-activate and hold"} previous key ${quoted(facts.name)} #${gen} ` +
        `until the next rotation (current key #${facts.currentGeneration} stays active)`
      );
    case "removed":
      return removedSummary(action, facts);
    case "unmanaged":
      return unmanagedSummary(action, facts);
  }
  throw new Error(`no words for ${facts.say} on a ${action.kind} action`);
}

function previous(name: string, generation: number | undefined): string {
  return `previous key ${quoted(name)} #${generation}`;
}

function rotateSummary(action: Extract<PlanAction, { kind: "rotate" }>, triggers: readonly TriggerFacts[]): string {
  const name = quoted(action.successor.create.name);
  const next = action.successor.generation;
  const old = `#${action.generation}`;
  if (action.emergency === undefined) {
    const verb = action.replace ? "replace" : "rotate";
    return `rotation 1/6: ${verb} ${name} ${old} -> #${next} (${triggerPhrases(triggers)})`;
  }
  return action.emergency.revokeFirst
    ? `rotation 1/6: compromised: deactivate ${name} ${old} first (downtime: its consumers fail until #${next} ` +
        `reaches them), then create #${next}, deliver, verify, promote, and revoke ${old}`
    : `rotation 1/6: compromised: rotate ${name} ${old} -> #${next}, then deactivate and revoke ${old} at once ` +
        `(no drain); if delivery or verification fails, ${old} stays active`;
}

function removedSummary(action: PlanAction, facts: Extract<ActionFacts, { say: "removed" }>): string {
  const label = `${quoted(facts.name)} ${action.entryId}#${action.generation}`;
  if (action.kind === "quarantine") {
    return facts.protect
      ? `${label} was removed from the manifest and is inactive; protected: never revoked by a plan`
      : `${label} was removed from the manifest: inactive, revoked on ${formatIsoWhen(action.until ?? null)}`;
  }
  if (action.kind === "retire" && action.operation === "revoke") {
    return `retire ${label}: inactive since ${formatIsoWhen(facts.inactiveSince)}, quarantine over: revoke`;
  }
  const after = facts.protect ? " (protected: never revoked)" : `, revoke after ${formatDuration(facts.quarantineMs)}`;
  return `retire ${label}: removed from the manifest; deactivate now${after}`;
}

function unmanagedSummary(action: PlanAction, facts: Extract<ActionFacts, { say: "unmanaged" }>): string {
  const label = `unmanaged key ${quoted(facts.name)} (${action.keyId}, ${facts.status})`;
  const operation = action.kind === "drift" ? action.operation : "report";
  if (facts.policy === "report") return `${label}: not in the manifest (policy: report)`;
  if (operation === "deactivate") {
    const later = facts.policy === "revoke" ? ", revoked after the quarantine" : "";
    return `${label}: not in the manifest; deactivate (policy: ${facts.policy}${later})`;
  }
  if (facts.policy === "deactivate") return `${label}: not in the manifest, already inactive (policy: deactivate)`;
  if (operation === "revoke") {
    const since = formatIsoWhen(facts.inactiveSince);
    return `${label}: not in the manifest, inactive since ${since}; revoke (policy: revoke)`;
  }
  return `${label}: not in the manifest, inactive; revoked on ${formatIsoWhen(action.until ?? null)} (policy: revoke)`;
}

function queuedSummary(action: PlanAction, maxPerRun: number, dueAt: string | undefined): string {
  const due = dueAt === undefined ? "now" : `since ${formatIsoWhen(dueAt)}`;
  return (
    `queued: rotation of ${JSON.stringify(action.keyName ?? action.entryId)} #${action.generation ?? "?"} ` +
    `due ${due}; ${maxPerRun} rotations start per run (policy.rotation.maxPerRun), it starts on a later run`
  );
}

/** The fix named by every "no sinks" warning. */
const ADD_A_SINK = "add a deliver: sink to the entry (its current key keeps working meanwhile)";

function warningSentence(
  facts: Exclude<WarningFacts, { code: "saved" }>,
  refs: { workspace: string; entryId?: string; keyId?: string },
): string {
  const entry = refs.entryId ?? "";
  switch (facts.code) {
    case "workspace_not_in_manifest":
      return `workspace ${refs.workspace} is not in the manifest`;
    case "unknown_target":
      return `target ${entry} matches no manifest entry and no managed key`;
    case "no_live_state":
      return `no live state was read for workspace ${refs.workspace}: planned as if it had no keys`;
    case "unpinned_workspace":
      return (
        `workspace ${refs.workspace} is not pinned to a live workspace: add \`id: ${facts.workspaceId}\` to it in ` +
        "the manifest, so a token of another workspace is refused"
      );
    case "entry_id_unmarkable":
      return (
        `entry id ${JSON.stringify(entry)} cannot be written in a marker (letters, digits, ".", "_", "-"; ` +
        "at most 64): skipped"
      );
    case "entry_id_twice":
      return `entry id ${entry} appears twice: the second is skipped`;
    case "duplicate_current":
      return (
        `${facts.count} keys carry the marker of ${entry}#${facts.generation}; ${keyLabel(facts.name, facts.keyId)} ` +
        "is treated as current and the others are left alone: remove the marker from the ones that are not " +
        "this entry's key"
      );
    case "no_sinks_new":
      return `${entry} has no deliver sinks, so no key is created for it: ${ADD_A_SINK}`;
    case "no_sinks_due":
      return (
        `${entry} is due for rotation (${triggerPhrases(facts.triggers)}) but has no deliver sinks, so it is not ` +
        `rotated: ${ADD_A_SINK}`
      );
    case "compromised_in_flight":
      return (
        `rotation of compromised ${entry} not started: another run is delivering its successor; the old key is ` +
        "retired as soon as that one is verified"
      );
    case "manual_in_flight":
      return `rotation of ${entry} not started: another run is delivering its successor`;
    case "nothing_to_roll_back":
      return `rollback of ${entry}: no previous key is left to restore (it was revoked, or the entry never rotated)`;
    case "grace_expired": {
      const lastUse = `last used ${formatAgo(facts.lastUsedAgoMs)}`;
      return (
        `${quoted(facts.name)} (${facts.keyId}) was still in use (${lastUse}, at ${formatIsoWhen(facts.lastUsedAt)}) ` +
        `when the longest grace of ${formatDuration(facts.graceMs)} ran out: it is deactivated now, and whatever ` +
        "still uses it will fail until it switches to the new key"
      );
    }
    case "unmanaged_namesake":
      return (
        `unmanaged key ${keyLabel(facts.name, refs.keyId)} has the name of entry ${entry}: if it is that entry's ` +
        `key, add \`adopt: ${refs.keyId}\` to the entry`
      );
    case "adopt_other_entry":
      return (
        `${entry} adopts ${keyLabel(facts.name, refs.keyId)}, but that key belongs to entry ${facts.owner}: ` +
        "not adopted"
      );
    case "adopt_taken":
      return `${entry} adopts ${keyLabel(facts.name, refs.keyId)}, already adopted by another entry: not adopted`;
    case "adopt_has_keys":
      return `${entry} adopts ${keyLabel(facts.name, refs.keyId)}, but the entry already has managed keys: not adopted`;
  }
}

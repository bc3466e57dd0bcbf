// One small scenario per (action kind, reason) pair the planner can produce. The scenario test
// checks each one, and that together they cover every kind and every reason.
import type { Desired } from "../../src/desired.js";
import type { ActionKind, Live, PlanOptions, Reason } from "../../src/model.js";
import { apiKey, at, DAY, desired, entry, HOUR, live, managed, unix } from "./fixtures.js";

export interface Scenario {
  name: string;
  desired: Desired;
  live: Live;
  options?: PlanOptions;
  expect: { kind: ActionKind; reason: Reason; keyId?: string };
}

const crm = entry("crm", { name: "CRM sync", description: "Salesforce sync" });
const promotedAgo = (ms: number) => ({ promotedAt: unix(-ms) });

function rotated(opts: { promoted: number; previous: Parameters<typeof managed>[3] }) {
  const previous = managed(crm, 1, {}, { created_at: at(-30 * DAY), ...opts.previous });
  const current = managed(crm, 2, promotedAgo(opts.promoted), { created_at: at(-opts.promoted) });
  return { previous, current };
}

export const scenarios: Scenario[] = [
  {
    name: "a new entry is created",
    desired: desired([crm]),
    live: live([]),
    expect: { kind: "create", reason: "missing" },
  },
  (() => {
    const partial = managed(
      crm,
      1,
      { phase: "delivering", progress: { done: 1, total: 2 } },
      { created_at: at(-2 * HOUR) },
    );
    return {
      name: "a first key left half-delivered is made again",
      desired: desired([crm]),
      live: live([partial]),
      expect: { kind: "create" as const, reason: "successor_abandoned" as const },
    };
  })(),
  (() => {
    const key = managed(crm, 1);
    return {
      name: "a name changed in the manifest is updated in place",
      desired: desired([{ ...crm, name: "CRM sync (prod)" }]),
      live: live([key]),
      expect: { kind: "update" as const, reason: "manifest_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = { ...managed(crm, 1), name: "renamed by hand" };
    return {
      name: "a name edited outside timely-keys is reverted",
      desired: desired([crm]),
      live: live([key]),
      expect: { kind: "update" as const, reason: "edited_outside" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1, {}, { status: "inactive", deactivated_at: at(-DAY) });
    return {
      name: "a disabled entry whose key was already deactivated records it in the marker",
      desired: desired([{ ...crm, enabled: false }]),
      live: live([key]),
      expect: { kind: "update" as const, reason: "enabled_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1, {}, { status: "inactive", deactivated_at: at(-HOUR) });
    return {
      name: "a key deactivated outside timely-keys is enabled again",
      desired: desired([crm]),
      live: live([key]),
      expect: { kind: "enable" as const, reason: "edited_outside" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed({ ...crm, enabled: false }, 1, { off: true }, { status: "inactive", deactivated_at: at(-DAY) });
    return {
      name: "an entry enabled again in the manifest is enabled",
      desired: desired([crm]),
      live: live([key]),
      expect: { kind: "enable" as const, reason: "enabled_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1);
    return {
      name: "an entry disabled in the manifest is disabled",
      desired: desired([{ ...crm, enabled: false }]),
      live: live([key]),
      expect: { kind: "disable" as const, reason: "enabled_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed({ ...crm, enabled: false }, 1, { off: true });
    return {
      name: "a disabled key activated outside timely-keys is disabled again",
      desired: desired([{ ...crm, enabled: false }]),
      live: live([key]),
      expect: { kind: "disable" as const, reason: "edited_outside" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed({ ...crm, expiresInDays: 30 }, 1, {}, { created_at: at(-31 * DAY) });
    return {
      name: "an expired current key is rotated at once",
      desired: desired([{ ...crm, expiresInDays: 30 }]),
      live: live([key]),
      expect: { kind: "rotate" as const, reason: "expired" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1);
    return {
      name: "a scopes change replaces the key",
      desired: desired([{ ...crm, scopes: ["read", "write"] }]),
      live: live([key]),
      expect: { kind: "rotate" as const, reason: "scopes_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1);
    return {
      name: "an expiry change replaces the key",
      desired: desired([{ ...crm, expiresInDays: 30 }]),
      live: live([key]),
      expect: { kind: "rotate" as const, reason: "expiry_changed" as const, keyId: key.id },
    };
  })(),
  (() => {
    const current = managed(crm, 1);
    const pending = managed(crm, 2, { phase: "pending" }, { created_at: at(-HOUR) });
    return {
      name: "a pending successor left by a crash is revoked and made again",
      desired: desired([crm]),
      live: live([current, pending]),
      expect: { kind: "rotate" as const, reason: "successor_abandoned" as const, keyId: current.id },
    };
  })(),
  (() => {
    const current = managed(crm, 1);
    const pending = managed(crm, 2, { phase: "pending" }, { created_at: at(-HOUR) });
    return {
      name: "the abandoned pending successor itself is revoked",
      desired: desired([crm]),
      live: live([current, pending]),
      expect: { kind: "revoke-abandoned" as const, reason: "successor_abandoned" as const, keyId: pending.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1);
    return {
      name: "timely-keys rotate rotates on demand",
      desired: desired([crm]),
      live: live([key]),
      options: { forceRotate: ["crm"] },
      expect: { kind: "rotate" as const, reason: "manual" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = managed(crm, 1, {}, { created_at: at(-91 * DAY) });
    return {
      name: "a key past its max age is rotated",
      desired: desired([crm]),
      live: live([key]),
      expect: { kind: "rotate" as const, reason: "max_age" as const, keyId: key.id },
    };
  })(),
  (() => {
    const e = { ...crm, expiresInDays: 60 };
    const key = managed(e, 1, {}, { created_at: at(-50 * DAY) });
    return {
      name: "a key expiring within the margin is rotated",
      desired: desired([e]),
      live: live([key]),
      expect: { kind: "rotate" as const, reason: "expiring" as const, keyId: key.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({ promoted: 30 * HOUR, previous: { last_used_at: at(-29 * HOUR) } });
    return {
      name: "a previous key silent for the drain window is deactivated",
      desired: desired([crm]),
      live: live([previous, current]),
      expect: { kind: "deactivate-previous" as const, reason: "drained" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({ promoted: 8 * DAY, previous: { last_used_at: at(-HOUR) } });
    return {
      name: "a previous key still in use when the grace runs out is deactivated with a warning",
      desired: desired([crm]),
      live: live([previous, current]),
      expect: { kind: "deactivate-previous" as const, reason: "grace_expired" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({
      promoted: 9 * DAY,
      previous: { status: "inactive", deactivated_at: at(-8 * DAY) },
    });
    return {
      name: "a previous key past its quarantine is revoked",
      desired: desired([crm]),
      live: live([previous, current]),
      expect: { kind: "revoke-previous" as const, reason: "quarantine_elapsed" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const key = managed(entry("old-job"), 2);
    return {
      name: "a key of an entry removed from the manifest is retired",
      desired: desired([]),
      live: live([key]),
      expect: { kind: "retire" as const, reason: "removed_from_manifest" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = apiKey({ name: "CRM sync", description: "made in the dashboard" });
    return {
      name: "an unmarked key claimed with adopt gets its marker",
      desired: desired([{ ...crm, adopt: key.id }]),
      live: live([key]),
      expect: { kind: "adopt" as const, reason: "adopted" as const, keyId: key.id },
    };
  })(),
  (() => {
    const key = apiKey({ name: "Someone's test key" });
    return {
      name: "an unmanaged key is drift",
      desired: desired([]),
      live: live([key]),
      expect: { kind: "drift" as const, reason: "unmanaged" as const, keyId: key.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({
      promoted: 3 * DAY,
      previous: { status: "inactive", deactivated_at: at(-DAY) },
    });
    return {
      name: "timely-keys rollback restores the previous key",
      desired: desired([crm]),
      live: live([previous, current]),
      options: { rollback: "crm" },
      expect: { kind: "rollback" as const, reason: "rollback_requested" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({ promoted: 5 * HOUR, previous: { last_used_at: at(-2 * HOUR) } });
    return {
      name: "a previous key still in use drains",
      desired: desired([crm]),
      live: live([previous, current]),
      expect: { kind: "drain" as const, reason: "draining" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const { previous, current } = rotated({
      promoted: 3 * DAY,
      previous: { status: "inactive", deactivated_at: at(-DAY) },
    });
    return {
      name: "a deactivated previous key waits in quarantine",
      desired: desired([crm]),
      live: live([previous, current]),
      expect: { kind: "quarantine" as const, reason: "in_quarantine" as const, keyId: previous.id },
    };
  })(),
  (() => {
    const current = managed(crm, 1, {}, { created_at: at(-91 * DAY) });
    const delivering = managed(
      crm,
      2,
      { phase: "delivering", progress: { done: 0, total: 1 } },
      { created_at: at(-60 * 1000) },
    );
    return {
      name: "a successor another run is delivering blocks a second rotation",
      desired: desired([crm]),
      live: live([current, delivering]),
      expect: { kind: "in-flight" as const, reason: "successor_in_flight" as const, keyId: delivering.id },
    };
  })(),
  (() => {
    const current = managed(crm, 1);
    return {
      name: "a compromised key rotates at once (rotate --compromised)",
      desired: desired([crm]),
      live: live([current]),
      options: { compromised: ["crm"] },
      expect: { kind: "rotate" as const, reason: "compromised" as const, keyId: current.id },
    };
  })(),
  (() => {
    const billing = entry("billing");
    const old = managed(crm, 1, {}, { created_at: at(-100 * DAY) });
    const older = managed(billing, 1, {}, { created_at: at(-120 * DAY) });
    return {
      name: "past maxPerRun, the least overdue rotation is queued",
      desired: desired([crm, billing], { maxRotationsPerRun: 1 }),
      live: live([old, older]),
      expect: { kind: "queued" as const, reason: "rotation_queued" as const, keyId: old.id },
    };
  })(),
];

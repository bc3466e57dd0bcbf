// The live state `plan` reads and the Plan it produces. A Plan is plain, JSON-safe data: it is
// rendered, saved with `plan --out`, read back by `apply`, and every action carries everything the
// executor needs, so nothing has to be recomputed from the manifest at apply time.
import type { ApiKey, Scope } from "@timely-keys/sdk";
import type { SinkConfig } from "./deliver/config.js";
import type { ProbeConfig } from "./desired.js";
import type { Marker } from "./marker.js";

// ---------------------------------------------------------------------------------------------
// Live state
// ---------------------------------------------------------------------------------------------

export interface LiveWorkspace {
  name: string;
  /** Every key of the workspace, all pages. */
  keys: ApiKey[];
  /** The server's clock (ISO), from the `Date` header of the read. */
  serverNow: string;
  /** The live workspace the management token belongs to (`workspace_id` of GET /v1/me), when read. */
  workspaceId?: string;
}

export interface Live {
  workspaces: LiveWorkspace[];
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

export interface PlanOptions {
  /** Plan only these manifest entry ids (`--target`). Unmanaged keys are not reported then. */
  targets?: string[];
  /** Plan only these workspaces (`--workspace`). */
  workspaces?: string[];
  /** Entry ids to rotate now (`timely-keys rotate ID...`). */
  forceRotate?: string[];
  /** Entry id whose previous key is restored and held (`timely-keys rollback ID`). */
  rollback?: string;
  /**
   * Entry ids whose current key is compromised (`timely-keys rotate --compromised`): rotated now,
   * and the old key deactivated and revoked as soon as the successor is verified (no drain).
   */
  compromised?: string[];
  /** With `compromised`: deactivate the old key before anything else (`--revoke-first`). */
  revokeFirst?: boolean;
  /**
   * A pending or delivering successor touched (created, or its marker edited) less than this many
   * seconds ago may belong to a run that is still delivering it: it blocks a second rotation of
   * its entry instead of being treated as abandoned. Default 600 (DEFAULT_IN_FLIGHT_LEASE_SECONDS).
   */
  inFlightLeaseSeconds?: number;
}

export const DEFAULT_IN_FLIGHT_LEASE_SECONDS = 600;

// ---------------------------------------------------------------------------------------------
// Facts: what the plan's words are made of
// ---------------------------------------------------------------------------------------------
// plan() states facts; render/words.ts turns them into sentences. Times are ISO text (null: not a
// valid time), durations and ages are milliseconds (an age is how long before the plan's clock;
// null: never, negative: after it). `name` is the live key's name as the API gave it: the words
// quote it and are made inert as a whole, so they read the same whatever the name holds.

/** One trigger of a rotation, with what its phrase names. */
export type TriggerFacts =
  | { reason: "compromised"; revokeFirst: boolean }
  | { reason: "expired"; expiresAt: string | null }
  | { reason: "scopes_changed"; before: readonly string[]; after: readonly string[] }
  /** Lifetimes in whole days; null: never expires; "unknown": the key's times cannot be read. */
  | { reason: "expiry_changed"; beforeDays: number | null | "unknown"; afterDays: number | null }
  | { reason: "successor_abandoned"; generations: number[] }
  | { reason: "manual" }
  | { reason: "max_age"; ageMs: number; maxAgeDays: number; spreadMs: number }
  | { reason: "expiring"; inMs: number; expiresAt: string | null };

/** What an action's one line for humans says. */
export type ActionFacts =
  /** create: the action's reason, name (successor) and sinks say it all. */
  | { say: "create" }
  /** rotate: every trigger, in the order of `reasons`; an emergency is the action's `emergency`. */
  | { say: "rotate"; triggers: TriggerFacts[] }
  /** update of the current key in place (reason edited_outside or manifest/enabled changed). */
  | { say: "update"; name: string }
  /** update: a compromised current key is marked (and deactivated first) while a successor is in flight. */
  | { say: "mark-compromised"; name: string; revokeFirst: boolean }
  /** enable or disable the current key. */
  | { say: "status"; name: string }
  /** disable: a key other than the current one of a disabled entry. */
  | { say: "disable-older"; name: string }
  | { say: "adopt"; name: string }
  | { say: "revoke-abandoned"; name: string; createdAgoMs: number | null }
  | {
      say: "in-flight";
      name: string;
      phase: "pending" | "delivering";
      progress?: { done: number; total: number };
      touchedAgoMs: number | null;
      leaseMs: number;
    }
  /** drain, deactivate-previous (drained or grace expired). */
  | {
      say: "drain" | "deactivate-drained" | "deactivate-grace";
      name: string;
      lastUsedAgoMs: number | null;
      drainWindowMs: number;
      graceMs: number;
      drainEndsAt: string | null;
      graceEndsAt: string | null;
    }
  /** drain or quarantine that waits: the current key has expired. */
  | { say: "wait-for-successor"; name: string; currentGeneration: number }
  | { say: "retire-compromised"; name: string; currentGeneration: number; protect: boolean; wasActive: boolean }
  /** quarantine of an inactive previous key of a protected entry. */
  | { say: "protected"; name: string }
  /** revoke-previous when the quarantine is over, or the quarantine until `until`. */
  | { say: "revoke-quarantined" | "quarantine"; name: string; inactiveSince: string | null; quarantineMs: number }
  | { say: "rollback"; name: string; wasActive: boolean; currentGeneration: number }
  /** A key of an entry removed from the manifest. */
  | {
      say: "removed";
      name: string;
      protect: boolean;
      inactiveSince: string | null;
      quarantineMs: number;
    }
  | {
      say: "unmanaged";
      name: string;
      status: string;
      policy: "report" | "deactivate" | "revoke";
      inactiveSince: string | null;
    }
  | { say: "queued"; maxPerRun: number; dueAt?: string }
  /** A saved plan read back: its words as they were written (see saved-plan.ts). */
  | { say: "saved"; summary: string; warning?: string };

/** What a plan warns about, with what its sentence names. */
export type WarningFacts =
  | { code: "workspace_not_in_manifest" | "unknown_target" | "no_live_state" }
  | { code: "unpinned_workspace"; workspaceId: string }
  | { code: "entry_id_unmarkable" | "entry_id_twice" }
  | { code: "duplicate_current"; count: number; generation: number; name: string; keyId: string }
  | { code: "no_sinks_new" }
  | { code: "no_sinks_due"; triggers: TriggerFacts[] }
  | { code: "compromised_in_flight" | "manual_in_flight" | "nothing_to_roll_back" }
  | {
      code: "grace_expired";
      name: string;
      keyId: string;
      lastUsedAgoMs: number | null;
      lastUsedAt: string | null;
      graceMs: number;
    }
  | { code: "unmanaged_namesake"; name: string }
  | { code: "adopt_other_entry"; name: string; owner: string }
  | { code: "adopt_taken" | "adopt_has_keys"; name: string }
  /** A saved plan read back. */
  | { code: "saved"; message: string };

/** Where an entry stands, in words: the detail of `EntryState`. */
export type EntryFacts =
  /** The summary of the entry's first action of this kind (a rotation, a drain, ...). */
  | { say: "action"; kind: ActionKind }
  | { say: "no-key" | "no-key-no-sinks" | "disabled" | "held" | "steady" }
  | { say: "due-no-sinks"; triggers: TriggerFacts[] }
  /** A saved plan read back. */
  | { say: "saved"; detail: string };

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/** Kinds that only say what the plan waits for and until when: nothing is done. */
export const informationalKinds = ["drain", "quarantine", "in-flight", "queued"] as const;
export type InformationalKind = (typeof informationalKinds)[number];

/** Every kind of action, in the order the docs list them. */
export const actionKinds = [
  "create",
  "update",
  "enable",
  "disable",
  "rotate",
  "revoke-abandoned",
  "deactivate-previous",
  "revoke-previous",
  "retire",
  "adopt",
  "drift",
  "rollback",
  ...informationalKinds,
] as const;
export type ActionKind = (typeof actionKinds)[number];

/**
 * What starts a rotation, most pressing first: the first that applies is the action's `reason`.
 * The first four render as a replacement when scopes or expiry changed.
 */
export const rotationTriggers = [
  "compromised",
  "expired",
  "scopes_changed",
  "expiry_changed",
  "successor_abandoned",
  "manual",
  "max_age",
  "expiring",
] as const;
export type RotationTrigger = (typeof rotationTriggers)[number];

export const reasons = [
  // create
  "missing",
  // update, enable, disable
  "edited_outside",
  "manifest_changed",
  "enabled_changed",
  // rotate
  ...rotationTriggers,
  // previous keys
  "drained",
  "grace_expired",
  "quarantine_elapsed",
  // others
  "removed_from_manifest",
  "adopted",
  "unmanaged",
  "rollback_requested",
  // informational
  "draining",
  "in_quarantine",
  "successor_in_flight",
  "rotation_queued",
] as const;
export type Reason = (typeof reasons)[number];

/** One API call on an existing key. The executor runs an action's operations in order. */
export type KeyOperation =
  | { op: "update"; keyId: string; body: { name?: string; description?: string } }
  | { op: "activate"; keyId: string }
  | { op: "deactivate"; keyId: string }
  | { op: "revoke"; keyId: string };

/**
 * An attribute of a key as the plan changes it: its value before and after (null: absent, e.g.
 * before a create), as data; render/attributes.ts writes the words (`"CRM sync"`, `90 days`,
 * `file .env`). Each attribute name has its own value type.
 */
export type AttributeChange =
  | Change<"name", string>
  | Change<"description", string>
  | Change<"scopes", readonly string[]>
  | Change<"expires", Expiry>
  | Change<"deliver", readonly SinkRef[]>
  | Change<"key", KeyValue>
  | Change<"status", string>
  /** The marker as written in the description (`[tk:crm#3 protect ~1a2b]`), or the flag it gains. */
  | Change<"marker", string>
  | Change<"hold", { untilNewerThan: number }>
  /** The compromised key a rotation replaces, and how it goes. */
  | Change<"old key", { generation: number }, { compromised: "after-successor" | "revoke-first" }>
  /** When the new key will be rotated in turn (ISO). */
  | Change<"next rotation", string>
  | SavedAttribute;

interface Change<Name extends string, Before, After = Before> {
  name: Name;
  before: Before | null;
  after: After | null;
  /** Scopes and expiry are immutable: a change means a new key. */
  forcesReplacement?: boolean;
}

/** An attribute of a plan read back from its JSON (`apply PLAN.json`): the words it was approved with. */
export interface SavedAttribute {
  name: string;
  saved: true;
  before: string | null;
  after: string | null;
  forcesReplacement?: boolean;
}

/** A key's lifetime: whole days (null: never expires; "unknown": its times cannot be read) and its end. */
export interface Expiry {
  days: number | null | "unknown";
  /** The key's `expires_at` (ISO), for a live key that has one. */
  until?: string;
}

/** A live key (its generation, secret-free prefix and id), or the new key a rotation makes. */
export type KeyValue = { generation: number; prefix: string; id: string } | { generation: number; new: true };

/** What the plan shows of a sink: the fields that say where the secret goes, never a credential. */
export type SinkRef =
  | { type: "file"; path: string }
  | { type: "exec"; program: string }
  | { type: "githubSecret"; repository?: string; organization?: string; environment?: string; secretName: string }
  | { type: "awsSecretsManager"; secretId: string; key?: string }
  | { type: "vault"; mount?: string; path: string; field?: string }
  | { type: "onePassword"; vault: string; item: string };

/** The body of `POST /v1/api-keys`. */
export interface CreateKeyBody {
  name: string;
  description: string;
  scopes: Scope[];
  expires_in_days: number | null;
}

/**
 * Everything needed to make a new key for an entry, deliver it and promote it, in one run (its
 * secret exists only in the memory of that run), with two management-token requests:
 *  1. `POST /v1/api-keys` with `create` and the `Idempotency-Key` header `idempotencyKey`; the
 *     description already carries the `delivering 0/n` marker (`descriptions.delivering`), so no
 *     edit is needed before the first sink;
 *  2. verify: `GET /v1/me` with the new secret (a request of the new key, not of the token) must
 *     answer `key_id` = the new key, `scopes` equal to `verify.scopes` and, when known,
 *     `workspace_id` = `verify.workspaceId`. On failure: revoke the new key (no sink has it) and
 *     leave every other key untouched;
 *  3. deliver to every sink, run the probes, `GET /v1/me` again;
 *  4. promote: PATCH the description to `descriptions.current`.
 * A failure after the first sink leaves the key `delivering d/t failed` (when some sink may hold it)
 * or revokes it (when none does). If a replayed create answers with a key that no longer exists, use
 * `successorForGeneration` to move to the next generation. Plans saved by versions before this one
 * create with a `pending` marker; the executor then marks the key `delivering` before the first sink.
 */
export interface SuccessorSpec {
  generation: number;
  idempotencyKey: string;
  create: CreateKeyBody;
  /** The manifest's description, without marker and before truncation. */
  userDescription: string;
  markers: { delivering: Marker; current: Marker };
  descriptions: { delivering: string; current: string };
  /** Delivered in this order; all must succeed before verify. */
  sinks: SinkConfig[];
  verify: { keyName: string; scopes: Scope[]; workspaceId: string | null };
  /**
   * The entry's probes (absent when it has none): `afterDeliver` runs once every sink has the
   * secret (e.g. a restart), then `verify`, after GET /v1/me; all must pass before the promote.
   */
  probes?: { afterDeliver: ProbeConfig[]; verify: ProbeConfig[] };
}

export interface ActionBase {
  workspace: string;
  entryId?: string;
  keyId?: string;
  keyName?: string;
  /** Generation of the key acted on (marker), when it has one. */
  generation?: number;
  reason: Reason;
  /** Every reason that applies, the primary one first. */
  reasons: Reason[];
  /** What its one line for humans says (render/words.ts: actionSummary). */
  facts: ActionFacts;
  /** False for informational actions (drain, quarantine, in-flight, drift reports). */
  mutates: boolean;
  attributes: AttributeChange[];
  /** API calls on existing keys, run in order. */
  operations: KeyOperation[];
  /** When an informational wait ends (ISO), when known. */
  until?: string;
  /** A warning attached to the action (render/words.ts: warningText). */
  warning?: WarningFacts;
}

/** A new entry: create, deliver, verify, promote. */
export interface CreateAction extends ActionBase {
  kind: "create";
  entryId: string;
  successor: SuccessorSpec;
}

/** Zero-downtime rotation of an entry's current key (`keyId`) to a successor. */
export interface RotateAction extends ActionBase {
  kind: "rotate";
  entryId: string;
  keyId: string;
  /** Scopes or expiry changed: renders as `-/+`. */
  replace: boolean;
  successor: SuccessorSpec;
  /**
   * A compromised key (`rotate --compromised`, or its marker says so): `operations` (mark it, and
   * with `revokeFirst` deactivate it) run before the create, and once the successor is verified and
   * promoted the old key `keyId` is deactivated and revoked in the same run.
   */
  emergency?: { keyId: string; revokeFirst: boolean };
  /** When a rotation by age or expiry became due: the `maxPerRun` queue takes the most overdue first. */
  dueAt?: string;
}

/** A previous key's deactivation or revocation: only while `currentKeyId` is active and verified. */
export interface PreviousKeyAction extends ActionBase {
  kind: "deactivate-previous" | "revoke-previous";
  entryId: string;
  keyId: string;
  currentKeyId: string;
}

/** Retirement of an entry removed from the manifest, or a drift of an unmanaged key. */
export interface RemovalAction extends ActionBase {
  kind: "retire" | "drift";
  keyId: string;
  operation: "report" | "deactivate" | "revoke";
}

export interface KeyAction extends ActionBase {
  kind: "update" | "enable" | "disable" | "revoke-abandoned" | "adopt" | "rollback";
  entryId: string;
  keyId: string;
}

export interface WaitAction extends ActionBase {
  kind: InformationalKind;
  mutates: false;
}

export type PlanAction = CreateAction | RotateAction | PreviousKeyAction | RemovalAction | KeyAction | WaitAction;

/** The action type of one kind, e.g. `ActionOfKind<"update">` is a KeyAction whose kind is "update". */
export type ActionOfKind<K extends ActionKind> = PlanAction extends infer A
  ? A extends PlanAction
    ? K extends A["kind"]
      ? A & { kind: K }
      : never
    : never
  : never;

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

export const rotationPhases = ["new", "steady", "rotating", "draining", "quarantine", "held", "disabled"] as const;
export type RotationPhase = (typeof rotationPhases)[number];

/** Where an entry stands in its rotation, for job summaries: `rotation 4/6: draining ...`. */
export interface EntryState {
  entryId: string;
  name: string;
  phase: RotationPhase;
  /** Step of the six-step rotation (`1/6` create ... `6/6` revoke), while one is under way. */
  step?: string;
  /** The next time something becomes due (a deactivation, a revocation, the next rotation). */
  nextAt?: string;
  /** Generation and id of the current (verified) key. */
  generation?: number;
  currentKeyId?: string;
  /** When the current key (or the one a rotation in this plan makes) is next due to rotate by age or expiry. */
  nextRotationAt?: string;
  /** What its detail line says (render/words.ts: entryDetail). */
  facts: EntryFacts;
  /** Set when the entry is due for a create or rotation that the plan leaves out, and why. */
  unrotatable?: "no_sinks";
}

export interface PlanWarning {
  workspace: string;
  entryId?: string;
  keyId?: string;
  /** What it says (render/words.ts: warningText). */
  facts: WarningFacts;
}

export interface PlanWorkspace {
  name: string;
  /** Name of the env var with the management token (never the token). */
  tokenEnv: string;
  apiUrl?: string;
  /** The server clock at read time; null when the live state had no such workspace. */
  serverNow: string | null;
  /** `sha256:` + hex of the canonical live state: a saved plan is refused once it moved. */
  fingerprint: string;
  actions: PlanAction[];
  entries: EntryState[];
}

export interface PlanSummary {
  create: number;
  /** update, enable, disable, adopt, rollback */
  update: number;
  /** rotations because scopes or expiry changed */
  replace: number;
  /** other rotations */
  rotate: number;
  /** every deactivation or revocation of a managed key: retire, deactivate/revoke previous, revoke abandoned */
  retire: number;
  /** unmanaged keys, reported or acted on */
  drift: number;
  /** manifest entries with nothing to do */
  noop: number;
}

export interface Plan {
  /** 2 since the successor is created `delivering` (docs/plan-format.md: 1 -> 2); `apply` still reads 1. */
  format_version: 2;
  generated_at: string;
  /** Absolute path of the manifest: file sinks' paths are relative to its folder. */
  manifest: string;
  options: {
    targets: string[] | null;
    workspaces: string[] | null;
    forceRotate: string[];
    rollback: string | null;
    inFlightLeaseSeconds: number;
    /** Present only for `rotate --compromised`: the entries asked for, and `--revoke-first`. */
    compromised?: string[];
    revokeFirst?: boolean;
  };
  /** True when applying would change anything. */
  changes: boolean;
  summary: PlanSummary;
  warnings: PlanWarning[];
  workspaces: PlanWorkspace[];
}

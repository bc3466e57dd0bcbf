// Turns a schema-valid manifest into the Desired state: defaults applied, rotation settings
// merged, durations in seconds, scopes sorted and unique.
import type { Scope } from "@timely-keys/sdk";
import {
  DEFAULT_MAX_ROTATIONS_PER_RUN,
  type Desired,
  type DesiredKey,
  type DesiredWorkspace,
  type Policy,
  type RotationSettings,
  type Severity,
  type SourceRef,
} from "../desired.js";
import type { LoadedDocument } from "../load.js";
import { DEFAULT_MONITOR } from "../check/model.js";
import { parseDuration } from "./duration.js";
import type { ManifestDocument, ManifestKey, ManifestPolicy, ManifestRotation, ManifestWorkspace } from "./manifest.js";
import { configurableRules } from "./rules.js";

const DAY = 86_400;

export const DEFAULT_ROTATION: Readonly<RotationSettings> = Object.freeze({
  maxAgeDays: 90,
  rotateBeforeExpiryDays: 14,
  drainWindowSeconds: DAY,
  maxGraceSeconds: 7 * DAY,
  quarantineSeconds: 7 * DAY,
  spreadSeconds: 7 * DAY,
});

export const DEFAULT_REQUIRE_EXPIRY_FOR: readonly Scope[] = Object.freeze(["write"] as Scope[]);

/** Policy rotation defaults (or a key's inherited settings) with the overrides written on top. */
export function mergeRotation(base: RotationSettings, overrides: ManifestRotation | undefined): RotationSettings {
  const seconds = (text: string | undefined, fallback: number) =>
    text === undefined ? fallback : (parseDuration(text) ?? fallback);
  return {
    maxAgeDays: overrides?.maxAgeDays ?? base.maxAgeDays,
    rotateBeforeExpiryDays: overrides?.rotateBeforeExpiryDays ?? base.rotateBeforeExpiryDays,
    drainWindowSeconds: seconds(overrides?.drainWindow, base.drainWindowSeconds),
    maxGraceSeconds: seconds(overrides?.maxGrace, base.maxGraceSeconds),
    quarantineSeconds: seconds(overrides?.quarantine, base.quarantineSeconds),
    spreadSeconds: seconds(overrides?.spread, base.spreadSeconds ?? 0),
  };
}

export function resolvePolicy(policy: ManifestPolicy | undefined): Policy {
  // Only the configurable rules: the others are always errors.
  const rules: Record<string, Severity> = Object.fromEntries(
    Object.entries(configurableRules).map(([name, rule]) => [name, rule.defaultSeverity]),
  );
  for (const [name, severity] of Object.entries(policy?.rules ?? {})) rules[name] = severity;
  return {
    rotation: mergeRotation({ ...DEFAULT_ROTATION }, policy?.rotation),
    requireExpiryFor: sortedUnique(policy?.requireExpiryFor ?? DEFAULT_REQUIRE_EXPIRY_FOR),
    maxExpiresInDays: policy?.maxExpiresInDays ?? null,
    unmanaged: policy?.unmanaged ?? "report",
    rules,
    monitor: { ...DEFAULT_MONITOR, ...policy?.monitor },
    maxRotationsPerRun: policy?.rotation?.maxPerRun ?? DEFAULT_MAX_ROTATIONS_PER_RUN,
  };
}

export function buildDesired(manifest: ManifestDocument, loaded: LoadedDocument): Desired {
  const policy = resolvePolicy(manifest.policy);
  const sources = sourceSetter(loaded);
  // One object for every entry without rotation overrides (a copy: the policy's own stays apart).
  const inheritedRotation = { ...policy.rotation };
  return {
    file: loaded.file,
    policy,
    ...(manifest.notify !== undefined && { notify: structuredClone(manifest.notify) }),
    workspaces: manifest.workspaces.map((workspace, w) => buildWorkspace(workspace, w, inheritedRotation, sources)),
    ...(manifest.teams !== undefined && { teams: structuredClone(manifest.teams) }),
  };
}

function buildWorkspace(
  workspace: ManifestWorkspace,
  w: number,
  inheritedRotation: RotationSettings,
  sources: SourceSetter,
): DesiredWorkspace {
  // Entries with the same scopes share one list (as entries without rotation overrides share one
  // settings object): at 100,000 entries a copy each is megabytes that say the same thing.
  const sharedScopes = new Map<string, Scope[]>();
  const keys: DesiredKey[] = new Array(workspace.keys.length);
  for (let k = 0; k < keys.length; k++) {
    keys[k] = buildKey(workspace.keys[k]!, inheritedRotation, workspace.access, sharedScopes);
    sources.setKey(keys[k]!, w, k);
  }
  const built: DesiredWorkspace = {
    name: workspace.name,
    tokenEnv: workspace.tokenEnv,
    ...(workspace.apiUrl !== undefined && { apiUrl: workspace.apiUrl }),
    ...(workspace.notify !== undefined && { notify: structuredClone(workspace.notify) }),
    ...(workspace.id !== undefined && { id: workspace.id }),
    keys,
    ...(workspace.access !== undefined && { access: [...workspace.access] }),
  };
  sources.setWorkspace(built, w);
  return built;
}

function buildKey(
  key: ManifestKey,
  inheritedRotation: RotationSettings,
  inherited: string[] | undefined,
  sharedScopes: Map<string, Scope[]>,
): DesiredKey {
  // Who can read the secret: the entry's own list and its workspace's, once each.
  const access =
    key.access === undefined && inherited === undefined
      ? undefined
      : [...new Set([...(inherited ?? []), ...(key.access ?? [])])];
  const built: DesiredKey = {
    id: key.id,
    name: key.name,
    description: key.description ?? "",
    scopes: scopesOf(key.scopes, sharedScopes),
    expiresInDays: key.expiresInDays ?? null,
    enabled: key.enabled ?? true,
    protect: key.protect ?? false,
    rotation: key.rotation === undefined ? inheritedRotation : mergeRotation(inheritedRotation, key.rotation),
    deliver: key.deliver === undefined ? [] : copyData(key.deliver),
  };
  if (key.verify !== undefined && key.verify.length > 0) built.verify = copyData(key.verify);
  if (key.afterDeliver !== undefined && key.afterDeliver.length > 0) built.afterDeliver = copyData(key.afterDeliver);
  if (access !== undefined) built.access = access;
  if (key.adopt !== undefined) built.adopt = key.adopt;
  return built;
}

/** The sorted, unique scopes; one list for every entry that writes the same ones. */
function scopesOf(scopes: readonly Scope[], shared: Map<string, Scope[]>): Scope[] {
  const written = scopes.join(",");
  let list = shared.get(written);
  if (list === undefined) {
    list = sortedUnique(scopes);
    shared.set(written, list);
  }
  return list;
}

interface SourceSetter {
  setWorkspace(target: DesiredWorkspace, w: number): void;
  setKey(target: DesiredKey, w: number, k: number): void;
}

/**
 * Sets `source` (where a workspace or entry is written). A manifest parsed without positions gets it
 * as a property computed when first read (an annotation needs it), so a run that never shows an
 * entry's place never parses the file a second time. What each entry needs is only its index, kept
 * aside; the workspace and the position lookup are in the getter, one per workspace, so a manifest's
 * thousands of entries stay objects of one shape.
 */
function sourceSetter(loaded: LoadedDocument): SourceSetter {
  if (loaded.hasPositions()) {
    return {
      setWorkspace: (target, w) => {
        target.source = loaded.positionOf(["workspaces", w]);
      },
      setKey: (target, w, k) => {
        target.source = loaded.positionOf(["workspaces", w, "keys", k]);
      },
    };
  }
  return lazySources(loaded.positionOf);
}

/**
 * Only the position lookup is kept (it holds the text, to parse it again), not the whole
 * LoadedDocument (a function of its own, so no closure here can hold it): the parsed manifest can be
 * collected once the Desired is built.
 */
function lazySources(positionOf: LoadedDocument["positionOf"]): SourceSetter {
  const keyDescriptors: PropertyDescriptor[] = [];
  const keyDescriptor = (w: number): PropertyDescriptor =>
    (keyDescriptors[w] ??= lazySource((target) => positionOf(["workspaces", w, "keys", unreadKeys.get(target)!])));
  return {
    setWorkspace: (target, w) => {
      unreadKeys.set(target, w);
      Object.defineProperty(
        target,
        "source",
        lazySource(() => positionOf(["workspaces", w])),
      );
    },
    setKey: (target, w, k) => {
      unreadKeys.set(target, k);
      Object.defineProperty(target, "source", keyDescriptor(w));
    },
  };
}

/** The index of a workspace or entry whose source has not been read yet. */
const unreadKeys = new WeakMap<object, number>();

function lazySource(find: (target: object) => SourceRef | undefined): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: object): SourceRef | undefined {
      // Read once: the getter is then replaced by the value.
      const source = unreadKeys.has(this) ? find(this) : undefined;
      setSource(this, source);
      return source;
    },
    set(this: object, source: SourceRef | undefined) {
      setSource(this, source);
    },
  };
}

function setSource(target: object, source: SourceRef | undefined): void {
  unreadKeys.delete(target);
  Object.defineProperty(target, "source", { value: source, enumerable: true, configurable: true, writable: true });
}

function sortedUnique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}

/**
 * A deep copy of parsed manifest data (mappings, lists, strings, numbers, booleans, null), as
 * structuredClone makes it, at a fraction of its cost per entry.
 */
function copyData<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyData) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyData((value as Record<string, unknown>)[key]);
    // A key named __proto__ is data here, as in structuredClone's copy.
    if (key === "__proto__")
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}

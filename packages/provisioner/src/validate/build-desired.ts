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
  return {
    file: loaded.file,
    policy,
    ...(manifest.notify !== undefined && { notify: structuredClone(manifest.notify) }),
    workspaces: manifest.workspaces.map((workspace, w) => buildWorkspace(workspace, w, policy, loaded)),
    ...(manifest.teams !== undefined && { teams: structuredClone(manifest.teams) }),
  };
}

function buildWorkspace(
  workspace: ManifestWorkspace,
  w: number,
  policy: Policy,
  loaded: LoadedDocument,
): DesiredWorkspace {
  const built: DesiredWorkspace = {
    name: workspace.name,
    tokenEnv: workspace.tokenEnv,
    ...(workspace.apiUrl !== undefined && { apiUrl: workspace.apiUrl }),
    ...(workspace.notify !== undefined && { notify: structuredClone(workspace.notify) }),
    ...(workspace.id !== undefined && { id: workspace.id }),
    keys: workspace.keys.map((key, k) => buildKey(key, policy, loaded, ["workspaces", w, "keys", k], workspace.access)),
    ...(workspace.access !== undefined && { access: [...workspace.access] }),
  };
  return withSource(built, loaded, ["workspaces", w]);
}

function buildKey(
  key: ManifestKey,
  policy: Policy,
  loaded: LoadedDocument,
  path: (string | number)[],
  inherited: string[] | undefined,
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
    scopes: sortedUnique(key.scopes),
    expiresInDays: key.expiresInDays ?? null,
    enabled: key.enabled ?? true,
    protect: key.protect ?? false,
    rotation: mergeRotation(policy.rotation, key.rotation),
    deliver: key.deliver === undefined ? [] : copyData(key.deliver),
  };
  if (key.verify !== undefined && key.verify.length > 0) built.verify = copyData(key.verify);
  if (key.afterDeliver !== undefined && key.afterDeliver.length > 0) built.afterDeliver = copyData(key.afterDeliver);
  if (access !== undefined) built.access = access;
  if (key.adopt !== undefined) built.adopt = key.adopt;
  return withSource(built, loaded, path);
}

/**
 * Sets `source` (where the entry is written). A manifest parsed without positions gets it as a
 * property computed when first read (an annotation needs it), so a run that never shows an entry's
 * place never parses the file a second time. Every entry shares one getter and setter (what each
 * needs is kept aside), which keeps a manifest's thousands of entries objects of one shape.
 */
function withSource<T extends { source?: SourceRef }>(target: T, loaded: LoadedDocument, path: (string | number)[]): T {
  if (loaded.hasPositions()) {
    target.source = loaded.positionOf(path);
    return target;
  }
  // Only the position lookup is kept (it holds the text, to parse it again), not the whole
  // LoadedDocument: the parsed manifest can be collected once the Desired is built.
  unreadSources.set(target, { positionOf: loaded.positionOf, path });
  Object.defineProperty(target, "source", LAZY_SOURCE);
  return target;
}

const unreadSources = new WeakMap<object, { positionOf: LoadedDocument["positionOf"]; path: (string | number)[] }>();

const LAZY_SOURCE: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object): SourceRef | undefined {
    const unread = unreadSources.get(this);
    const source = unread?.positionOf(unread.path);
    setSource(this, source);
    return source;
  },
  set(this: object, source: SourceRef | undefined) {
    setSource(this, source);
  },
};

function setSource(target: object, source: SourceRef | undefined): void {
  unreadSources.delete(target);
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

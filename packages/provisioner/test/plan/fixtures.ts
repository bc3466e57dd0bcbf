// Plain-object builders for plan tests: a fixed clock, manifest entries with every default, and
// live keys carrying the markers timely-keys writes.
import type { ApiKey, Scope } from "@timely-keys/sdk";
import type { Desired, DesiredKey, Policy, RotationSettings } from "../../src/desired.js";
import { withMarker, type Marker } from "../../src/marker.js";
import type { ActionKind, ActionOfKind, Live, Plan, PlanAction } from "../../src/model.js";
import { currentDescription } from "../../src/plan/describe.js";

export const NOW = new Date("2026-11-23T12:00:00.000Z");
export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const DAY = 24 * HOUR;
export const WORKSPACE = "acme";
export const WORKSPACE_ID = "00000000-0000-4000-8000-0000000000aa";

/** ISO time `offsetMs` from NOW (negative: in the past). */
export function at(offsetMs: number, base: Date = NOW): string {
  return new Date(base.getTime() + offsetMs).toISOString();
}

export function unix(offsetMs: number, base: Date = NOW): number {
  return Math.floor((base.getTime() + offsetMs) / 1000);
}

export function rotation(overrides: Partial<RotationSettings> = {}): RotationSettings {
  return {
    maxAgeDays: 90,
    rotateBeforeExpiryDays: 14,
    drainWindowSeconds: 24 * 3600,
    maxGraceSeconds: 7 * 24 * 3600,
    quarantineSeconds: 7 * 24 * 3600,
    ...overrides,
  };
}

export function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    rotation: rotation(),
    requireExpiryFor: ["write"],
    maxExpiresInDays: null,
    unmanaged: "report",
    rules: {},
    ...overrides,
  };
}

export function entry(id: string, overrides: Partial<DesiredKey> = {}): DesiredKey {
  return {
    id,
    name: `${id} integration`,
    description: `Key for ${id}`,
    scopes: ["read"],
    expiresInDays: 180,
    enabled: true,
    protect: false,
    rotation: rotation(),
    deliver: [{ type: "file", path: `.env.${id}` }],
    ...overrides,
  };
}

/** The entry most plan and render tests start from: two scopes, 90 days, a file and a GitHub secret. */
export const CRM = entry("crm", {
  name: "CRM sync",
  description: "Salesforce sync",
  scopes: ["read", "write"],
  expiresInDays: 90,
  deliver: [
    { type: "file", path: ".env" },
    { type: "githubSecret", repository: "acme/app", secretName: "TIMELY_API_KEY" },
  ],
});

export function desired(
  keys: DesiredKey[] | Record<string, DesiredKey[]>,
  policyOverrides: Partial<Policy> = {},
): Desired {
  const byWorkspace = Array.isArray(keys) ? { [WORKSPACE]: keys } : keys;
  return {
    file: "/repo/timely-keys.yaml",
    workspaces: Object.entries(byWorkspace).map(([name, entries]) => ({
      name,
      tokenEnv: `TOKEN_${name.toUpperCase()}`,
      keys: entries,
    })),
    policy: policy(policyOverrides),
  };
}

let counter = 0;
/** A deterministic uuid-shaped id for a label. */
export function keyId(label: string): string {
  let hash = 0;
  for (const ch of label) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${hash.toString(16).padStart(8, "0")}-0000-4000-8000-${label.length.toString(16).padStart(12, "0")}`;
}

export function apiKey(overrides: Partial<ApiKey> & { id?: string } = {}): ApiKey {
  counter += 1;
  const created = overrides.created_at ?? at(-10 * DAY);
  return {
    id: overrides.id ?? keyId(`key-${counter}`),
    workspace_id: WORKSPACE_ID,
    name: "Some key",
    description: "",
    prefix: "tml_Ab12...",
    scopes: ["read"] as Scope[],
    status: "active",
    created_at: created,
    updated_at: created,
    expires_at: new Date(Date.parse(created) + 180 * DAY).toISOString(),
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
    ...overrides,
  };
}

/**
 * The live key timely-keys leaves for `e` at generation `generation`: a current key (with its
 * hash) unless `marker.phase` says otherwise.
 */
export function managed(
  e: DesiredKey,
  generation: number,
  marker: Partial<Omit<Marker, "entryId" | "generation">> = {},
  overrides: Partial<ApiKey> = {},
): ApiKey {
  const created = overrides.created_at ?? at(-10 * DAY);
  const base: Marker = {
    entryId: e.id,
    generation,
    phase: "current",
    ...(e.protect ? { protect: true } : {}),
    ...marker,
  };
  let description: string;
  if (base.phase === "current") {
    const { hash: _ignored, ...withoutHash } = base;
    description = currentDescription(overrides.name ?? e.name, e.description, withoutHash).description;
  } else {
    description = withMarker(e.description, base);
  }
  return apiKey({
    id: keyId(`${e.id}#${generation}`),
    name: e.name,
    description,
    scopes: [...e.scopes],
    created_at: created,
    updated_at: created,
    expires_at: e.expiresInDays === null ? null : new Date(Date.parse(created) + e.expiresInDays * DAY).toISOString(),
    ...overrides,
  });
}

export function live(keys: ApiKey[] | Record<string, ApiKey[]>, serverNow: Date = NOW): Live {
  const byWorkspace = Array.isArray(keys) ? { [WORKSPACE]: keys } : keys;
  return {
    workspaces: Object.entries(byWorkspace).map(([name, list]) => ({
      name,
      keys: list,
      serverNow: serverNow.toISOString(),
    })),
  };
}

export function actions(plan: Plan): PlanAction[] {
  return plan.workspaces.flatMap((ws) => ws.actions);
}

export function mutating(plan: Plan): PlanAction[] {
  return actions(plan).filter((a) => a.mutates);
}

export function kinds(plan: Plan): string[] {
  return actions(plan).map((a) => a.kind);
}

export function only<K extends ActionKind>(plan: Plan, kind: K): ActionOfKind<K> {
  const found = actions(plan).filter((a) => a.kind === kind);
  if (found.length !== 1)
    throw new Error(`expected exactly one ${kind} action, found ${found.length}: ${kinds(plan).join(", ")}`);
  return found[0] as ActionOfKind<K>;
}

export function stateOf(plan: Plan, entryId: string) {
  const found = plan.workspaces.flatMap((ws) => ws.entries).find((e) => e.entryId === entryId);
  if (!found) throw new Error(`no entry state for ${entryId}`);
  return found;
}

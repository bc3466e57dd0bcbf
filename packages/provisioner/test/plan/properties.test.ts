// Property-based tests of plan: random manifests against random live states (markers in every
// phase, flags, statuses, times, unmarked and garbled keys).
import type { ApiKey, Scope } from "@timely-keys/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Desired, DesiredKey } from "../../src/desired.js";
import { parseMarker, withMarker, type Marker } from "../../src/marker.js";
import type { Live, Plan, PlanAction } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { currentDescription } from "../../src/plan/describe.js";
import { renderJson, renderMarkdown, renderText } from "../../src/render.js";
import { parseSavedPlan, serializeSavedPlan } from "../../src/saved-plan.js";
import { DAY, keyId, NOW, policy, SECOND, WORKSPACE_ID } from "./fixtures.js";
import { simulateApply } from "./simulate.js";

const ENTRY_IDS = ["crm", "bot", "etl", "ops", "gone"] as const;
const WORKSPACES = ["prod", "staging"] as const;
const SCOPES: Scope[] = ["read", "write", "conversations", "agents", "analytics"];
const NAMES = ["CRM sync", "Support bot", "ETL", "ops key", ""];
const TEXTS = ["", "Salesforce sync", "see [tk:crm#1] copied", "x".repeat(520), "line\nbreak", "🔑 key"];

const scopes = fc.subarray(SCOPES, { minLength: 1 }).map((list) => [...list].sort());
const duration = (maxDays: number) => fc.integer({ min: 1, max: maxDays * 24 * 3600 });

const entryArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    name: fc.constantFrom(...NAMES.filter((n) => n !== "")),
    description: fc.constantFrom(...TEXTS),
    scopes,
    expiresInDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
    enabled: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    protect: fc.boolean(),
    rotation: fc.record({
      maxAgeDays: fc.integer({ min: 1, max: 200 }),
      rotateBeforeExpiryDays: fc.integer({ min: 0, max: 30 }),
      drainWindowSeconds: duration(3),
      maxGraceSeconds: duration(10),
      quarantineSeconds: duration(10),
    }),
    deliver: fc.array(
      fc.constantFrom(".env", "b.env").map((path) => ({ type: "file" as const, path })),
      { maxLength: 2 },
    ),
    adoptIndex: fc.option(fc.integer({ min: 0, max: 11 }), { nil: undefined }),
  });

const workspaceEntries = fc
  .subarray([...ENTRY_IDS.slice(0, 4)])
  .chain((ids) => fc.tuple(...ids.map((id) => entryArb(id))));

const liveKeyArb = fc.record({
  shape: fc.constantFrom("marked", "marked", "marked", "unmarked", "garbled"),
  entryId: fc.constantFrom(...ENTRY_IDS),
  generation: fc.integer({ min: 1, max: 5 }),
  phase: fc.constantFrom("current", "current", "pending", "delivering" as const),
  promotedAgo: fc.option(fc.integer({ min: 0, max: 200 * 24 * 3600 }), { nil: undefined }),
  holdFor: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  protect: fc.boolean(),
  off: fc.boolean(),
  hashOk: fc.boolean(),
  active: fc.boolean(),
  createdAgo: fc.integer({ min: 0, max: 400 * 24 * 3600 }),
  touchedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  lifetimeDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
  usedFraction: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  name: fc.constantFrom(...NAMES.filter((n) => n !== "")),
  text: fc.constantFrom(...TEXTS),
  scopes,
});

type LiveKeySpec = typeof liveKeyArb extends fc.Arbitrary<infer T> ? T : never;

function buildKey(spec: LiveKeySpec, id: string, now: Date): ApiKey {
  const created = now.getTime() - spec.createdAgo * SECOND;
  const touched = created + Math.floor((now.getTime() - created) * spec.touchedFraction);
  const iso = (t: number) => new Date(t).toISOString();
  let description = spec.text;
  if (spec.shape === "garbled") description = `${spec.text} [tk:${spec.entryId}#${spec.generation} nonsense]`;
  if (spec.shape === "marked") {
    const marker: Marker = {
      entryId: spec.entryId,
      generation: spec.generation,
      phase: spec.phase,
      ...(spec.promotedAgo !== undefined
        ? { promotedAt: Math.floor((now.getTime() - spec.promotedAgo * SECOND) / 1000) }
        : {}),
      ...(spec.holdFor !== undefined ? { holdFor: spec.holdFor } : {}),
      ...(spec.protect ? { protect: true } : {}),
      ...(spec.off ? { off: true } : {}),
    };
    description =
      spec.phase === "current" && spec.hashOk
        ? currentDescription(spec.name, spec.text, marker).description
        : withMarker(spec.text, { ...marker, ...(spec.phase === "current" ? { hash: "0bad" } : {}) });
  }
  return {
    id,
    workspace_id: WORKSPACE_ID,
    name: spec.name,
    description,
    prefix: "tml_Ab12...",
    scopes: spec.scopes as Scope[],
    status: spec.active ? "active" : "inactive",
    created_at: iso(created),
    updated_at: iso(touched),
    expires_at: spec.lifetimeDays === null ? null : iso(created + spec.lifetimeDays * DAY),
    last_used_at:
      spec.usedFraction === null ? null : iso(created + Math.floor((now.getTime() - created) * spec.usedFraction)),
    deactivated_at: spec.active ? null : iso(touched),
    request_count: 0,
  };
}

const worldArb = fc
  .record({
    workspaces: fc.subarray([...WORKSPACES], { minLength: 1 }),
    entries: fc.tuple(workspaceEntries, workspaceEntries),
    keys: fc.tuple(fc.array(liveKeyArb, { maxLength: 12 }), fc.array(liveKeyArb, { maxLength: 8 })),
    unmanaged: fc.constantFrom("report", "deactivate", "revoke" as const),
    nowOffset: fc.integer({ min: 0, max: 999 }),
    forceRotate: fc.subarray([...ENTRY_IDS]),
  })
  .map((w) => {
    const now = new Date(NOW.getTime() + w.nowOffset);
    const live: Live = {
      workspaces: w.workspaces.map((name, wi) => ({
        name,
        serverNow: now.toISOString(),
        keys: (w.keys[wi] ?? []).map((spec, ki) => buildKey(spec, keyId(`${name}/${ki}`), now)),
      })),
    };
    const desired: Desired = {
      file: "/repo/timely-keys.yaml",
      policy: policy({ unmanaged: w.unmanaged }),
      workspaces: w.workspaces.map((name, wi) => ({
        name,
        tokenEnv: "TOKEN",
        keys: (w.entries[wi] ?? []).map(({ adoptIndex, ...e }): DesiredKey => {
          const adopt = adoptIndex === undefined ? undefined : live.workspaces[wi]?.keys[adoptIndex]?.id;
          return { ...e, ...(adopt !== undefined ? { adopt } : {}) } as DesiredKey;
        }),
      })),
    };
    return { desired, live, now, forceRotate: w.forceRotate };
  });

// TK_PROPERTY_RUNS=5000 for a longer search.
const RUNS = { numRuns: Number(process.env.TK_PROPERTY_RUNS ?? 200) };
// Generous: hundreds of plans per property on a shared, noisy machine.
const TIMEOUT = 120_000;

function allActions(p: Plan): PlanAction[] {
  return p.workspaces.flatMap((w) => w.actions);
}

/** Every deactivation or revocation in the plan must be one of the allowed cases. */
function checkRetirements(p: Plan, desired: Desired, live: Live, now: Date): void {
  for (const ws of p.workspaces) {
    const keys = live.workspaces.find((w) => w.name === ws.name)?.keys ?? [];
    const entries = desired.workspaces.find((w) => w.name === ws.name)?.keys ?? [];
    for (const action of ws.actions) {
      for (const op of action.operations) {
        if (op.op !== "deactivate" && op.op !== "revoke") continue;
        const key = keys.find((k) => k.id === op.keyId);
        expect(key, `${action.kind} targets a live key`).toBeDefined();
        // A key adopted in this very plan carries its entry's marker from then on.
        const adoption = ws.actions.find((a) => a.kind === "adopt" && a.keyId === key!.id);
        const marker =
          parseMarker(key!.description) ??
          (adoption ? { entryId: adoption.entryId!, generation: 1, phase: "current" as const } : null);
        const entry = marker ? entries.find((e) => e.id === marker.entryId) : undefined;
        switch (action.kind) {
          case "drift":
            expect(marker).toBeNull();
            break;
          case "retire":
            expect(marker).not.toBeNull();
            expect(entry).toBeUndefined();
            if (op.op === "revoke") {
              const group = keys.filter((k) => parseMarker(k.description)?.entryId === marker!.entryId);
              expect(group.some((k) => parseMarker(k.description)?.protect)).toBe(false);
            }
            break;
          case "revoke-abandoned":
            expect(marker?.phase).toBe("pending");
            break;
          case "disable":
            expect(entry?.enabled).toBe(false);
            break;
          case "deactivate-previous":
          case "revoke-previous": {
            expect(entry).toBeDefined();
            expect(entry!.enabled).toBe(true);
            if (op.op === "revoke") expect(entry!.protect).toBe(false);
            const current = keys.find((k) => k.id === action.currentKeyId);
            expect(current).toBeDefined();
            const currentMarker = parseMarker(current!.description);
            expect(currentMarker).toMatchObject({ entryId: entry!.id, phase: "current" });
            expect(currentMarker!.generation).toBeGreaterThan(marker!.generation);
            // The current key works: not expired (and active, or enabled earlier in this plan).
            expect(current!.expires_at === null || Date.parse(current!.expires_at) > now.getTime()).toBe(true);
            break;
          }
          default:
            throw new Error(`${action.kind} deactivates or revokes ${op.keyId}`);
        }
      }
    }
  }
}

describe("plan properties", () => {
  it(
    "never throws, is deterministic, survives a JSON round trip, and renders",
    () => {
      fc.assert(
        fc.property(worldArb, ({ desired, live, now, forceRotate }) => {
          const a = plan(desired, live, now, { forceRotate });
          const b = plan(structuredClone(desired), structuredClone(live), new Date(now.getTime()), {
            forceRotate: [...forceRotate],
          });
          expect(b).toEqual(a);
          // Plain data: it survives JSON; saved and read back, it renders the same JSON.
          expect(JSON.parse(JSON.stringify(a))).toEqual(a);
          expect(renderJson(parseSavedPlan(serializeSavedPlan(a), "plan.json"))).toBe(renderJson(a));
          expect(renderText(a, { color: true }).length).toBeGreaterThan(0);
          expect(renderMarkdown(a, { maxBytes: 4096 }).length).toBeLessThanOrEqual(4096);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "never deactivates or revokes a key without a verified, newer current key (or an explicit reason)",
    () => {
      fc.assert(
        fc.property(worldArb, ({ desired, live, now, forceRotate }) => {
          const p = plan(desired, live, now, { forceRotate });
          checkRetirements(p, desired, live, now);
          // At most one new key per entry, never for a disabled entry.
          for (const ws of p.workspaces) {
            const makers = ws.actions.filter((a) => a.kind === "create" || a.kind === "rotate");
            expect(new Set(makers.map((a) => a.entryId)).size).toBe(makers.length);
            const entries = desired.workspaces.find((w) => w.name === ws.name)!.keys;
            for (const m of makers) expect(entries.find((e) => e.id === m.entryId)?.enabled).toBe(true);
          }
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "apply, then plan again: nothing left to change",
    () => {
      fc.assert(
        fc.property(worldArb, ({ desired, live, now, forceRotate }) => {
          const first = plan(desired, live, now, { forceRotate });
          const applied = simulateApply(first, live, now);
          const second = plan(desired, applied, now);
          checkRetirements(second, desired, applied, now);
          // Only exception: an entry that got a new key in the first plan may now retire older keys
          // that had no verified newer generation until that successor was promoted (there was no
          // current key, it had expired, or they shared its generation).
          const renewed = new Set(
            allActions(first)
              .filter((a) => a.kind === "create" || a.kind === "rotate")
              .map((a) => `${a.workspace}/${a.entryId}`),
          );
          const left = allActions(second).filter(
            (a) =>
              a.mutates &&
              !(
                (a.kind === "deactivate-previous" || a.kind === "revoke-previous") &&
                renewed.has(`${a.workspace}/${a.entryId}`)
              ),
          );
          expect(left.map((a) => `${a.kind}/${a.reason} ${a.entryId ?? a.keyId}`)).toEqual([]);
          const third = plan(desired, simulateApply(second, applied, now), now);
          expect(third.changes).toBe(false);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );
});

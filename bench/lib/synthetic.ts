// Synthetic Desired/Live pairs for the pure `plan` benchmark, built as the plan tests build them:
// manifest entries with every default applied, and live keys carrying the markers timely-keys
// writes (a current key's description holds the hash of its name and text).
import type { Desired, DesiredKey, Live, RotationSettings } from "@timely-keys/provisioner";
import type { ApiKey } from "@timely-keys/sdk";
import { currentDescription } from "../../packages/provisioner/src/plan/describe.js";

export const NOW = new Date("2026-11-23T12:00:00.000Z");
const DAY_MS = 86_400_000;
const WORKSPACE_ID = "00000000-0000-4000-8000-0000000000aa";

/**
 * `report`: 10 managed entries, every other live key unmanaged (a big workspace, a small manifest:
 * the shape of the end-to-end benchmark). `managed`: half the live keys are the current keys of
 * N/2 manifest entries (about one in ten due for rotation by age), the other half unmanaged.
 */
export type Shape = "report" | "managed";
export const shapes: readonly Shape[] = ["report", "managed"];

const rotation: RotationSettings = {
  maxAgeDays: 90,
  rotateBeforeExpiryDays: 14,
  drainWindowSeconds: 24 * 3600,
  maxGraceSeconds: 7 * 24 * 3600,
  quarantineSeconds: 7 * 24 * 3600,
};

function uuid(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

function liveKey(index: number, name: string, description: string): ApiKey {
  // Ages spread over 0..99 days: keys older than 90 days are due for rotation.
  const created = new Date(NOW.getTime() - ((index * 7919) % 100) * DAY_MS).toISOString();
  return {
    id: uuid(index),
    workspace_id: WORKSPACE_ID,
    name,
    description,
    prefix: "tml_Ab12...",
    scopes: ["read"],
    status: "active",
    created_at: created,
    updated_at: created,
    expires_at: null,
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
  } as ApiKey;
}

export function syntheticState(shape: Shape, keys: number): { desired: Desired; live: Live } {
  const managedCount = shape === "report" ? Math.min(10, keys) : keys;
  const entries: DesiredKey[] = [];
  const live: ApiKey[] = [];
  for (let i = 0; i < keys; i++) {
    if (i < managedCount) {
      const entry: DesiredKey = {
        id: `integration-${i}`,
        name: `Integration ${i}`,
        description: `Key of integration ${i}`,
        scopes: ["read"],
        expiresInDays: null,
        enabled: true,
        protect: false,
        rotation,
        deliver: [{ type: "file", path: `./secrets/integration-${i}.env` } as DesiredKey["deliver"][number]],
      };
      entries.push(entry);
      const { description } = currentDescription(entry.name, entry.description, {
        entryId: entry.id,
        generation: 1,
        phase: "current",
      });
      live.push(liveKey(i, entry.name, description));
    } else {
      live.push(liveKey(i, `Dashboard key ${i}`, "Made by hand"));
    }
  }
  return {
    desired: {
      file: "/repo/timely-keys.yaml",
      policy: { rotation, requireExpiryFor: ["write"], maxExpiresInDays: null, unmanaged: "report", rules: {} },
      workspaces: [{ name: "bench", tokenEnv: "TIMELY_BENCH_TOKEN", keys: entries }],
    },
    live: { workspaces: [{ name: "bench", keys: live, serverNow: NOW.toISOString() }] },
  };
}

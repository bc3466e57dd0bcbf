import { plan } from "@timely-keys/provisioner";
import type { Desired, DesiredKey, Live } from "@timely-keys/provisioner";
import type { ApiKey } from "@timely-keys/sdk";
import { currentDescription } from "../packages/provisioner/src/plan/describe.js";
const NOW = new Date("2026-11-23T12:00:00Z"); const DAY = 86400000;
const share = Number(process.argv[2]); const n = Number(process.argv[3]);
  const rot = { maxAgeDays: 90, rotateBeforeExpiryDays: 14, drainWindowSeconds: 86400, maxGraceSeconds: 7*86400, quarantineSeconds: 7*86400 };
  const entries: DesiredKey[] = []; const keys: ApiKey[] = [];
  const managed = Math.round(n * share);
  for (let i = 0; i < n; i++) {
    const created = new Date(NOW.getTime() - ((i * 7919) % 100) * DAY).toISOString();
    const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
    let name = `key-${i}`, description = "";
    if (i < managed) {
      const e: DesiredKey = { id: `entry-${i}`, name: `Entry ${i}`, description: "", scopes: ["read"], expiresInDays: null, enabled: true, protect: false, rotation: rot, deliver: [{ type: "file", path: `.env.${i}` } as any] };
      entries.push(e); name = e.name; description = currentDescription(e.name, "", { entryId: e.id, generation: 1, phase: "current" }).description;
    }
    keys.push({ id, workspace_id: "00000000-0000-4000-8000-0000000000aa", name, description, prefix: "tml_Ab12...", scopes: ["read"], status: "active", created_at: created, updated_at: created, expires_at: null, last_used_at: null, deactivated_at: null, request_count: 0 } as ApiKey);
  }
  const desired: Desired = { file: "/x/timely-keys.yaml", policy: { rotation: rot, requireExpiryFor: ["write"], maxExpiresInDays: null, unmanaged: "report", rules: {} }, workspaces: [{ name: "w", tokenEnv: "T", keys: entries }] };
  const live: Live = { workspaces: [{ name: "w", keys, serverNow: NOW.toISOString() }] };
for (let r = 0; r < 5; r++) { const t = performance.now(); plan(desired, live, NOW); console.log((performance.now() - t).toFixed(1)); }

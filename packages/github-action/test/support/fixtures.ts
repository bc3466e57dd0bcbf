// Real Desired states and Plans for unit tests: a manifest text through the provisioner's own
// validate and plan, against live keys made up here.
import { createHash } from "node:crypto";
import {
  formatMarker,
  parseManifest,
  plan,
  validate,
  type Desired,
  type Live,
  type Plan,
} from "@timely-keys/provisioner";

export type LiveKey = Live["workspaces"][number]["keys"][number];

export const WORKSPACE_DIR = "/home/runner/work/app/app";
export const MANIFEST = `${WORKSPACE_DIR}/timely-keys.yaml`;
export const DAY_MS = 86_400_000;

export function desiredOf(yaml: string, file = MANIFEST): Desired {
  const result = validate(parseManifest(yaml, file));
  if (!result.desired)
    throw new Error(`fixture manifest is invalid: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  return result.desired;
}

let counter = 0;

/** The marker's edit check, as the provisioner writes it: sha256(name + "\n" + text), 4 hex digits. */
function markerHash(name: string, text: string): string {
  return createHash("sha256").update(`${name}\n${text}`, "utf8").digest("hex").slice(0, 4);
}

/** A managed key as timely-keys leaves it: its description is the entry's marker (promoted when created). */
export function managedKey(
  entryId: string,
  generation: number,
  created: Date,
  options: { expiresInDays?: number; name?: string; status?: "active" | "inactive" } = {},
): LiveKey {
  counter += 1;
  const name = options.name ?? entryId;
  const expires =
    options.expiresInDays === undefined
      ? null
      : new Date(created.getTime() + options.expiresInDays * DAY_MS).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    workspace_id: "ws_1",
    name,
    description: formatMarker({
      entryId,
      generation,
      phase: "current",
      promotedAt: Math.floor(created.getTime() / 1000),
      hash: markerHash(name, ""),
    }),
    prefix: "tml_abcd",
    scopes: ["read"],
    status: options.status ?? "active",
    created_at: created.toISOString(),
    updated_at: created.toISOString(),
    expires_at: expires,
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
  };
}

export function liveOf(workspaces: Record<string, LiveKey[]>, now: Date): Live {
  return {
    workspaces: Object.entries(workspaces).map(([name, keys]) => ({ name, keys, serverNow: now.toISOString() })),
  };
}

export function planOf(desired: Desired, live: Live, now: Date, options: Parameters<typeof plan>[3] = {}): Plan {
  return plan(desired, live, now, options);
}

/** A manifest with `count` read-only keys in one workspace (ids k0, k1, ...). */
export function manyKeysManifest(count: number, extra = ""): string {
  const keys = Array.from(
    { length: count },
    (_, i) =>
      `      - id: k${i}\n        name: Key ${i}\n        scopes: [read]\n${extra}        deliver: [{ type: file, ` +
      `path: ./k${i}.env }]\n`,
  ).join("");
  return `version: 1\nworkspaces:\n  - name: prod\n    tokenEnv: PROD_TOKEN\n    keys:\n${keys}`;
}

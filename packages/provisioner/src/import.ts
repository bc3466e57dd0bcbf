// import: a manifest written from the keys live in a workspace. Keys that already carry a marker
// keep their entry id; unmarked ones get an id derived from their name and `adopt: <key id>`, so
// the next apply writes their markers and the plan after it is empty.
import type { ApiKey } from "@timely-keys/sdk";
import { Document, isMap, isSeq, stringify } from "yaml";
import { splitDescription } from "./marker.js";

export interface ImportInput {
  workspace: string;
  tokenEnv: string;
  apiUrl?: string;
  keys: readonly ApiKey[];
  /** Path from the written manifest to the JSON Schema, for the editor line. */
  schemaPath: string;
  /** The live workspace's id, written as `workspaces[].id` to pin the manifest to it (init does). */
  workspaceId?: string;
  /** A commented `deliver:` example under each enabled entry (init does). */
  sinkExamples?: boolean;
}

/** Commented under each enabled entry by `init`: uncommented, it makes the key rotatable. */
function sinkExample(entryId: string): string {
  return [
    " Where the new secret goes when this key rotates; uncomment and adapt one:",
    " deliver:",
    `   - { type: file, path: ./${entryId}.env, variable: TIMELY_API_KEY }`,
    "   - { type: githubSecret, repository: OWNER/REPO, secretName: TIMELY_API_KEY }",
  ].join("\n");
}

const DAY_MS = 86_400_000;

export function importManifest(input: ImportInput): string {
  const used = new Set<string>();
  const entries: Record<string, unknown>[] = [];
  let writeWithoutExpiry = false;
  const names = new Map<string, number>();
  for (const key of input.keys) names.set(key.name, (names.get(key.name) ?? 0) + 1);

  // Marked keys first: their ids are taken as they are. Only one key per entry id is imported (the current one).
  const sorted = [...input.keys].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const byEntry = new Map<string, ApiKey>();
  const unmarked: ApiKey[] = [];
  for (const key of sorted) {
    const { marker } = splitDescription(key.description);
    if (marker && marker.phase === "current") {
      const seen = byEntry.get(marker.entryId);
      const seenGen = seen ? (splitDescription(seen.description).marker?.generation ?? 0) : -1;
      if (marker.generation > seenGen) byEntry.set(marker.entryId, key);
    } else if (!marker) unmarked.push(key);
  }
  for (const [id, key] of byEntry) {
    used.add(id);
    entries.push(entryOf(key, id, false));
  }
  for (const key of unmarked) {
    const id = uniqueId(slug(key.name), used);
    entries.push(entryOf(key, id, true));
  }
  for (const key of [...byEntry.values(), ...unmarked]) {
    if (key.scopes.includes("write") && key.expires_at === null) writeWithoutExpiry = true;
  }
  const duplicateNames = [...names.values()].some((n) => n > 1);

  const rules: Record<string, string> = {};
  if (writeWithoutExpiry) rules["write-without-expiry"] = "warning";
  if (duplicateNames) rules["duplicate-name"] = "warning";
  const manifest: Record<string, unknown> = { version: 1 };
  if (Object.keys(rules).length > 0) manifest.policy = { rules };
  manifest.workspaces = [
    {
      name: input.workspace,
      ...(input.workspaceId ? { id: input.workspaceId } : {}),
      tokenEnv: input.tokenEnv,
      ...(input.apiUrl ? { apiUrl: input.apiUrl } : {}),
      keys: entries,
    },
  ];
  const header = [
    `# yaml-language-server: $schema=${input.schemaPath}`,
    `# Imported by 'timely-keys import --workspace ${input.workspace}'. Review it, add deliver: sinks`,
    "# (a key without sinks is adopted but never rotated: validate warns about each one), and commit it.",
    "# The next apply marks the adopted keys.",
  ];
  if (Object.keys(rules).length > 0) {
    header.push(
      "# Some live keys break the default policy; those rules are lowered to warnings below until you fix them.",
    );
  }
  if (!input.sinkExamples) return `${header.join("\n")}\n${stringify(manifest, { lineWidth: 0 })}`;
  const doc = new Document(manifest);
  const keys = doc.getIn(["workspaces", 0, "keys"]);
  if (isSeq(keys)) {
    for (const item of keys.items) {
      if (isMap(item) && item.get("enabled") !== false) item.comment = sinkExample(String(item.get("id")));
    }
  }
  return `${header.join("\n")}\n${doc.toString({ lineWidth: 0 })}`;
}

function entryOf(key: ApiKey, id: string, adopt: boolean): Record<string, unknown> {
  const { text } = splitDescription(key.description);
  const entry: Record<string, unknown> = { id, name: key.name };
  if (text) entry.description = text;
  entry.scopes = [...key.scopes].sort();
  const days = lifetimeDays(key);
  if (days !== null) entry.expiresInDays = days;
  if (key.status !== "active") entry.enabled = false;
  if (adopt) entry.adopt = key.id;
  return entry;
}

function lifetimeDays(key: ApiKey): number | null {
  if (key.expires_at === null) return null;
  return Math.max(1, Math.round((Date.parse(key.expires_at) - Date.parse(key.created_at)) / DAY_MS));
}

/** "Salesforce CRM Integration" -> "salesforce-crm-integration". */
export function slug(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
  return base || "key";
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}-${n}`;
  used.add(id);
  return id;
}

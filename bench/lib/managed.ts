// The all-managed shape, end to end: an emulator workspace whose every key is the current key of a
// manifest entry (its description carries the marker timely-keys writes, hash included), and the
// manifest that describes exactly those keys, so `plan` has nothing to change.
import type { SeedKey } from "@timely-keys/emulator";
import { currentDescription } from "../../packages/provisioner/src/plan/describe.js";
import { TOKEN_ENV } from "./fixtures.js";

export function entryId(workspace: string, index: number): string {
  return `${workspace}-${String(index).padStart(6, "0")}`;
}

/** The seed keys of an all-managed workspace: `count` current keys, one per entry. */
export function managedSeedKeys(workspace: string, count: number): SeedKey[] {
  const keys: SeedKey[] = [];
  for (let i = 0; i < count; i++) {
    const id = entryId(workspace, i);
    const name = `Integration ${id}`;
    const { description } = currentDescription(name, `Key of ${id}`, { entryId: id, generation: 1, phase: "current" });
    keys.push({ name, description, scopes: ["read"] });
  }
  return keys;
}

/** The YAML lines of one workspace whose `count` entries match managedSeedKeys (each with a file sink). */
export function managedWorkspaceYaml(workspace: string, tokenEnv: string, count: number): string[] {
  const lines = [`  - name: ${workspace}`, `    tokenEnv: ${tokenEnv}`, "    keys:"];
  for (let i = 0; i < count; i++) {
    const id = entryId(workspace, i);
    lines.push(`      - id: ${id}`);
    lines.push(`        name: "Integration ${id}"`);
    lines.push(`        description: "Key of ${id}"`);
    lines.push("        scopes: [read]");
    lines.push(`        deliver: [{ type: file, path: ./secrets/${id}.env }]`);
  }
  return lines;
}

/** A one-workspace all-managed manifest. */
export function managedManifestYaml(workspace: string, count: number, tokenEnv = TOKEN_ENV): string {
  return `${["version: 1", "workspaces:", ...managedWorkspaceYaml(workspace, tokenEnv, count)].join("\n")}\n`;
}

// Test manifests built as typed data and written out with the `yaml` library, so that a misspelt
// field fails the typecheck and a test names only what it is about. It lives with the manifest's
// types so that this package's tests can use it; test/support/manifest.ts hands it to the
// repository's suites. Inline YAML stays where the text itself is under test (parse errors,
// positions, comments, hostile input, the example manifests).
import { stringify } from "yaml";
import type { FileSinkConfig, SinkConfig } from "../../src/deliver/config.js";
import type { ManifestDocument, ManifestKey, ManifestWorkspace } from "../../src/validate/manifest.js";

export type { ManifestDocument, ManifestKey, ManifestWorkspace, SinkConfig };

/** A manifest entry's fields besides its id. */
export type EntryFields = Partial<Omit<ManifestKey, "id">>;

/** A file sink: dotenv with TIMELY_API_KEY unless `format` or `variable` say otherwise. */
export function fileSink(path: string, fields: Omit<FileSinkConfig, "type" | "path"> = {}): FileSinkConfig {
  return { type: "file", path, ...fields };
}

/**
 * An entry named after its id, with scope read, no expiry and one dotenv file, ./secrets/<id>.env
 * (`deliver: undefined` for none).
 */
export function entry(id: string, fields: EntryFields = {}): ManifestKey {
  const { deliver, ...rest } = fields;
  // The sinks last, as people write them: the YAML reads like the hand-written copies it replaces.
  const sinks = "deliver" in fields ? deliver : [fileSink(`./secrets/${id}.env`)];
  return { id, name: id, scopes: ["read"], ...rest, ...(sinks ? { deliver: sinks } : {}) };
}

/** The entry most tests share: crm, "CRM Integration", read and conversations, 120 days, ./secrets/crm.env. */
export function crmEntry(fields: EntryFields = {}): ManifestKey {
  return entry("crm", { name: "CRM Integration", scopes: ["read", "conversations"], expiresInDays: 120, ...fields });
}

/** A workspace: acme-prod, its token in PROD_TOKEN, holding the crm entry, unless told otherwise. */
export function workspace(fields: Partial<ManifestWorkspace> = {}): ManifestWorkspace {
  return { name: "acme-prod", tokenEnv: "PROD_TOKEN", keys: [crmEntry()], ...fields };
}

export interface ManifestSpec extends Partial<Omit<ManifestDocument, "version">> {
  /** The keys of the one default workspace (acme-prod, PROD_TOKEN); not with `workspaces`. */
  keys?: ManifestKey[];
}

/** A manifest: version 1, and the default workspace (holding `keys` when given) unless `workspaces` are. */
export function manifest(spec: ManifestSpec = {}): ManifestDocument {
  const { keys, workspaces, ...rest } = spec;
  if (keys && workspaces) throw new Error("give the keys of the default workspace or the workspaces, not both");
  return { version: 1, ...rest, workspaces: workspaces ?? [workspace(keys ? { keys } : {})] };
}

/** The manifest as YAML text, for a file on disk or parseManifest. */
export function manifestYaml(spec: ManifestSpec = {}): string {
  // One line per value (no folding of long strings), and no anchors where two places share an object.
  return stringify(manifest(spec), { lineWidth: 0, aliasDuplicateObjects: false });
}

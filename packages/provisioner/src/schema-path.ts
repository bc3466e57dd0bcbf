// Where the manifest's JSON Schema ships: <package>/schema/manifest.schema.json, found by walking up
// from this module (it runs from src/ in the workspace and from dist/ once bundled).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function manifestSchemaFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = join(dir, "schema", "manifest.schema.json");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * The `$schema` a written manifest points at: the schema this version of the package publishes on
 * the npm CDN. It is the same on every machine and for every way of installing the CLI (npx,
 * global, devDependency), and stays in step with the version that wrote the file; a local path
 * would be right only on the machine, or in the folder layout, that wrote it.
 */
export function publishedSchemaUrl(version: string): string {
  return `https://unpkg.com/@timely-keys/provisioner@${version}/schema/manifest.schema.json`;
}

// Where a written manifest's `$schema` line points.

/**
 * The `$schema` a written manifest points at: the schema this version of the package publishes on
 * the npm CDN. It is the same on every machine and for every way of installing the CLI (npx,
 * global, devDependency), and stays in step with the version that wrote the file; a local path
 * would be right only on the machine, or in the folder layout, that wrote it.
 */
export function publishedSchemaUrl(version: string): string {
  return `https://unpkg.com/@timely-keys/provisioner@${version}/schema/manifest.schema.json`;
}

// Where the manifest's JSON Schema ships: @timely-keys/provisioner/schema/manifest.schema.json. Resolved
// through the package's exports, so it is found from the library (src/ or dist/) and from the
// `timely-keys` CLI bundle, which depends on this package.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function manifestSchemaFile(): string | undefined {
  try {
    const file = fileURLToPath(import.meta.resolve("@timely-keys/provisioner/schema/manifest.schema.json"));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

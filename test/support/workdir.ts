// A temporary folder with a manifest, the place file sinks write to.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Workdir {
  dir: string;
  manifest: string;
  write(yaml: string): void;
  cleanup(): void;
}

export function makeWorkdir(yaml: string): Workdir {
  const dir = mkdtempSync(join(tmpdir(), "timely-keys-e2e-"));
  const manifest = join(dir, "timely-keys.yaml");
  writeFileSync(manifest, yaml);
  return {
    dir,
    manifest,
    write: (text) => writeFileSync(manifest, text),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

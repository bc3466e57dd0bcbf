// Emulators, tokens and manifests for the benchmarks. Tokens are minted per run (never written in
// the sources) and only ever passed through environment variables and temporary seed files.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator, type Seed } from "@timely-keys/emulator";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A fresh management token, `tkm_` + 40 base62 characters. */
export function mintToken(): string {
  let text = "";
  for (const byte of randomBytes(64)) {
    if (byte < 248) text += BASE62[byte % 62];
    if (text.length === 40) break;
  }
  return `tkm_${text.padEnd(40, "0")}`;
}

export const WORKSPACE = "bench";
export const OWNER = "Bench Owner";
export const TOKEN_ENV = "TIMELY_BENCH_TOKEN";

export interface BenchWorld {
  emulator: Emulator;
  token: string;
  /** The request log's principal for the token. */
  principal: string;
}

export function benchSeed(token: string, generatedKeys: number): Seed {
  return {
    workspaces: [{ name: WORKSPACE, members: [{ name: OWNER, role: "owner", token }], generated_keys: generatedKeys }],
  };
}

/** An in-process emulator with one workspace, its owner's token, and `generatedKeys` keys. */
export async function startBenchEmulator(generatedKeys: number, rateLimit: number): Promise<BenchWorld> {
  const token = mintToken();
  const emulator = await startEmulator({ seed: benchSeed(token, generatedKeys), rateLimit });
  return { emulator, token, principal: `member:${OWNER}` };
}

export async function clearRequestLog(emulator: Emulator): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/requests/clear`, { method: "POST" });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`clearing the request log failed: ${response.status}`);
}

export interface TempDir {
  path: string;
  file(name: string, text: string): string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `timely-bench-${prefix}-`));
  return {
    path,
    file(name, text) {
      const file = join(path, name);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export interface ManifestEntry {
  id: string;
  name: string;
  adopt?: string;
}

/** A manifest for the bench workspace: each entry reads, never expires, and goes to a file sink. */
export function manifestYaml(entries: readonly ManifestEntry[]): string {
  const lines = ["version: 1", "workspaces:", `  - name: ${WORKSPACE}`, `    tokenEnv: ${TOKEN_ENV}`, "    keys:"];
  for (const entry of entries) {
    lines.push(`      - id: ${entry.id}`);
    lines.push(`        name: ${JSON.stringify(entry.name)}`);
    lines.push("        scopes: [read]");
    if (entry.adopt !== undefined) lines.push(`        adopt: ${entry.adopt}`);
    lines.push(`        deliver: [{ type: file, path: ./secrets/${entry.id}.env }]`);
  }
  return `${lines.join("\n")}\n`;
}

// The leak scanner every end-to-end test uses: every secret the emulator minted (and every
// management token) must be absent from every byte the CLI printed or wrote outside the sinks'
// own target files.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export interface LeakFinding {
  where: string;
  secret: string; // masked
}

function mask(secret: string): string {
  return `${secret.slice(0, 8)}…`;
}

/** Finds every secret (or a long-enough fragment of one) in the given texts. */
export function findLeaks(texts: Record<string, string>, secrets: readonly string[]): LeakFinding[] {
  const findings: LeakFinding[] = [];
  for (const secret of secrets) {
    // The whole value, and its random part alone (e.g. after a prefix was cut off).
    const needles = [secret, secret.slice(4)].filter((n) => n.length >= 16);
    for (const [where, text] of Object.entries(texts)) {
      if (needles.some((n) => text.includes(n))) findings.push({ where, secret: mask(secret) });
    }
  }
  return findings;
}

/** Every file under `dir` (recursively), except the given sink targets, as text. */
export function filesUnder(dir: string, exceptFiles: readonly string[] = []): Record<string, string> {
  const skip = new Set(exceptFiles.map((f) => resolve(f)));
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      const info = statSync(path);
      if (info.isDirectory()) {
        if (name !== "node_modules" && name !== ".git") walk(path);
      } else if (!skip.has(resolve(path)) && info.size < 32 * 1024 * 1024) {
        out[path] = readFileSync(path, "latin1");
      }
    }
  };
  walk(dir);
  return out;
}

export function expectNoLeaks(texts: Record<string, string>, secrets: readonly string[]): void {
  const findings = findLeaks(texts, secrets);
  if (findings.length > 0) {
    throw new Error(`secret leak: ${findings.map((f) => `${f.secret} in ${f.where}`).join("; ")}`);
  }
}

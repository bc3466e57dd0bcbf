// Which values the runner must mask, found before anything is read or printed: every management
// token the manifest names, every credential a sink uses, and anything in the environment shaped
// like a Timely secret or token. The manifest is walked as raw YAML data, so even one that fails
// validation has its tokens masked before its findings are printed.
import { findSecretShape, registerSecret } from "@timely-keys/sdk";

/** Variables the sinks read credentials from when the manifest does not name others. */
const SINK_DEFAULTS: Record<string, string[]> = {
  githubSecret: ["GITHUB_TOKEN"],
  vault: ["VAULT_TOKEN"],
  onePassword: ["OP_CONNECT_TOKEN"],
  awsSecretsManager: ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function name(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The names of every variable holding a credential, from the manifest's data (any shape). */
export function credentialEnvNames(manifest: unknown): string[] {
  const names = new Set<string>();
  const add = (value: unknown) => {
    const n = name(value);
    if (n !== undefined) names.add(n);
  };
  if (!isRecord(manifest)) return [];
  for (const workspace of asArray(manifest.workspaces)) {
    if (!isRecord(workspace)) continue;
    add(workspace.tokenEnv);
    for (const key of asArray(workspace.keys)) {
      if (!isRecord(key)) continue;
      for (const sink of asArray(key.deliver)) {
        if (!isRecord(sink)) continue;
        const type = typeof sink.type === "string" ? sink.type : "";
        const auth = isRecord(sink.auth) ? sink.auth : {};
        const named = [sink.tokenEnv, auth.tokenEnv, auth.roleIdEnv, auth.secretIdEnv].filter(
          (v) => name(v) !== undefined,
        );
        named.forEach(add);
        // A sink that names its token variable does not read the default one.
        const defaults = SINK_DEFAULTS[type] ?? [];
        if (type === "awsSecretsManager" || named.length === 0) defaults.forEach(add);
      }
    }
  }
  return [...names].sort();
}

/**
 * For a manifest that is not even YAML: every variable named by a `...Env:` field in its text,
 * and every default credential variable of the sinks.
 */
export function credentialEnvNamesInText(text: string): string[] {
  const names = new Set<string>(Object.values(SINK_DEFAULTS).flat());
  for (const match of text.matchAll(/\b(?:tokenEnv|roleIdEnv|secretIdEnv)\s*:\s*["']?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * The values to mask: those of the named variables, plus every variable whose value holds a
 * Timely token shape. A multi-line value is also masked line by line (the runner matches lines).
 */
export function secretValues(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined) => {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed === "") return;
    values.add(trimmed);
    if (/[\r\n]/.test(trimmed)) {
      for (const line of trimmed.split(/\r?\n|\r/)) if (line.trim() !== "") values.add(line.trim());
    }
  };
  for (const n of names) add(env[n]);
  for (const value of Object.values(env)) if (value !== undefined && findSecretShape(value) !== undefined) add(value);
  // The run's own redaction learns them too: every line this process writes is masked, not only
  // the runner's view of it.
  for (const value of values) registerSecret(value);
  return [...values];
}

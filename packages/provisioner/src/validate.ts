// validate: a loaded manifest -> the Desired state, plus every finding (secrets, schema, policy
// lint, environment), one per location, sorted by position. No Desired when any finding is an error.
import type { Desired } from "./desired.js";
import { ManifestLoadError, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { load, maxManifestBytesFromEnv, type LoadOptions, type LoadedDocument } from "./load.js";
import { buildDesired } from "./validate/build-desired.js";
import { checkEnv } from "./validate/env-check.js";
import { checkOrigins } from "./validate/origin-rules.js";
import type { ManifestDocument } from "./validate/manifest.js";
import { lintManifest } from "./validate/policy-lint.js";
import { isConfigurableRule } from "./validate/rules.js";
import { checkSchema } from "./validate/schema.js";
import { scanForSecrets } from "./validate/secret-scan.js";
import { appendAll } from "./append.js";

export interface ValidateOptions {
  /** Where env vars are looked up. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Report `missing-env` for every variable the manifest names that is unset or empty. */
  requireEnv?: boolean;
  /** With requireEnv: also the variables sinks need (GITHUB_TOKEN, VAULT_TOKEN, ...). Default true. */
  requireSinkEnv?: boolean;
  /** With requireEnv: only check these workspaces (the --workspace filter). Default all. */
  workspaces?: readonly string[];
}

export interface ValidationResult {
  /** Undefined when any diagnostic is an error. */
  desired?: Desired;
  diagnostics: Diagnostic[];
}

export function validate(loaded: LoadedDocument, options: ValidateOptions = {}): ValidationResult {
  const result = validateDocument(loaded, options);
  if (result.diagnostics.length === 0 || !loaded.parsedWithoutPositions) return result;
  // Something to report: find it again on the positioned parse, so every message and line:col is the
  // one `yaml` gives (and a file only `yaml` refuses is refused with its message).
  let positioned: LoadedDocument;
  try {
    positioned = loaded.withPositions();
  } catch (error) {
    if (error instanceof ManifestLoadError) return { diagnostics: error.diagnostics };
    throw error;
  }
  return validateDocument(positioned, options);
}

function validateDocument(loaded: LoadedDocument, options: ValidateOptions): ValidationResult {
  const diagnostics: Diagnostic[] = [...scanForSecrets(loaded)];
  const schemaDiagnostics = checkSchema(loaded);
  appendAll(diagnostics, schemaDiagnostics);

  let desired: Desired | undefined;
  // Lint reads the manifest's structure, so it only runs on a schema-valid one.
  if (schemaDiagnostics.length === 0) {
    const manifest = loaded.value as unknown as ManifestDocument;
    desired = buildDesired(manifest, loaded);
    const findings = lintManifest(manifest, desired, loaded);
    // Static rules always; the apiUrl allow-list only for a run that will send requests.
    findings.push(
      ...checkOrigins(manifest, loaded, { env: options.env ?? process.env, apiUrls: options.requireEnv === true }),
    );
    if (options.requireEnv) {
      appendAll(
        findings,
        checkEnv(manifest, loaded, {
          env: options.env ?? process.env,
          sinks: options.requireSinkEnv ?? true,
          workspaces: options.workspaces,
        }),
      );
    }
    appendAll(diagnostics, applySeverities(findings, desired.policy.rules));
  }

  const sorted = onePerLocation(sortDiagnostics(diagnostics));
  return hasErrors(sorted) ? { diagnostics: sorted } : { desired, diagnostics: sorted };
}

/** load + validate; a file that cannot be loaded comes back as diagnostics instead of a throw. */
export async function validateFile(
  file: string,
  options: ValidateOptions & LoadOptions = {},
): Promise<ValidationResult & { loaded?: LoadedDocument }> {
  let loaded: LoadedDocument;
  const maxBytes = options.maxBytes ?? maxManifestBytesFromEnv(options.env ?? process.env);
  try {
    loaded = await load(file, { ...options, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  } catch (error) {
    if (error instanceof ManifestLoadError) return { diagnostics: error.diagnostics };
    throw error;
  }
  return { ...validate(loaded, options), loaded };
}

/** policy.rules: a configurable rule may be raised, lowered to a warning, or turned off. */
function applySeverities(findings: Diagnostic[], rules: Record<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const finding of findings) {
    const severity = isConfigurableRule(finding.rule) ? rules[finding.rule] : finding.severity;
    if (severity === "off") continue;
    out.push({ ...finding, severity: severity === "warning" ? "warning" : "error" });
  }
  return out;
}

/** Keeps the first (most important) finding at each node. */
function onePerLocation(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.path}@${d.line}:${d.col}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

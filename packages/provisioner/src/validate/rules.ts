// Every diagnostic carries one of these rule names. The lint rules a manifest may tune live in
// `policy.rules`; the others guard the manifest's meaning (a plan cannot be made from a file with
// duplicate ids or a token in it), so they are always errors.

export type RuleSeverity = "error" | "warning";

export interface RuleInfo {
  /** Severity when `policy.rules` says nothing. */
  defaultSeverity: RuleSeverity;
  /** Whether `policy.rules` may change its severity (or turn it off). */
  configurable: boolean;
  /** One sentence for editors (the schema shows it) and docs. */
  description: string;
}

/** The lint rules `policy.rules` may set to error, warning or off. */
export const configurableRules = {
  "write-without-expiry": {
    defaultSeverity: "error",
    configurable: true,
    description: "A key with a scope listed in policy.requireExpiryFor has no expiresInDays.",
  },
  "expiry-over-max": {
    defaultSeverity: "error",
    configurable: true,
    description: "A key's expiresInDays is larger than policy.maxExpiresInDays.",
  },
  "duplicate-name": {
    defaultSeverity: "error",
    configurable: true,
    description: "Two keys of one workspace share a name.",
  },
  "shared-destination": {
    defaultSeverity: "error",
    configurable: true,
    description: "Two deliver entries write to the same destination: one key per integration.",
  },
  "rotation-period-over-90-days": {
    defaultSeverity: "warning",
    configurable: true,
    description: "A key rotates less often than every 90 days (effective rotation.maxAgeDays > 90).",
  },
  "grace-shorter-than-drain": {
    defaultSeverity: "error",
    configurable: true,
    description: "rotation.maxGrace is shorter than rotation.drainWindow, so the drain window can never be waited out.",
  },
  "entry-without-sinks": {
    defaultSeverity: "warning",
    configurable: true,
    description:
      "An enabled key has no deliver sinks, so timely-keys can adopt its live key but never creates or rotates it.",
  },
  "entry-without-access": {
    defaultSeverity: "warning",
    configurable: true,
    description:
      "An enabled key (and its workspace) lists no access, so `rotate --exposed-to` cannot find it when someone " +
      "leaves.",
  },
} as const satisfies Record<string, RuleInfo>;

/** Rules that are always errors. */
export const fixedRules = {
  "file-unreadable": {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest file is missing, a directory, or cannot be read.",
  },
  "file-too-large": {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest file is larger than its size cap (8 MiB unless TIMELY_MANIFEST_MAX_MIB says otherwise).",
  },
  "file-encoding": {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest file is not UTF-8 text.",
  },
  "yaml-syntax": {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest is not valid YAML (or uses tags timely-keys does not accept).",
  },
  "duplicate-key": {
    defaultSeverity: "error",
    configurable: false,
    description: "A YAML mapping repeats a key.",
  },
  "yaml-aliases": {
    defaultSeverity: "error",
    configurable: false,
    description: "YAML aliases expand to too many nodes (an alias bomb).",
  },
  "multi-document": {
    defaultSeverity: "error",
    configurable: false,
    description: "The file holds more than one YAML document.",
  },
  "root-not-mapping": {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest is empty or its top level is not a mapping.",
  },
  schema: {
    defaultSeverity: "error",
    configurable: false,
    description: "The manifest does not match its JSON Schema (unknown field, wrong type, missing field, ...).",
  },
  "unknown-scope": {
    defaultSeverity: "error",
    configurable: false,
    description: "A scope that the Timely API does not have.",
  },
  "invalid-duration": {
    defaultSeverity: "error",
    configurable: false,
    description: "A duration that is not <n>(s|m|h|d).",
  },
  "duplicate-id": {
    defaultSeverity: "error",
    configurable: false,
    description: "Two keys of one workspace share an id (the id links a live key to its entry).",
  },
  "duplicate-workspace": {
    defaultSeverity: "error",
    configurable: false,
    description: "Two workspace entries share a name.",
  },
  "secret-in-manifest": {
    defaultSeverity: "error",
    configurable: false,
    description: "Something shaped like a secret or token is in the manifest; secrets never live in git.",
  },
  "forbidden-token-env": {
    defaultSeverity: "error",
    configurable: false,
    description: "tokenEnv names a GITHUB_*, ACTIONS_* or RUNNER_* variable, or one a sink of the manifest reads.",
  },
  "exec-env-credential": {
    defaultSeverity: "error",
    configurable: false,
    description: "An exec sink's passEnv names a management token or a variable another sink reads.",
  },
  "insecure-url": {
    defaultSeverity: "error",
    configurable: false,
    description: "A URL a credential is sent to (apiUrl, a sink's address) is plain http off loopback.",
  },
  "api-url-not-allowed": {
    defaultSeverity: "error",
    configurable: false,
    description: "A non-default apiUrl that neither TIMELY_API_URL nor TIMELY_KEYS_ALLOWED_API_URLS allows.",
  },
  "missing-env": {
    defaultSeverity: "error",
    configurable: false,
    description: "An environment variable the manifest names (a token) is not set.",
  },
} as const satisfies Record<string, RuleInfo>;

export type ConfigurableRuleName = keyof typeof configurableRules;
export type FixedRuleName = keyof typeof fixedRules;
export type RuleName = ConfigurableRuleName | FixedRuleName;

export const allRules: Record<RuleName, RuleInfo> = { ...configurableRules, ...fixedRules };

export const configurableRuleNames = Object.keys(configurableRules) as ConfigurableRuleName[];

export function isConfigurableRule(name: string): name is ConfigurableRuleName {
  return Object.hasOwn(configurableRules, name);
}

export function isFixedRule(name: string): name is FixedRuleName {
  return Object.hasOwn(fixedRules, name);
}

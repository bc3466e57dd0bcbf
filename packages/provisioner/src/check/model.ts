// What `check` finds, as plain data: a kind, a severity, the key, the evidence (numbers and times,
// never prose) and the fix (a code). The words are written by render/check-*.ts; the GitHub Action,
// notifications and the HTML report read the same data.
import type { SourceRef } from "../desired.js";

export type FindingSeverity = "info" | "warning" | "error";

/** Lowest first: `--fail-on LEVEL` fails on LEVEL and everything after it. */
export const FINDING_SEVERITIES: readonly FindingSeverity[] = ["info", "warning", "error"];

export type FindingKind =
  | "expired"
  | "overdue"
  | "expiring"
  | "stuck"
  | "unused"
  | "forbidden"
  | "low-success-rate"
  | "spike"
  | "new-endpoint"
  | "straggler"
  | "cannot-rotate"
  | "unmanaged";

/** Every kind, in the order findings of one key are listed (most pressing first). */
export const FINDING_KINDS: readonly FindingKind[] = [
  "expired",
  "overdue",
  "expiring",
  "stuck",
  "straggler",
  "forbidden",
  "low-success-rate",
  "spike",
  "new-endpoint",
  "unused",
  "cannot-rotate",
  "unmanaged",
];

/** What fixes a finding; render turns each into a sentence. */
export type FixKind =
  /** Run `timely-keys apply` (and check that the scheduled workflow runs). */
  | "run-apply"
  /** The key is not used: set `enabled: false` (or remove the entry). */
  | "deactivate"
  /** Give the entry a `deliver:` sink so it can rotate. */
  | "add-sink"
  /** The integration calls what its scopes do not allow: add the scope or fix the client. */
  | "review-scopes"
  /** The integration's requests fail: look at its client. */
  | "review-client"
  /** Unusual traffic: find out who uses the key; rotate it (--compromised) if it leaked. */
  | "investigate"
  /** A consumer still holds the previous secret: give it the new one. */
  | "update-consumer"
  /** A key outside the manifest: add it (`timely-keys import`) or retire it. */
  | "manage-or-retire";

export type EvidenceValue = string | number | boolean | null | string[];

export interface FindingKey {
  id: string;
  name: string;
  /** The marker's generation, for managed keys. */
  generation?: number;
}

export interface Finding {
  kind: FindingKind;
  severity: FindingSeverity;
  workspace: string;
  /** The manifest entry; absent for unmanaged keys. */
  entryId?: string;
  /** The live key; absent when the entry has none (e.g. an entry that cannot be created). */
  key?: FindingKey;
  /** Facts behind the finding, by name (times ISO, rates 0..1, durations in seconds). */
  evidence: Record<string, EvidenceValue>;
  fix: FixKind;
  /** Where the entry is written in the manifest. */
  source?: SourceRef;
}

export interface CheckReport {
  format_version: 1;
  /** The server's clock the findings were computed on (ISO). */
  now: string;
  findings: Finding[];
  counts: Record<FindingSeverity, number>;
}

/** The usage thresholds of `policy.monitor`, defaults applied. */
export interface MonitorSettings {
  /** A current key not used for this many days is `unused`. Default 30. */
  unusedDays: number;
  /** A recent success rate under this is `low-success-rate`. Default 0.9. */
  minSuccessRate: number;
  /** A recent request rate above this many times the lifetime average is a `spike`. Default 10. */
  spikeFactor: number;
}

export const DEFAULT_MONITOR: Readonly<MonitorSettings> = Object.freeze({
  unusedDays: 30,
  minSuccessRate: 0.9,
  spikeFactor: 10,
});

/** Requests older than this are not "recent" (the usage endpoint keeps the last 50, whatever their age). */
export const RECENT_WINDOW_SECONDS = 7 * 86_400;

/** Rates need a sample: fewer recent requests than this never make a success-rate or spike finding. */
export const MIN_RECENT_SAMPLE = 10;

/** True when `severity` reaches `threshold` (`never` reaches nothing). */
export function reaches(severity: FindingSeverity, threshold: FindingSeverity | "never"): boolean {
  if (threshold === "never") return false;
  return FINDING_SEVERITIES.indexOf(severity) >= FINDING_SEVERITIES.indexOf(threshold);
}

export function countBySeverity(findings: readonly Finding[]): Record<FindingSeverity, number> {
  const counts: Record<FindingSeverity, number> = { info: 0, warning: 0, error: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

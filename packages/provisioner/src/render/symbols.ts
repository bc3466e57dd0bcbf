// The symbol in front of each action, Terraform-like, and the colour it gets on a terminal.
import type { PlanAction } from "../model.js";
import { summaryBucket } from "../plan/summary.js";

export type Tone = "create" | "update" | "replace" | "rotate" | "remove" | "drift" | "info";

/**
 * `+` create, `~` update in place (also enable, disable, adopt, rollback), `-/+` replace (scopes or
 * expiry changed), `↻` rotate (same settings, new secret), `-` deactivate or revoke, `!` drift
 * (unmanaged key), `·` informational (a drain, a quarantine, a successor in flight).
 */
export function toneOf(action: PlanAction): Tone {
  // The same grouping as the summary line's counts, so the symbol and the count always agree.
  const bucket = summaryBucket(action);
  if (bucket === null) return "info";
  return bucket === "retire" ? "remove" : bucket;
}

export const SYMBOLS: Record<Tone, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  rotate: "↻",
  remove: "-",
  drift: "!",
  info: "·",
};

export function symbolOf(action: PlanAction): string {
  // An emergency stands out from a scheduled rotation: `!` as for something wrong, worded "compromised".
  if (action.reasons.includes("compromised")) return "!";
  return SYMBOLS[toneOf(action)];
}

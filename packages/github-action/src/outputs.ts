// The step's outputs (action.yml): counts of what the plan does, and lists of entry ids.
import type { Plan } from "@timely-keys/provisioner";

/** Every output of action.yml. */
export const OUTPUT_NAMES = [
  "changes",
  "to-create",
  "to-update",
  "to-rotate",
  "to-retire",
  "plan-json",
  "rotated",
  "overdue",
  "matrix",
  "report-path",
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

export type Outputs = Partial<Record<OutputName, string>>;

/** `changes` and the counts: `to-rotate` counts rotations and replacements alike. */
export function planOutputs(plan: Plan): Outputs {
  const s = plan.summary;
  return {
    changes: String(plan.changes),
    "to-create": String(s.create),
    "to-update": String(s.update),
    "to-rotate": String(s.rotate + s.replace),
    "to-retire": String(s.retire),
  };
}

/** Ids as one comma-separated value (no spaces: easy to split in a shell or an expression). */
export function idList(ids: readonly string[]): string {
  return [...new Set(ids)].join(",");
}

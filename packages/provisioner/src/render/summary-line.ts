// The plan's last line, Terraform-like.
import type { Plan } from "../model.js";

export const NO_CHANGES = "No changes. Your Timely.ai keys match the manifest.";

/** `Plan: 2 to create, 1 to update, 1 to replace, 0 to retire.` (+ rotations and drift), or `No changes. ...` */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const extra: string[] = [];
  if (s.rotate > 0) extra.push(`${s.rotate} to rotate`);
  if (s.drift > 0) extra.push(`${s.drift} unmanaged`);
  if (!plan.changes) {
    return s.drift > 0 ? `${NO_CHANGES} ${s.drift} unmanaged key${s.drift === 1 ? "" : "s"} reported.` : NO_CHANGES;
  }
  const main = `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.retire} to retire.`;
  return extra.length > 0 ? `${main} ${extra.join(", ")}.` : main;
}

// Informational actions: nothing is done now; the plan says what it waits for and until when.
import type { WaitAction } from "../model.js";
import { compact } from "./compact.js";
import { isoOrNull } from "./time.js";

/** Which key an action is about. */
export interface KeyRefs {
  workspace: string;
  entryId: string;
  keyId: string;
  keyName: string;
  generation: number;
}

export function waitAction(kind: WaitAction["kind"], common: KeyRefs, summary: string, until?: number): WaitAction {
  const reason = kind === "drain" ? "draining" : kind === "quarantine" ? "in_quarantine" : "successor_in_flight";
  const untilIso = until === undefined ? null : isoOrNull(until);
  return compact<WaitAction>({
    kind,
    ...common,
    reason,
    reasons: [reason],
    summary,
    mutates: false,
    attributes: [],
    operations: [],
    ...(untilIso !== null ? { until: untilIso } : {}),
  });
}

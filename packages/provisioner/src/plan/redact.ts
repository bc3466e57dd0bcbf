// Live keys are not ours: someone may have pasted a secret into a name or description. What the
// plan shows (summaries, before/after values, warnings) never repeats one.
import type { PlanAction, PlanWarning } from "../model.js";

/** Timely API keys (`tml_`) and management tokens (`tkm_`); 16+ characters already identify one. */
const SECRET_SHAPE = /\b(?:tml|tkm)_[A-Za-z0-9]{16,}/g;

export const REDACTED = "<redacted>";

export function redactText(text: string): string {
  return text.replace(SECRET_SHAPE, REDACTED);
}

/** The action with its display fields redacted; the executor's data (operations, successor) is kept. */
export function redactAction<A extends PlanAction>(action: A): A {
  return {
    ...action,
    ...(action.keyName !== undefined ? { keyName: redactText(action.keyName) } : {}),
    summary: redactText(action.summary),
    attributes: action.attributes.map((a) => ({
      ...a,
      before: a.before === null ? null : redactText(a.before),
      after: a.after === null ? null : redactText(a.after),
    })),
    ...(action.warning !== undefined ? { warning: redactText(action.warning) } : {}),
  };
}

export function redactWarning(warning: PlanWarning): PlanWarning {
  return { ...warning, message: redactText(warning.message) };
}

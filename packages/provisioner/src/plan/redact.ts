// Live keys are not ours: someone may have pasted a secret into a name or description, or given a
// key a hostile name (`x\n::stop-commands::`, terminal escapes, bidi overrides). What the plan shows
// (summaries, before/after values, warnings) never repeats a secret and is inert: one line each,
// made so by the SDK's one sanitizer, whichever renderer (text, markdown, JSON, Action) shows it.
import { sanitize } from "@timely-keys/sdk";
import type { AttributeChange, EntryState, PlanAction, PlanWarning } from "../model.js";

/** Redacted (registered secrets and secret shapes) and inert. */
export function redactText(text: string): string {
  return sanitize(text);
}

/**
 * The action with its display fields redacted; the executor's data (operations, successor) is kept.
 * An action with nothing to hide (nearly all) is returned as it is rather than copied.
 */
export function redactAction<A extends PlanAction>(action: A): A {
  const keyName = action.keyName === undefined ? undefined : redactText(action.keyName);
  const summary = redactText(action.summary);
  const attributes = action.attributes.every(isClean) ? action.attributes : action.attributes.map(redactAttribute);
  const warning = action.warning === undefined ? undefined : redactText(action.warning);
  if (
    keyName === action.keyName &&
    summary === action.summary &&
    attributes === action.attributes &&
    warning === action.warning
  )
    return action;
  return {
    ...action,
    ...(keyName !== undefined ? { keyName } : {}),
    summary,
    attributes,
    ...(warning !== undefined ? { warning } : {}),
  };
}

export function redactEntryState(state: EntryState): EntryState {
  const detail = redactText(state.detail);
  return detail === state.detail ? state : { ...state, detail };
}

export function redactWarning(warning: PlanWarning): PlanWarning {
  const message = redactText(warning.message);
  return message === warning.message ? warning : { ...warning, message };
}

function redactValue(value: string | null): string | null {
  return value === null ? null : redactText(value);
}

function isClean(attribute: AttributeChange): boolean {
  return redactValue(attribute.before) === attribute.before && redactValue(attribute.after) === attribute.after;
}

function redactAttribute(attribute: AttributeChange): AttributeChange {
  return { ...attribute, before: redactValue(attribute.before), after: redactValue(attribute.after) };
}

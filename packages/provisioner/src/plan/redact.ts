// Live keys are not ours: someone may have pasted a secret into a name or description, or given a
// key a hostile name (`x\n::stop-commands::`, terminal escapes, bidi overrides). The display fields
// of an action (its key's name, the before/after values) never repeat a secret and are inert: one
// line each, made so by the SDK's one sanitizer, whichever renderer (text, markdown, JSON, Action)
// shows them. The plan's sentences are made inert where they are written (render/words.ts).
import { sanitize } from "@timely-keys/sdk";
import type { AttributeChange, PlanAction } from "../model.js";

/** Redacted (registered secrets and secret shapes) and inert. */
export function redactText(text: string): string {
  return sanitize(text);
}

/**
 * The action with its display fields redacted; the executor's data (operations, successor) and the
 * facts its words are made of are kept. An action with nothing to hide (nearly all) is returned as
 * it is rather than copied.
 */
export function redactAction<A extends PlanAction>(action: A): A {
  const keyName = action.keyName === undefined ? undefined : redactText(action.keyName);
  const attributes = action.attributes.every(isClean) ? action.attributes : action.attributes.map(redactAttribute);
  if (keyName === action.keyName && attributes === action.attributes) return action;
  return { ...action, ...(keyName !== undefined ? { keyName } : {}), attributes };
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

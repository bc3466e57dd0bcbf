// Live keys are not ours: someone may have pasted a secret into a name or description, or given a
// key a hostile name (`x\n::stop-commands::`, terminal escapes, bidi overrides). The display fields
// of an action never repeat a secret: its key's name is redacted and made inert here (one line, by
// the SDK's one sanitizer), and the names and descriptions among its attributes' values are
// redacted here and made inert where their words are written (render/attributes.ts), like the
// plan's sentences (render/words.ts).
import { redact, sanitize } from "@timely-keys/sdk";
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

/** Names and descriptions are the values that come from outside (the API, the manifest). */
function isText(attribute: AttributeChange): attribute is Extract<AttributeChange, { name: "name" | "description" }> {
  return (attribute.name === "name" || attribute.name === "description") && !("saved" in attribute);
}

function redactValue(value: string | null): string | null {
  return value === null ? null : redact(value);
}

function isClean(attribute: AttributeChange): boolean {
  if (!isText(attribute)) return true;
  return redactValue(attribute.before) === attribute.before && redactValue(attribute.after) === attribute.after;
}

function redactAttribute(attribute: AttributeChange): AttributeChange {
  if (!isText(attribute)) return attribute;
  return { ...attribute, before: redactValue(attribute.before), after: redactValue(attribute.after) };
}

// The renderers' last line of defence: nothing shaped like a Timely secret leaves them.
import { redactText } from "../plan/redact.js";

export { redactText };

/** A JSON.stringify replacer that redacts every string value. */
export function redactingReplacer(_key: string, value: unknown): unknown {
  return typeof value === "string" ? redactText(value) : value;
}

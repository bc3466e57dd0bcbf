// The words of an attribute change: plan() gives each attribute's values as data (model.ts:
// AttributeChange); the terminal plan and the JSON plan show them as these strings
// (`"CRM sync"`, `read, write`, `90 days (until 2027-03-01)`, `file .env`, `#4 (new key)`).
// Each string is made inert (the SDK's sanitizer), since names and descriptions come from the API.
import { sanitize } from "@timely-keys/sdk";
import type { AttributeChange, Expiry, KeyValue, SinkRef } from "../model.js";
import { scopeList } from "../plan/keys.js";
import { formatIsoWhen } from "./time.js";

/** An attribute as it is shown and as the JSON plan writes it (docs/plan-format.md). */
export interface AttributeWords {
  name: string;
  before: string | null;
  after: string | null;
  forcesReplacement?: boolean;
}

/** Words already written, by attribute: a plan is shown several ways in one run (text, JSON). */
const written = new WeakMap<AttributeChange, AttributeWords>();

export function attributeWords(attribute: AttributeChange): AttributeWords {
  // A saved plan holds the words it was approved with, as they were written.
  if ("saved" in attribute) return withReplacement(attribute, attribute.before, attribute.after);
  let words = written.get(attribute);
  if (words === undefined) {
    const [before, after] = valueWords(attribute);
    words = withReplacement(attribute, inert(before), inert(after));
    written.set(attribute, words);
  }
  return words;
}

function withReplacement(attribute: AttributeChange, before: string | null, after: string | null): AttributeWords {
  const words: AttributeWords = { name: attribute.name, before, after };
  if (attribute.forcesReplacement !== undefined) words.forcesReplacement = attribute.forcesReplacement;
  return words;
}

function inert(text: string | null): string | null {
  return text === null ? null : sanitize(text);
}

type Words = [before: string | null, after: string | null];

function valueWords(attribute: Exclude<AttributeChange, { saved: true }>): Words {
  switch (attribute.name) {
    case "name":
    case "description":
      return both(attribute.before, attribute.after, quoted);
    case "scopes":
      return both(attribute.before, attribute.after, scopeList);
    case "expires":
      return both(attribute.before, attribute.after, expiryLabel);
    case "deliver":
      return both(attribute.before, attribute.after, sinksLabel);
    case "key":
      return both(attribute.before, attribute.after, keyLabel);
    case "status":
    case "marker":
      return [attribute.before, attribute.after];
    case "hold":
      return both(
        attribute.before,
        attribute.after,
        (hold) => `until a key newer than #${hold.untilNewerThan} is current`,
      );
    case "old key":
      return [
        attribute.before === null ? null : `#${attribute.before.generation} active`,
        attribute.after === null ? null : oldKeyFate(attribute.after.compromised),
      ];
    case "next rotation":
      return both(attribute.before, attribute.after, formatIsoWhen);
  }
}

function both<T>(before: T | null, after: T | null, label: (value: T) => string): Words {
  return [before === null ? null : label(before), after === null ? null : label(after)];
}

/** A name or description as the plan shows it: `"CRM sync"` (JSON string syntax, escapes visible). */
export function quoted(text: string): string {
  return JSON.stringify(text);
}

/** `90 days`, `never`, `unknown`: a lifetime in whole days as the manifest would say it. */
export function lifetimeLabel(days: number | null | "unknown"): string {
  if (days === null) return "never";
  return days === "unknown" ? "unknown" : `${days} days`;
}

/** `90 days`, `never`, `90 days (until 2027-03-01)`, `unknown (until …)`. */
export function expiryLabel(expiry: Expiry): string {
  if (expiry.days === null) return "never";
  const until = expiry.until ? ` (until ${expiry.until.slice(0, 10)})` : "";
  return `${lifetimeLabel(expiry.days)}${until}`;
}

/** `file .env, githubSecret acme/app TIMELY_API_KEY`, or `(no sinks)`. */
export function sinksLabel(sinks: readonly SinkRef[]): string {
  return sinks.length === 0 ? "(no sinks)" : sinks.map(sinkLabel).join(", ");
}

/** A short, secret-free label of a sink: where the secret goes. */
export function sinkLabel(sink: SinkRef): string {
  switch (sink.type) {
    case "file":
      return `file ${sink.path}`;
    case "exec":
      return `exec ${sink.program}`;
    case "githubSecret": {
      const where = sink.organization ? `org ${sink.organization}` : (sink.repository ?? "");
      return `githubSecret ${where}${sink.environment ? ` env ${sink.environment}` : ""} ${sink.secretName}`;
    }
    case "awsSecretsManager":
      return `awsSecretsManager ${sink.secretId}${sink.key ? `#${sink.key}` : ""}`;
    case "vault":
      return `vault ${sink.mount ?? "secret"}/${sink.path}${sink.field ? `#${sink.field}` : ""}`;
    case "onePassword":
      return `onePassword ${sink.vault}/${sink.item}`;
  }
}

/** `#3 tml_ab12... (uuid)`, or `#4 (new key)`. */
export function keyLabel(key: KeyValue): string {
  return "new" in key ? `#${key.generation} (new key)` : `#${key.generation} ${key.prefix} (${key.id})`;
}

/** What becomes of a compromised key a rotation replaces. */
function oldKeyFate(compromised: "after-successor" | "revoke-first"): string {
  return compromised === "revoke-first" ? "deactivated first, then revoked" : "revoked once the new key is verified";
}

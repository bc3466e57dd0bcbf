import { maskSecret } from "./secret.js";

// Anything shaped like a Timely secret: an API key (`tml_`) or a management token (`tkm_`).
const SECRET_SHAPE = /\b(?:tml|tkm)_[A-Za-z0-9]{16,}/g;

/**
 * Removes secrets from text that may reach an error message or a log line: the values it was told
 * about, and anything shaped like a Timely secret (a server could echo one back).
 */
export class Redactor {
  readonly #known: string[] = [];

  constructor(known: readonly string[] = []) {
    for (const value of known) this.add(value);
  }

  /** Also redact this value from now on. */
  add(value: string): void {
    // Very short values would mangle ordinary text and are no secret worth the name.
    if (value.length >= 8 && !this.#known.includes(value)) this.#known.push(value);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.#known) {
      if (out.includes(value)) out = out.split(value).join(maskSecret(value));
    }
    return out.replace(SECRET_SHAPE, (match) => maskSecret(match));
  }
}

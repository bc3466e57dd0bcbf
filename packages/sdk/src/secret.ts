/**
 * `util.inspect.custom`, which Node documents as this registered symbol: the SDK needs no `node:util`
 * (nor its load at start-up) to mask what `console.log` shows.
 */
export const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

const VISIBLE_CHARS = 4;
// Below this many characters after the prefix, showing 4 of them would give away too much.
const MIN_HIDDEN_CHARS = 8;

/**
 * Masks a secret for display: its type prefix (`tml_`, `tkm_`) and 4 more characters, then `…`.
 * Short or unprefixed values show no more than the prefix.
 */
export function maskSecret(secret: string): string {
  const prefix = /^[A-Za-z]{2,8}_/.exec(secret)?.[0] ?? "";
  const rest = secret.slice(prefix.length);
  if (rest.length < VISIBLE_CHARS + MIN_HIDDEN_CHARS) return `${prefix}…`;
  return `${prefix}${rest.slice(0, VISIBLE_CHARS)}…`;
}

/**
 * A secret value that prints masked. Only `reveal()` gives the value: string conversion, JSON and
 * `util.inspect` all show the masked form, so logging a result by accident leaks nothing.
 */
export class Secret {
  readonly #value: string;
  readonly #masked: string;

  constructor(value: string) {
    this.#value = value;
    this.#masked = maskSecret(value);
  }

  /** The full secret. Hand it straight to where it must go; never log it. */
  reveal(): string {
    return this.#value;
  }

  /** The masked form, such as `tml_a1B2…`. */
  get masked(): string {
    return this.#masked;
  }

  toString(): string {
    return this.#masked;
  }

  toJSON(): string {
    return this.#masked;
  }

  [Symbol.toPrimitive](): string {
    return this.#masked;
  }

  [inspectCustom](): string {
    return `Secret(${this.#masked})`;
  }
}

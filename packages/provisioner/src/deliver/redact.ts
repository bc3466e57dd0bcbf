/** Timely secrets and management tokens, whoever's they are. */
const SECRET_SHAPES = /\b(?:tml|tkm)_[A-Za-z0-9]{32,}/g;
const MASK = "***";
/** Shorter values would mask ordinary words; real tokens are far longer. */
const MIN_MASKED_LENGTH = 6;

/**
 * Masks every value a sink knows to be sensitive (the secret, the tokens it read) in text that is
 * about to leave the sink: error reasons, log lines, a program's captured output.
 */
export class Redactor {
  private readonly values = new Set<string>();

  constructor(...values: Array<string | undefined>) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (value !== undefined && value.length >= MIN_MASKED_LENGTH) this.values.add(value);
  }

  /** The longest sensitive value, so callers can drop a partial one cut at a buffer edge. */
  get longest(): number {
    let longest = 0;
    for (const value of this.values) longest = Math.max(longest, value.length);
    return longest;
  }

  mask(text: string): string {
    let masked = text;
    // Longest first, so a value containing another is masked whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      masked = masked.split(value).join(MASK);
    }
    return masked.replace(SECRET_SHAPES, MASK);
  }
}

// The one redaction module of timely-keys (SDK, provisioner, CLI and Action all use it): one
// definition of the secret and token shapes, and a run-wide registry of every secret and token the
// run knows. Everything written (terminal, log, annotation, summary, plan file, error) passes here.

/** What a redacted value becomes: its type prefix (`tml_`, `tkm_`, `ghp_`), if any, then `***`. */
export function redactionMark(value: string): string {
  const prefix = /^[A-Za-z]{2,8}_/.exec(value)?.[0] ?? "";
  return `${prefix}***`;
}

export interface SecretShape {
  /** What it looks like, for a message ("GitHub token"); never the value. */
  readonly kind: string;
  /** Global pattern. Timely shapes have no word boundary: `KEY_tml_...` is still a secret. */
  readonly pattern: RegExp;
  /**
   * Text every match contains, at most `reach` characters after the match's start: a scan starts
   * there (or is skipped when it is absent), as no match can start before. A whole manifest is long.
   */
  readonly anchor?: { text: string; reach: number };
}

export interface SecretShapeMatch {
  kind: string;
  /** Offset of the match in the scanned text. */
  index: number;
}

/** Every well-known secret and token format the project recognises. */
export const SECRET_SHAPES: readonly SecretShape[] = [
  { kind: "Timely API key", pattern: /tml_[A-Za-z0-9]{16,}/g, anchor: { text: "tml_", reach: 0 } },
  { kind: "Timely management token", pattern: /tkm_[A-Za-z0-9]{16,}/g, anchor: { text: "tkm_", reach: 0 } },
  { kind: "GitHub token", pattern: /(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: "AWS access key id", pattern: /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  // `s.` tokens keep their word boundaries: without them ordinary dotted words would match.
  { kind: "Vault token", pattern: /(?:hv[sbr]\.[A-Za-z0-9_-]{24,}|\bs\.[A-Za-z0-9]{24,}\b)/g },
  {
    kind: "JWT (such as a 1Password Connect token)",
    pattern: /eyJ[A-Za-z0-9_-]{10,}/g,
    anchor: { text: "eyJ", reach: 0 },
  },
  {
    kind: "PEM private key",
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/g,
    anchor: { text: "-----BEGIN ", reach: 0 },
  },
  { kind: "Slack token", pattern: /xox[abposr]-[A-Za-z0-9-]{10,}/g, anchor: { text: "xox", reach: 0 } },
  // Bounded lengths keep a long line of colons and slashes from making this quadratic.
  {
    kind: "password in a URL",
    pattern: /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s/:@]{1,256}:[^\s/@]{1,256}@/gi,
    anchor: { text: "://", reach: 31 },
  },
];

/**
 * All shapes as one pattern, so redacting a string is a single pass. The union is case-insensitive
 * because one member is: redacting a little more than the exact shapes is the safe direction.
 */
const ANY_SHAPE = new RegExp(SECRET_SHAPES.map((shape) => `(?:${shape.pattern.source})`).join("|"), "gi");

/** The first well-known secret format in `text`, if any. */
export function findSecretShape(text: string): SecretShapeMatch | undefined {
  let first: SecretShapeMatch | undefined;
  for (const shape of SECRET_SHAPES) {
    const start = scanStart(shape, text);
    if (start < 0) continue;
    shape.pattern.lastIndex = start;
    const match = shape.pattern.exec(text);
    if (match && (first === undefined || match.index < first.index)) first = { kind: shape.kind, index: match.index };
  }
  return first;
}

/** Every well-known secret format in `text` (for scanning a whole file, comments included). */
export function findAllSecretShapes(text: string): SecretShapeMatch[] {
  const found: SecretShapeMatch[] = [];
  for (const shape of SECRET_SHAPES) {
    const start = scanStart(shape, text);
    if (start < 0) continue;
    shape.pattern.lastIndex = start;
    for (let match = shape.pattern.exec(text); match !== null; match = shape.pattern.exec(text)) {
      found.push({ kind: shape.kind, index: match.index });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Where a shape's first match can start in `text` (-1: it has none). */
function scanStart(shape: SecretShape, text: string): number {
  if (shape.anchor === undefined) return 0;
  const at = text.indexOf(shape.anchor.text);
  return at < 0 ? -1 : Math.max(0, at - shape.anchor.reach);
}

/** Shorter values would mask ordinary words; real secrets and tokens are far longer. */
export const MIN_REGISTERED_LENGTH = 8;

/**
 * A set of known secret values. `redact` replaces each (longest first, so a value containing
 * another is masked whole) and then every secret shape, with `redactionMark` (`tml_***`).
 * Each instance also feeds the run-wide registry, so a secret one part learns is hidden everywhere.
 */
export class Redactor {
  readonly #known = new Set<string>();
  #sorted: string[] | undefined;
  readonly #global: boolean;

  constructor(known: Iterable<string | undefined | null> = [], options: { global?: boolean } = {}) {
    this.#global = options.global ?? true;
    for (const value of known) this.add(value);
  }

  /** Also redact this value from now on (each line of a multi-line value too). */
  add(value: string | undefined | null): void {
    if (typeof value !== "string") return;
    for (const candidate of candidatesOf(value)) {
      if (candidate.length < MIN_REGISTERED_LENGTH || this.#known.has(candidate)) continue;
      this.#known.add(candidate);
      this.#sorted = undefined;
      if (this.#global && this !== runSecrets) runSecrets.add(candidate);
    }
  }

  has(value: string): boolean {
    return this.#known.has(value);
  }

  /** The longest known value, so a stream filter can hold back a partial one cut at a chunk edge. */
  get longest(): number {
    let longest = 0;
    for (const value of this.#known) longest = Math.max(longest, value.length);
    return longest;
  }

  redact(text: string): string {
    let out = text;
    if (this.#known.size > 0) {
      this.#sorted ??= [...this.#known].sort((a, b) => b.length - a.length);
      for (const value of this.#sorted) if (out.includes(value)) out = out.split(value).join(redactionMark(value));
    }
    if (this !== runSecrets) out = runSecrets.redact(out);
    return redactShapes(out);
  }

  /** Whether `text` holds a known value or a secret shape. */
  contains(text: string): boolean {
    return this.redact(text) !== text;
  }
}

function candidatesOf(value: string): string[] {
  const trimmed = value.trim();
  if (!/[\r\n]/.test(trimmed)) return [trimmed];
  return [trimmed, ...trimmed.split(/\r?\n|\r/).map((line) => line.trim())];
}

function redactShapes(text: string): string {
  ANY_SHAPE.lastIndex = 0;
  if (!ANY_SHAPE.test(text)) return text;
  ANY_SHAPE.lastIndex = 0;
  return text.replace(ANY_SHAPE, (match) => redactionMark(match));
}

/** The run-wide registry: every secret and token this process has learnt (minted, read, configured). */
export const runSecrets: Redactor = new Redactor([], { global: false });

/** Registers a secret or token with the run-wide registry: from now on `redact` hides it everywhere. */
export function registerSecret(value: string | undefined | null): void {
  runSecrets.add(value);
}

/** `text` with every registered secret and every secret shape masked. */
export function redact(text: string): string {
  return runSecrets.redact(text);
}

/** Whether `text` holds a registered secret or a secret shape. */
export function containsSecret(text: string): boolean {
  return runSecrets.contains(text);
}

/** A copy of `value` with every string in it (object keys included) redacted. */
export function redactDeep<T>(value: T): T {
  return redactAny(value, 0) as T;
}

function redactAny(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactAny(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redact(key)] = redactAny(item, depth + 1);
  return out;
}

/** A JSON.stringify replacer that redacts every string value. */
export function redactingReplacer(_key: string, value: unknown): unknown {
  return typeof value === "string" ? redact(value) : value;
}

// The plainest manifests, parsed line by line. A generated or hand-kept manifest of thousands of
// entries is block mappings and lists of one-line values; js-yaml spends most of a big plan's load on
// them. This reads exactly that shape and nothing more: every line is a key, a list item or both,
// with a value that ends on its line. Anything else (a quoted key, a value that could go on to the
// next line, an unusual indentation, a duplicate key) makes it give up, and fast-yaml.ts parses the
// text as before; so it never has to know what YAML makes of the unusual.
import { plainScalarValue } from "./plain-scalar.js";

/** Keys the core schema reads as null or a boolean (`yaml` and js-yaml name them differently). */
const NOT_STRING_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
/** Deeper than any manifest; the positioned parser has the rule and the message for it. */
const MAX_DEPTH = 32;

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;

/** Gives up: the text is outside what this parser reads. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

interface Frame {
  /** The column of the frame's keys or dashes. */
  indent: number;
  map?: Record<string, unknown>;
  list?: unknown[];
  /** A key written without a value on its line: its value is on the next lines (or null). */
  pendingKey?: string;
  /** A dash without a value on its line. */
  pendingItem?: boolean;
}

/** The root mapping of `text`, or undefined when the text is not in the line-by-line shape. */
export function parseLines(text: string): Record<string, unknown> | undefined {
  try {
    return new LineParser(text).parse();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class LineParser {
  private readonly stack: Frame[] = [];
  private root: Record<string, unknown> | undefined;

  constructor(private readonly text: string) {}

  parse(): Record<string, unknown> | undefined {
    const text = this.text;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      this.line(start, end);
      start = end + 1;
    }
    while (this.stack.length > 0) this.close(this.stack.pop()!);
    return this.root;
  }

  private line(start: number, end: number): void {
    const text = this.text;
    let at = start;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    // Blank lines and comment lines hold nothing (no value goes on past its line).
    if (at === end || text.charCodeAt(at) === HASH) return;
    const column = at - start;
    if (this.root === undefined) {
      if (column !== 0 || isDash(text, at, end)) throw UNSUPPORTED;
      this.root = {};
      this.stack.push({ indent: 0, map: this.root });
    }
    if (isDash(text, at, end)) this.item(start, at, end);
    else this.entry(start, at, end);
  }

  /** A line (or the rest of one) that starts with a list item's dash at `at`. */
  private item(start: number, at: number, end: number): void {
    const column = at - start;
    this.popDeeperThan(column);
    let top = this.top();
    if (top.list !== undefined && top.indent === column) {
      if (top.pendingItem) top.list.push(null);
      top.pendingItem = false;
    } else if (top.map !== undefined && top.indent === column && top.pendingKey !== undefined) {
      // `key:` with its list at the key's own indentation.
      top = this.open({ indent: column, list: [] });
    } else if (this.pending(top) && top.indent < column) {
      top = this.open({ indent: column, list: [] });
    } else {
      throw UNSUPPORTED;
    }
    const list = top.list!;
    let content = at + 1;
    while (content < end && this.text.charCodeAt(content) === SPACE) content++;
    if (content === end || this.text.charCodeAt(content) === HASH) {
      top.pendingItem = true;
      return;
    }
    if (isDash(this.text, content, end)) {
      top.pendingItem = true;
      this.item(start, content, end);
      return;
    }
    const colon = keyEnd(this.text, content, end);
    if (colon !== -1) {
      top.pendingItem = true;
      this.open({ indent: content - start, map: {} });
      this.entry(start, content, end);
      return;
    }
    list.push(this.inlineValue(content, end));
  }

  /** A line (or the rest of one) that starts with a mapping key at `at`. */
  private entry(start: number, at: number, end: number): void {
    const column = at - start;
    this.popDeeperThan(column);
    let top = this.top();
    // A list at this indentation ends at a line that is not one of its items.
    if (top.list !== undefined && top.indent === column) {
      this.close(this.stack.pop()!);
      top = this.top();
    }
    if (top.map !== undefined && top.indent === column) {
      if (top.pendingKey !== undefined) this.resolvePending(top, null);
    } else if (this.pending(top) && top.indent < column) {
      top = this.open({ indent: column, map: {} });
    } else {
      throw UNSUPPORTED;
    }
    const map = top.map!;
    const colon = keyEnd(this.text, at, end);
    if (colon === -1) throw UNSUPPORTED;
    const key = plainKey(this.text, at, colon);
    if (Object.hasOwn(map, key)) throw UNSUPPORTED;
    let value = colon + 1;
    while (value < end && this.text.charCodeAt(value) === SPACE) value++;
    if (value === end || this.text.charCodeAt(value) === HASH) {
      top.pendingKey = key;
      return;
    }
    map[key] = this.inlineValue(value, end);
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private pending(frame: Frame): boolean {
    return frame.pendingKey !== undefined || frame.pendingItem === true;
  }

  /** Starts a collection as the value the top frame is waiting for. */
  private open(frame: Frame): Frame {
    if (this.stack.length >= MAX_DEPTH) throw UNSUPPORTED;
    this.resolvePending(this.top(), frame.map ?? frame.list);
    this.stack.push(frame);
    return frame;
  }

  private resolvePending(frame: Frame, value: unknown): void {
    if (frame.pendingKey !== undefined) {
      frame.map![frame.pendingKey] = value;
      frame.pendingKey = undefined;
    } else if (frame.pendingItem) {
      frame.list!.push(value);
      frame.pendingItem = false;
    }
  }

  private popDeeperThan(column: number): void {
    while (this.stack.length > 1 && this.top().indent > column) this.close(this.stack.pop()!);
  }

  /** A key or dash with nothing after it, at the end of its collection: null. */
  private close(frame: Frame): void {
    this.resolvePending(frame, null);
  }

  /** A value that starts at `at` and ends on its line (a comment may follow it). */
  private inlineValue(at: number, end: number): unknown {
    const text = this.text;
    const first = text.charCodeAt(at);
    let value: unknown;
    let after: number;
    if (first === 0x22 || first === 0x27 || first === 0x5b || first === 0x7b) {
      const reader = new FlowReader(text, at, end);
      value = reader.value(0);
      after = reader.at;
    } else {
      after = plainEnd(text, at, end, false);
      value = plainScalarValue(text.slice(at, trimEnd(text, at, after)));
    }
    while (after < end && text.charCodeAt(after) === SPACE) after++;
    if (after < end && !(text.charCodeAt(after) === HASH && text.charCodeAt(after - 1) === SPACE)) throw UNSUPPORTED;
    return value;
  }
}

/** Whether the line goes on at `at` with a list item's dash (`- ` or a lone `-`). */
function isDash(text: string, at: number, end: number): boolean {
  return text.charCodeAt(at) === DASH && (at + 1 === end || text.charCodeAt(at + 1) === SPACE);
}

/** The offset of the `:` that ends a plain key starting at `at`, or -1 when none does. */
function keyEnd(text: string, at: number, end: number): number {
  for (let i = at; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) return i;
    // Key characters only: anything else is not a key of the plain kind.
    if (!isKeyChar(code)) return -1;
  }
  return -1;
}

/**
 * The key written from `at` to `colon` (keyEnd checked its characters): one that starts with a letter
 * or `_` and can only be read as a string, never `__proto__`.
 */
function plainKey(text: string, at: number, colon: number): string {
  const first = text.charCodeAt(at);
  const letter = (first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f;
  if (!letter || colon === at) throw UNSUPPORTED;
  const key = text.slice(at, colon);
  if (colon - at <= 5 && NOT_STRING_KEY.test(key)) throw UNSUPPORTED;
  if (first === 0x5f && key === "__proto__") throw UNSUPPORTED;
  return key;
}

function isKeyChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === DASH
  );
}

/** Characters that may not start a plain scalar (`-`, `?` and `:` may, before some characters). */
const PLAIN_FORBIDDEN_START = new Set([..."-?:,[]{}#&*!|>'\"%@`"].map((c) => c.charCodeAt(0)));
const FLOW_INDICATORS = new Set([..."[]{},"].map((c) => c.charCodeAt(0)));

/**
 * Where a plain scalar starting at `at` ends: at the end of the line or a comment (block), or at a
 * `,` `]` `}` (flow). Gives up on whatever would make it something else or go on past its line.
 */
function plainEnd(text: string, at: number, end: number, inFlow: boolean): number {
  const first = text.charCodeAt(at);
  if (PLAIN_FORBIDDEN_START.has(first)) {
    const next = at + 1 < end ? text.charCodeAt(at + 1) : SPACE;
    // Only `-` before a character of its own (`-1`, `-x`): the rest is left to fast-yaml.
    if (first !== DASH || next === SPACE || FLOW_INDICATORS.has(next)) {
      throw UNSUPPORTED;
    }
  }
  let i = at;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === HASH && text.charCodeAt(i - 1) === SPACE) break;
    if (code === COLON) {
      const next = i + 1 < end ? text.charCodeAt(i + 1) : SPACE;
      // `key: value` where a value was expected: a mapping YAML would read differently.
      if (next === SPACE || (inFlow && FLOW_INDICATORS.has(next))) throw UNSUPPORTED;
    }
    if (inFlow && FLOW_INDICATORS.has(code)) {
      if (code === 0x5b || code === 0x7b) throw UNSUPPORTED;
      break;
    }
  }
  return i;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
  return end;
}

/** Reads quoted scalars and flow collections (`[a, b]`, `{ type: file }`) that close on their line. */
class FlowReader {
  constructor(
    private readonly text: string,
    public at: number,
    private readonly end: number,
  ) {}

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw UNSUPPORTED;
    const code = this.text.charCodeAt(this.at);
    if (code === 0x22) return this.doubleQuoted();
    if (code === 0x27) return this.singleQuoted();
    if (code === 0x5b) return this.list(depth);
    if (code === 0x7b) return this.map(depth);
    if (depth === 0) throw UNSUPPORTED;
    const start = this.at;
    this.at = plainEnd(this.text, start, this.end, true);
    return plainScalarValue(this.text.slice(start, trimEnd(this.text, start, this.at)));
  }

  /** `"..."`: without backslashes (fast-yaml leaves those out), its text as it is. */
  private doubleQuoted(): string {
    const close = this.text.indexOf('"', this.at + 1);
    if (close === -1 || close >= this.end) throw UNSUPPORTED;
    const value = this.text.slice(this.at + 1, close);
    this.at = close + 1;
    return value;
  }

  /** `'...'`, where `''` is one quote. */
  private singleQuoted(): string {
    let value = "";
    let from = this.at + 1;
    for (;;) {
      const close = this.text.indexOf("'", from);
      if (close === -1 || close >= this.end) throw UNSUPPORTED;
      value += this.text.slice(from, close);
      if (close + 1 < this.end && this.text.charCodeAt(close + 1) === 0x27) {
        value += "'";
        from = close + 2;
        continue;
      }
      this.at = close + 1;
      return value;
    }
  }

  private list(depth: number): unknown[] {
    const list: unknown[] = [];
    this.at++;
    this.skipSpaces();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return list;
    }
    for (;;) {
      list.push(this.value(depth + 1));
      this.skipSpaces();
      // A copy of its own length: a list grown by push keeps room for 17 items, and a manifest has
      // two short lists an entry (scopes, deliver) until the Desired is built.
      if (this.separator(0x5d)) return list.slice();
    }
  }

  private map(depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    this.at++;
    this.skipSpaces();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return map;
    }
    for (;;) {
      const colon = keyEnd(this.text, this.at, this.end);
      if (colon === -1) throw UNSUPPORTED;
      const key = plainKey(this.text, this.at, colon);
      if (Object.hasOwn(map, key)) throw UNSUPPORTED;
      this.at = colon + 1;
      this.skipSpaces();
      map[key] = this.value(depth + 1);
      this.skipSpaces();
      if (this.separator(0x7d)) return map;
    }
  }

  /** After an entry: its collection's closer (true), or `,` before the next entry (false). */
  private separator(closer: number): boolean {
    if (this.at >= this.end) throw UNSUPPORTED;
    const code = this.text.charCodeAt(this.at);
    if (code === closer) {
      this.at++;
      return true;
    }
    if (code !== 0x2c) throw UNSUPPORTED;
    this.at++;
    this.skipSpaces();
    const next = this.text.charCodeAt(this.at);
    // An empty entry or a trailing comma.
    if (this.at >= this.end || next === 0x2c || next === 0x5d || next === 0x7d) throw UNSUPPORTED;
    return false;
  }

  private skipSpaces(): void {
    while (this.at < this.end && this.text.charCodeAt(this.at) === SPACE) this.at++;
  }
}

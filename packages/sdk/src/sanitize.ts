// The one sanitizer for text that came from outside the program (API fields, sink and program
// output, manifest values, error texts) before it reaches a terminal, a log line, a workflow
// annotation, a job summary, a PR comment or markdown. The result is one inert line: it cannot move
// the cursor, retitle or clear a terminal, reorder text with bidi controls, start a new line, or
// begin a line with a workflow command (`::stop-commands::`, `::add-mask::`) or a legacy `##[` one.
import { redact } from "./redact.js";

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST, or to the end when unterminated), DCS/PM/APC/SOS
// strings, other two-character escapes, and their 8-bit C1 forms.
const ANSI_SEQUENCES = new RegExp(
  [
    "(?:\\x1b\\[|\\x9b)[0-?]*[ -/]*[@-~]?",
    "(?:\\x1b[\\]PX^_]|[\\x9d\\x90\\x98\\x9e\\x9f])[\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)",
    "\\x1b[ -/]*[0-~]?",
  ].join("|"),
  "g",
);

// C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides, isolates and
// marks: shown as visible escapes.
const UNSAFE_CHARS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Lines starting like these are commands to the GitHub runner (after any leading whitespace). */
const COMMAND_START = /^(\s*)(::|##\[|##vso\[)/;

/**
 * `value` as one inert, redacted line: secrets masked (registry and shapes), escape sequences
 * removed, control characters, newlines and bidi controls shown escaped (`\n`, `\x1b`, `\u202e`),
 * and a leading `::` or `##[` escaped so the text can never be read as a workflow command.
 */
export function sanitize(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  const inert = redact(text).replace(ANSI_SEQUENCES, "").replace(UNSAFE_CHARS, escapeChar);
  return inert.replace(
    COMMAND_START,
    (_all, space: string, start: string) => `${space}\\x${start.charCodeAt(0).toString(16)}${start.slice(1)}`,
  );
}

/**
 * Text made of several lines that each came from outside (a program's output): each line
 * sanitized on its own and joined with `\n`, so the structure survives but no line is a command.
 */
export function sanitizeLines(value: string): string {
  return value
    .split(/\r?\n/)
    .map((line) => sanitize(line))
    .join("\n");
}

/** The colours the program itself paints with (bold, dim, red ... cyan, reset): nothing that hides text. */
const OWN_COLOURS = /^\x1b\[(?:0|1|2|22|3[1-79])m$/;

/**
 * A last guard on a whole stream the program writes (the CLI's stdout and stderr): its own line
 * structure and colours are kept, while any escape sequence other than those colours (cursor moves,
 * screen clears, titles, concealed text) is removed and other control characters and bidi controls
 * are shown escaped. Untrusted values are sanitized where they are placed; this catches the rest.
 */
export function guardTerminalOutput(text: string): string {
  const redacted = redact(text);
  // One pass over the sequences: the text between them is escaped, a colour of ours is kept as it is
  // (escaping after keeping would print the colour's ESC as the four characters `\x1b`).
  let guarded = "";
  let from = 0;
  for (const match of redacted.matchAll(ANSI_SEQUENCES)) {
    guarded += escapeUnsafe(redacted.slice(from, match.index));
    if (OWN_COLOURS.test(match[0])) guarded += match[0];
    from = match.index + match[0].length;
  }
  return guarded + escapeUnsafe(redacted.slice(from));
}

/** Control and bidi characters shown escaped, except the line breaks and tabs of the program's layout. */
function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_CHARS, (char) => (char === "\n" || char === "\t" ? char : escapeChar(char)));
}

/** Whether `text` would be changed by `sanitize` (for tests and assertions). */
export function isInert(text: string): boolean {
  return sanitize(text) === text;
}

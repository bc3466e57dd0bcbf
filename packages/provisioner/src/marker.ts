// The marker: a short tag at the very end of a managed key's description that links the key to its
// manifest entry and generation, and records where it stands in a rotation. The live API is the
// only state timely-keys keeps, so everything the planner must remember lives here.
//
//   Salesforce sync [tk:salesforce-crm#3 @1764000000 ~3fa2]      current key, promoted at ...
//   Salesforce sync [tk:salesforce-crm#4 delivering 0/3]         successor as created: some sinks may have it
//   Salesforce sync [tk:salesforce-crm#4 pending]                successor of a version before 2026-12: in no sink
//   Salesforce sync [tk:salesforce-crm#3 @1764000000 hold#4]     previous key held by a rollback
//   Salesforce sync [tk:salesforce-crm#4 delivering 1/3 failed]  a run failed to deliver it: the next run goes on
//                                                                at once
//   Salesforce sync [tk:salesforce-crm#3 @1764000000 compromised] retired as soon as a verified successor is current
//
// Grammar (docs/plan-format.md has the full table):
//   marker     = "[tk:" entry-id "#" generation *(" " token) "]"      at the end of the description
//   token      = "pending" | "delivering" [" " done "/" total] | "@" unix-seconds
//              | "failed" | "hold#" generation | "protect" | "off" | "compromised" | "compromised-first"
//              | "~" 4 lowercase hex digits
// Only a trailing marker counts, preceded by the start of the text or by one whitespace character;
// a lookalike anywhere else is the user's text.
import { hash } from "node:crypto";

/** The contract's limit for a description (characters, i.e. Unicode code points). */
export const MAX_DESCRIPTION_LENGTH = 500;

/** Entry ids a marker can carry. */
export const ENTRY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type MarkerPhase = "current" | "pending" | "delivering";

export interface Marker {
  entryId: string;
  /** 1, 2, 3... one more for every key made for the entry. */
  generation: number;
  /** `current`: verified and promoted (no phase word). */
  phase: MarkerPhase;
  /**
   * Delivery progress of a `delivering` key: sinks done out of total. Written as `0/n` at the create
   * and again only when a run fails (`d/n failed`): `0/n` alone does not mean no sink has the key.
   */
  progress?: { done: number; total: number };
  /** When the key was promoted to current (unix seconds, server clock): the drain clock starts here. */
  promotedAt?: number;
  /** Set by a rollback: not drained nor revoked while the entry's current generation is <= this. */
  holdFor?: number;
  /** The entry had `protect: true` when the marker was written: never revoked. */
  protect?: boolean;
  /** timely-keys deactivated this key because the entry says `enabled: false`. */
  off?: boolean;
  /**
   * A `delivering` key whose run failed (a sink, a probe or the check with GET /v1/me) and stopped:
   * no run is at work on it any more, so the next run goes on at once instead of waiting out the lease.
   */
  failed?: boolean;
  /**
   * `timely-keys rotate --compromised`: the key is retired (deactivated and revoked, no drain, no
   * quarantine) as soon as a verified successor is current. `revoke-first`: it is deactivated before
   * anything else, even with no successor yet.
   */
  compromised?: "after-successor" | "revoke-first";
  /** First 4 hex digits of sha256(name + "\n" + text) as timely-keys wrote them: detects edits made outside. */
  hash?: string;
}

/** A description split into the user's text and its marker (null when there is no valid trailing marker). */
export interface SplitDescription {
  text: string;
  marker: Marker | null;
}

const MARKER_OPENING = "[tk:";
const TRAILING_MARKER = /(^|\s)\[tk:([^\s[\]#]+)#([^\s[\]]+)((?: [^\s[\]]+)*)\]\s*$/;
// The grammar's numbers and hash (read and written once per managed key: checked by their characters).
/** [1-9][0-9]{0,8} */
const GENERATION = { digits: 9, zero: false, below: 1e9 };
/** 0|[1-9][0-9]{0,3} */
const COUNT = { digits: 4, zero: true, below: 1e4 };
/** [1-9][0-9]{0,11} */
const UNIX_SECONDS = { digits: 12, zero: false, below: 1e12 };
type NumberToken = typeof GENERATION;

/** Whether `text` is a number token: digits, no leading zero (a lone 0 only where `zero`). */
function isNumberToken(text: string, token: NumberToken): boolean {
  const length = text.length;
  if (length === 0 || length > token.digits) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return text.charCodeAt(0) !== 48 || (token.zero && length === 1);
}

/** Whether a value writes as a number token (what `isNumberToken(String(value))` says, without the string). */
function writesAsNumberToken(value: unknown, token: NumberToken): boolean {
  if (typeof value !== "number") return isNumberToken(String(value), token);
  return Number.isInteger(value) && value >= (token.zero ? 0 : 1) && value < token.below;
}

/** [0-9a-f]{4} */
function isHash(value: unknown): boolean {
  if (typeof value !== "string") return typeof value !== "symbol" && isHash(String(value));
  if (value.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const code = value.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

export function isMarkableEntryId(id: string): boolean {
  return ENTRY_ID_PATTERN.test(id);
}

/** The marker as text, tokens in canonical order. Throws on a marker that could not be parsed back. */
export function formatMarker(marker: Marker): string {
  if (!isMarkableEntryId(marker.entryId))
    throw new RangeError(`entry id cannot be put in a marker: ${JSON.stringify(marker.entryId)}`);
  if (!writesAsNumberToken(marker.generation, GENERATION))
    throw new RangeError(`bad marker generation: ${marker.generation}`);
  let tag = `[tk:${marker.entryId}#${marker.generation}`;
  if (marker.phase === "pending") tag += " pending";
  if (marker.phase === "delivering") {
    tag += " delivering";
    if (marker.progress) {
      const { done, total } = marker.progress;
      if (!writesAsNumberToken(done, COUNT) || !writesAsNumberToken(total, COUNT) || done > total) {
        throw new RangeError(`bad delivery progress: ${done}/${total}`);
      }
      tag += ` ${done}/${total}`;
    }
    if (marker.failed) tag += " failed";
  }
  if (marker.promotedAt !== undefined) {
    if (!writesAsNumberToken(marker.promotedAt, UNIX_SECONDS))
      throw new RangeError(`bad promotedAt: ${marker.promotedAt}`);
    tag += ` @${marker.promotedAt}`;
  }
  if (marker.holdFor !== undefined) {
    if (!writesAsNumberToken(marker.holdFor, GENERATION))
      throw new RangeError(`bad hold generation: ${marker.holdFor}`);
    tag += ` hold#${marker.holdFor}`;
  }
  if (marker.protect) tag += " protect";
  if (marker.off) tag += " off";
  if (marker.compromised === "after-successor") tag += " compromised";
  if (marker.compromised === "revoke-first") tag += " compromised-first";
  if (marker.hash !== undefined) {
    if (!isHash(marker.hash)) throw new RangeError(`bad marker hash: ${marker.hash}`);
    tag += ` ~${marker.hash}`;
  }
  return `${tag}]`;
}

/** The user's text and the trailing marker of a description. Never throws. */
export function splitDescription(description: string): SplitDescription {
  // Most keys of a big workspace carry no marker at all: no need to run the pattern on them.
  if (!description.includes(MARKER_OPENING)) return { text: description, marker: null };
  const match = TRAILING_MARKER.exec(description);
  if (!match) return { text: description, marker: null };
  const whole = match[0];
  const marker = parseParts(match[2] ?? "", match[3] ?? "", match[4] ?? "");
  if (!marker) return { text: description, marker: null };
  // The separator (one whitespace character) belongs to the marker, not to the user's text.
  return { text: description.slice(0, description.length - whole.length), marker };
}

/** The trailing marker of a description, or null. */
export function parseMarker(description: string): Marker | null {
  return splitDescription(description).marker;
}

/** The description without its trailing marker (unchanged when it has none). */
export function stripMarker(description: string): string {
  return splitDescription(description).text;
}

/**
 * `text` followed by the marker, within the contract's 500-character limit: the user's text is
 * cut (ending with `…`), never the marker. `text` is taken verbatim: pass the user's text, not a
 * description that already carries a marker.
 */
export function withMarker(text: string, marker: Marker, maxLength = MAX_DESCRIPTION_LENGTH): string {
  const tag = formatMarker(marker);
  if (text.length === 0) return tag;
  return `${fitText(text, maxLength - tag.length - 1)} ${tag}`;
}

/**
 * `withMarker(text, marker)` with `marker.hash` set to the hash of `name` and the text as written beside
 * it. The hash has a fixed width, so a placeholder gives the room for the text before the hash is known:
 * the marker is formatted once.
 */
export function withHashedMarker(name: string, text: string, marker: Marker): string {
  marker.hash = HASH_PLACEHOLDER;
  const placeholderTag = formatMarker(marker);
  const written = text.length === 0 ? "" : fitText(text, MAX_DESCRIPTION_LENGTH - placeholderTag.length - 1);
  marker.hash = markerHash(name, written);
  const tag = `${placeholderTag.slice(0, -(HASH_PLACEHOLDER.length + 1))}${marker.hash}]`;
  return text.length === 0 ? tag : `${written} ${tag}`;
}

const HASH_PLACEHOLDER = "0000";

/** 4 hex digits of sha256(name + "\n" + text): what timely-keys last wrote, to spot edits made outside. */
export function markerHash(name: string, text: string): string {
  // The one-shot hash: a plan computes one per managed key, and a Hash object per call costs more than the digest.
  return hash("sha256", `${name}\n${text}`, "hex").slice(0, 4);
}

function fitText(text: string, room: number): string {
  // A text is never longer in characters than in UTF-16 units: most texts fit without splitting them.
  if (text.length <= room) return text;
  const chars = Array.from(text);
  if (chars.length <= room) return text;
  if (room <= 0) return "";
  return `${chars.slice(0, room - 1).join("")}…`;
}

/** Where the token starting at `at` ends (the next space, or the end). */
function tokenEnd(tokenText: string, at: number): number {
  const space = tokenText.indexOf(" ", at);
  return space < 0 ? tokenText.length : space;
}

function parseParts(entryId: string, generation: string, tokenText: string): Marker | null {
  if (!isNumberToken(generation, GENERATION) || !isMarkableEntryId(entryId)) return null;
  const marker: Marker = { entryId, generation: Number(generation), phase: "current" };
  // The pattern lets through only single spaces between tokens, and one before the first: each
  // token runs from after a space to the next one (read in place, no list of them made).
  // Each kind of token may appear once: a second one finds its field already set.
  for (let at = 1; at < tokenText.length; ) {
    const token = tokenText.slice(at, tokenEnd(tokenText, at));
    at += token.length + 1;
    if (token === "pending" || token === "delivering") {
      if (marker.phase !== "current") return null;
      marker.phase = token;
      const next = at < tokenText.length ? tokenText.slice(at, tokenEnd(tokenText, at)) : undefined;
      if (token === "delivering" && next !== undefined && next.includes("/")) {
        const [done = "", total = ""] = next.split("/");
        if (
          !isNumberToken(done, COUNT) ||
          !isNumberToken(total, COUNT) ||
          Number(done) > Number(total) ||
          next.split("/").length !== 2
        )
          return null;
        marker.progress = { done: Number(done), total: Number(total) };
        at += next.length + 1;
      }
    } else if (token.startsWith("@")) {
      const value = token.slice(1);
      if (marker.promotedAt !== undefined || !isNumberToken(value, UNIX_SECONDS)) return null;
      marker.promotedAt = Number(value);
    } else if (token.startsWith("hold#")) {
      const value = token.slice("hold#".length);
      if (marker.holdFor !== undefined || !isNumberToken(value, GENERATION)) return null;
      marker.holdFor = Number(value);
    } else if (token === "protect") {
      if (marker.protect) return null;
      marker.protect = true;
    } else if (token === "off") {
      if (marker.off) return null;
      marker.off = true;
    } else if (token === "failed") {
      if (marker.failed) return null;
      marker.failed = true;
    } else if (token === "compromised" || token === "compromised-first") {
      if (marker.compromised !== undefined) return null;
      marker.compromised = token === "compromised" ? "after-successor" : "revoke-first";
    } else if (token.startsWith("~")) {
      const value = token.slice(1);
      if (marker.hash !== undefined || !isHash(value)) return null;
      marker.hash = value;
    } else {
      return null;
    }
  }
  // Only a delivering key can have failed delivering.
  if (marker.failed && marker.phase !== "delivering") return null;
  return marker;
}

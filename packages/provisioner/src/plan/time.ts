// Time arithmetic for the planner (the words for times are in render/time.ts). Everything is in
// milliseconds since the epoch; an unparseable timestamp from the API is NaN, which every
// comparison treats as "not due".
//
// A plan reads a few timestamps and writes a few per key, so the API's one shape of timestamp
// (`2026-11-23T12:00:00.000Z`, with or without the milliseconds) is read and written here by
// arithmetic; anything else goes to Date.parse and toISOString, whose results these match exactly
// (test/plan/time.test.ts).

export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const DAY = 24 * HOUR;

/** Milliseconds of an ISO timestamp; NaN when absent or unparseable. */
export function ms(iso: string | null | undefined): number {
  if (iso === null || iso === undefined) return Number.NaN;
  const fast = canonicalMs(iso);
  return fast === undefined ? Date.parse(iso) : fast;
}

/** ISO text of a time, or null when it is not a valid time. */
export function isoOrNull(time: number): string | null {
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) return null;
  // new Date(time) drops the fraction toward zero.
  const whole = Math.trunc(time);
  return whole >= FIRST_FOUR_DIGIT_YEAR && whole <= LAST_FOUR_DIGIT_YEAR
    ? formatCanonical(whole)
    : new Date(whole).toISOString();
}

/** How long before `now` a time is (ms), or null when it is not a valid time. */
export function agoMs(time: number, now: number): number | null {
  return Number.isFinite(time) ? now - time : null;
}

/** The smallest finite time of a list, or NaN. */
export function earliest(...times: number[]): number {
  let min = Number.NaN;
  for (const t of times) if (Number.isFinite(t)) min = Number.isNaN(min) ? t : Math.min(min, t);
  return min;
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: toISOString writes years outside with a sign. */
const FIRST_FOUR_DIGIT_YEAR = -62_167_219_200_000;
const LAST_FOUR_DIGIT_YEAR = 253_402_300_799_999;
const ZERO = 48;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const LETTER_T = 84;
const LETTER_Z = 90;

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` of a whole time in years 0000-9999 (civil_from_days). */
function formatCanonical(time: number): string {
  const days = Math.floor(time / DAY);
  let rest = time - days * DAY;
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / SECOND);
  const millis = rest - seconds * SECOND;
  // One flat string from its character codes: text joined piece by piece stays a tree of pieces
  // in the plan (which keeps these), and costs more to build and to collect.
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000),
    ZERO + (Math.floor(year / 100) % 10),
    ZERO + (Math.floor(year / 10) % 10),
    ZERO + (year % 10),
    DASH,
    ZERO + Math.floor(month / 10),
    ZERO + (month % 10),
    DASH,
    ZERO + Math.floor(day / 10),
    ZERO + (day % 10),
    LETTER_T,
    ZERO + Math.floor(hours / 10),
    ZERO + (hours % 10),
    COLON,
    ZERO + Math.floor(minutes / 10),
    ZERO + (minutes % 10),
    COLON,
    ZERO + Math.floor(seconds / 10),
    ZERO + (seconds % 10),
    DOT,
    ZERO + Math.floor(millis / 100),
    ZERO + (Math.floor(millis / 10) % 10),
    ZERO + (millis % 10),
    LETTER_Z,
  );
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - ZERO;
  const ones = text.charCodeAt(at + 1) - ZERO;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * The time of `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` naming a real date and time of
 * day; undefined for any other text (leap seconds, 24:00, other precisions, offsets), left to Date.parse.
 */
function canonicalMs(text: string): number | undefined {
  const length = text.length;
  if (length !== 24 && length !== 20) return undefined;
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== LETTER_T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    text.charCodeAt(length - 1) !== LETTER_Z
  )
    return undefined;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hours = twoDigits(text, 11);
  const minutes = twoDigits(text, 14);
  const seconds = twoDigits(text, 17);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return undefined;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return undefined;
  let millis = 0;
  if (length === 24) {
    if (text.charCodeAt(19) !== DOT) return undefined;
    const high = twoDigits(text, 20);
    const last = text.charCodeAt(22) - ZERO;
    if (high < 0 || last < 0 || last > 9) return undefined;
    millis = high * 10 + last;
  }
  const year = century * 100 + yearOfCentury;
  if (day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day) * DAY + hours * HOUR + minutes * 60_000 + seconds * SECOND + millis;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Emulated time = real time + offset, so time keeps flowing between requests while tests can jump
 * ahead (expiry, rotation windows) or pin a date.
 */
export class Clock {
  private offsetMs: number;

  constructor(
    start?: Date | string,
    private readonly realNow: () => number = Date.now,
  ) {
    this.offsetMs = start === undefined ? 0 : parseDate(start, "now").getTime() - this.realNow();
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.realNow() + this.offsetMs;
  }

  /** Moves emulated time by `seconds` (may be negative). */
  advance(seconds: number): Date {
    if (!Number.isFinite(seconds)) throw new Error("advance_seconds must be a finite number");
    this.offsetMs += seconds * 1000;
    return this.now();
  }

  set(date: Date | string): Date {
    this.offsetMs = parseDate(date, "now").getTime() - this.realNow();
    return this.now();
  }

  /** Emulated minus real time, in milliseconds (persisted with the state file). */
  getOffsetMs(): number {
    return this.offsetMs;
  }

  setOffsetMs(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 date-time (with zone) or a Date; throws naming `field` otherwise. */
export function parseDate(value: Date | string, field: string): Date {
  const date = value instanceof Date ? value : isoDateTime.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z`);
  }
  return date;
}

// Time arithmetic and wording for the planner. Everything is in milliseconds since the epoch; an
// unparseable timestamp from the API is NaN, which every comparison treats as "not due".

export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const DAY = 24 * HOUR;

/** Milliseconds of an ISO timestamp; NaN when absent or unparseable. */
export function ms(iso: string | null | undefined): number {
  if (iso === null || iso === undefined) return Number.NaN;
  return Date.parse(iso);
}

/** ISO text of a time, or null when it is not a valid time. */
export function isoOrNull(time: number): string | null {
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) return null;
  return new Date(time).toISOString();
}

/** `2026-12-01 10:00 UTC`, or `an unknown time`. */
export function formatWhen(time: number): string {
  return formatIsoWhen(isoOrNull(time));
}

/** `formatWhen` of a time already written by `isoOrNull`, when both are shown: one conversion, not two. */
export function formatIsoWhen(iso: string | null): string {
  if (iso === null) return "an unknown time";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A duration for humans: `45s`, `12m`, `5h`, `3d`. */
export function formatDuration(durationMs: number): string {
  if (!Number.isFinite(durationMs)) return "an unknown time";
  const abs = Math.abs(durationMs);
  if (abs < 60 * SECOND) return `${Math.round(abs / SECOND)}s`;
  if (abs < HOUR) return `${Math.floor(abs / (60 * SECOND))}m`;
  if (abs < 2 * DAY) return `${Math.floor(abs / HOUR)}h`;
  return `${Math.floor(abs / DAY)}d`;
}

/** `2h ago`, or `never` when there is no time. */
export function formatAgo(time: number, now: number): string {
  if (!Number.isFinite(time)) return "never";
  if (time > now) return "just now";
  return `${formatDuration(now - time)} ago`;
}

/** The smallest finite time of a list, or NaN. */
export function earliest(...times: number[]): number {
  let min = Number.NaN;
  for (const t of times) if (Number.isFinite(t)) min = Number.isNaN(min) ? t : Math.min(min, t);
  return min;
}

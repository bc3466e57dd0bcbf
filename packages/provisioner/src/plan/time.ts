// Time arithmetic for the planner (the words for times are in render/time.ts). Everything is in
// milliseconds since the epoch; an unparseable timestamp from the API is NaN, which every
// comparison treats as "not due".

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

// Times and durations in words: `2026-12-01 10:00 UTC`, `45s`, `3d`, `2h ago`.
import { isoOrNull } from "../plan/time.js";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** `2026-12-01 10:00 UTC`, or `an unknown time`. */
export function formatWhen(time: number): string {
  return formatIsoWhen(isoOrNull(time));
}

/** `formatWhen` of a time already written by `isoOrNull`. */
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

/** An age (ms before the plan's clock): `2h ago`, `just now` when after it, `never` when null. */
export function formatAgo(agoMs: number | null): string {
  if (agoMs === null || !Number.isFinite(agoMs)) return "never";
  if (agoMs < 0) return "just now";
  return `${formatDuration(agoMs)} ago`;
}

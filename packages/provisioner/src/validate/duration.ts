// Durations in the manifest are short strings, `<n>(s|m|h|d)`: 90m, 24h, 7d.

/** The manifest schema's duration pattern (a test keeps the two equal). */
export const DURATION_PATTERN = "^([0-9]{1,7})([smhd])$";
const DURATION = new RegExp(DURATION_PATTERN);

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** The shortest exact duration string for a number of seconds (86400 -> "1d", 5400 -> "90m"). */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

// Appending one list to another without an argument spread: `target.push(...items)` passes every
// item as an argument, and past about 100,000 of them V8 throws "Maximum call stack size exceeded".

/** Appends every item to `target` (in order) and returns it. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values` (-Infinity when empty), without Math.max's argument spread. */
export function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max;
}

/** The smallest of `values` (Infinity when empty), without Math.min's argument spread. */
export function minOf(values: Iterable<number>): number {
  let min = Infinity;
  for (const value of values) if (value < min) min = value;
  return min;
}

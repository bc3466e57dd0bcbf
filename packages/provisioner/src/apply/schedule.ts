// Bounded concurrency with per-group ordering: actions of one entry (or one key) run one after
// another in plan order; different groups run side by side, at most `limit` at once.

export async function runGrouped<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const queue = [...groups.values()];
  // An index rather than shift(): shifting a list of 20,000 groups copies it every time.
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    while (next < queue.length) {
      const group = queue[next++] as T[];
      for (const item of group) await run(item);
    }
  });
  await Promise.all(workers);
}

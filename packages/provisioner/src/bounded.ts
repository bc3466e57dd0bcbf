// Independent work side by side, at most `limit` at once, results in input order. Workspaces use it:
// each has its own token and rate limit, so they are read and applied in parallel, but a manifest of
// 300 workspaces does not open 300 connections at once.

/** How many workspaces are read, or applied, at once by default. */
export const WORKSPACE_CONCURRENCY = 8;

export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

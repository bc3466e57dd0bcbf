// Iteration over every page of a list. Stops on `meta.total_pages`, so N items cost exactly
// ceil(N / perPage) requests (one for an empty list), never an extra empty page.

import type { Page } from "./envelope.js";

export type PageFetcher<T> = (page: number) => Promise<Page<T>>;

export class PageIterator<T> implements AsyncIterable<T> {
  readonly #fetchPage: PageFetcher<T>;

  constructor(fetchPage: PageFetcher<T>) {
    this.#fetchPage = fetchPage;
  }

  /** Every page, in order, each as `{ data, meta }`. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    for (let page = 1; ; page++) {
      const current = await this.#fetchPage(page);
      yield current;
      // An empty page also ends it, should a server ever report more pages than it has.
      if (page >= current.meta.total_pages || current.data.length === 0) return;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item of every page, in one array. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}

import { describe, expect, it } from "vitest";
import type { Page } from "../src/envelope.js";
import { PageIterator } from "../src/pagination.js";

function pagesOf(items: number[], perPage: number, opts: { claimedTotalPages?: number } = {}) {
  const requested: number[] = [];
  const totalPages = opts.claimedTotalPages ?? Math.ceil(items.length / perPage);
  const fetchPage = async (page: number): Promise<Page<number>> => {
    requested.push(page);
    return {
      data: items.slice((page - 1) * perPage, page * perPage),
      meta: { page, per_page: perPage, total: items.length, total_pages: totalPages },
    };
  };
  return { iterator: new PageIterator(fetchPage), requested };
}

describe("PageIterator", () => {
  it("yields every item of every page and stops on total_pages", async () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const { iterator, requested } = pagesOf(items, 3);
    const seen: number[] = [];
    for await (const item of iterator) seen.push(item);
    expect(seen).toEqual(items);
    expect(requested).toEqual([1, 2, 3]);
  });

  it("costs one request for an empty list", async () => {
    const { iterator, requested } = pagesOf([], 3);
    expect(await iterator.toArray()).toEqual([]);
    expect(requested).toEqual([1]);
  });

  it("stops on an empty page even if the server claims more pages", async () => {
    const { iterator, requested } = pagesOf([1, 2], 2, { claimedTotalPages: 50 });
    expect(await iterator.toArray()).toEqual([1, 2]);
    expect(requested).toEqual([1, 2]);
  });

  it("fetches lazily: breaking out early stops the requests", async () => {
    const { iterator, requested } = pagesOf(
      Array.from({ length: 10 }, (_, i) => i),
      2,
    );
    for await (const item of iterator) if (item === 2) break;
    expect(requested).toEqual([1, 2]);
  });

  it("can be iterated again, starting over", async () => {
    const { iterator, requested } = pagesOf([1, 2, 3], 2);
    await iterator.toArray();
    await iterator.toArray();
    expect(requested).toEqual([1, 2, 1, 2]);
  });
});

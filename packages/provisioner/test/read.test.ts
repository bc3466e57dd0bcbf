// read: after page 1 (which says how many pages there are) the other pages of a workspace are
// requested side by side, at most PAGE_CONCURRENCY at once; the keys still come back in page order,
// nothing is requested per key, and a failed page fails the read. Proved with a client double that
// counts the pages in flight, not by wall-clock time.
import type { ApiKey, Page, TimelyClient } from "@timely-keys/sdk";
import { InvalidResponseError, ServerError } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import { PAGE_CONCURRENCY, readWorkspace } from "../src/read.js";

const WORKSPACE = { name: "acme-prod", tokenEnv: "ACME_PROD_TOKEN" };

function key(index: number): ApiKey {
  return {
    id: `key_${String(index).padStart(6, "0")}`,
    workspace_id: "ws_1",
    name: `Key ${index}`,
    description: "",
    prefix: "tml_abcd",
    scopes: ["read"],
    status: "active",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    expires_at: null,
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
  };
}

interface Double {
  client: TimelyClient;
  /** The pages requested, in the order they were asked for. */
  requested: number[];
  /** The most pages that were in flight at once. */
  maxInFlight: () => number;
}

/**
 * A client over `total` keys, 100 a page; each page answers after a few turns of the event loop, so
 * pages asked for together are in flight together. `answer` may replace a page's answer.
 */
function double(total: number, answer: (page: number, data: ApiKey[]) => ApiKey[] | Error = (_, data) => data): Double {
  const requested: number[] = [];
  let inFlight = 0;
  let most = 0;
  const totalPages = Math.max(1, Math.ceil(total / 100));
  const client = {
    me: async () => ({ workspace_id: "ws_1" }),
    serverTime: () => new Date("2026-12-07T00:00:00Z"),
    apiKeys: {
      listPage: async ({ page = 1, perPage = 100 }: { page?: number; perPage?: number }): Promise<Page<ApiKey>> => {
        requested.push(page);
        inFlight++;
        most = Math.max(most, inFlight);
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        const data: ApiKey[] = [];
        for (let i = (page - 1) * perPage; i < Math.min(total, page * perPage); i++) data.push(key(i));
        const answered = answer(page, data);
        if (answered instanceof Error) throw answered;
        return { data: answered, meta: { page, per_page: perPage, total, total_pages: totalPages } };
      },
    },
  } as unknown as TimelyClient;
  return { client, requested, maxInFlight: () => most };
}

describe("readWorkspace", () => {
  it("reads the pages after the first side by side, at most PAGE_CONCURRENCY at once, keys in page order", async () => {
    const d = double(1_050);
    const live = await readWorkspace(WORKSPACE, { clients: () => d.client });
    expect(live.keys.map((k) => k.id)).toEqual(Array.from({ length: 1_050 }, (_, i) => key(i).id));
    expect([...d.requested].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(d.requested[0]).toBe(1);
    expect(d.maxInFlight()).toBe(PAGE_CONCURRENCY);
    expect(live.workspaceId).toBe("ws_1");
  });

  it("an empty workspace and a one-page workspace cost one list request", async () => {
    for (const total of [0, 100]) {
      const d = double(total);
      const live = await readWorkspace(WORKSPACE, { clients: () => d.client });
      expect(live.keys).toHaveLength(total);
      expect(d.requested).toEqual([1]);
    }
  });

  it("ends at the first empty page, should the server report more pages than it has", async () => {
    const d = double(600, (page, data) => (page >= 4 ? [] : data));
    const live = await readWorkspace(WORKSPACE, { clients: () => d.client });
    expect(live.keys).toHaveLength(300);
  });

  it("a failed page fails the read with the earliest failed page's error, and no later page is asked for", async () => {
    const d = double(2_000, (page, data) =>
      page === 2 || page === 3 ? new ServerError({ message: `page ${page}` }) : data,
    );
    await expect(readWorkspace(WORKSPACE, { clients: () => d.client })).rejects.toThrow("page 2");
    // Pages 2-5 were in flight when page 2 failed; nothing after them was requested.
    expect(Math.max(...d.requested)).toBe(1 + PAGE_CONCURRENCY);
  });

  it("a key that breaks the contract is named by its place in the whole list", async () => {
    const d = double(250, (page, data) => (page === 3 ? [{ ...data[0], scopes: "read" } as unknown as ApiKey] : data));
    const error = await readWorkspace(WORKSPACE, { clients: () => d.client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toBe(
      "workspace acme-prod: key 201 of the list does not match the API contract (scopes is not a list of strings)",
    );
  });

  it("names the first field that breaks the contract, one message per field", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 1 }, "id is not a string"],
      [{ workspace_id: null }, "workspace_id is not a string"],
      [{ name: undefined }, "name is not a string"],
      [{ created_at: 0 }, "created_at is not a string"],
      [{ updated_at: {} }, "updated_at is not a string"],
      [{ description: 5 }, "description is not a string"],
      [{ expires_at: false }, "expires_at is not a string"],
      [{ last_used_at: [] }, "last_used_at is not a string"],
      [{ deactivated_at: 1 }, "deactivated_at is not a string"],
      [{ status: "revoked" }, "status is neither active nor inactive"],
      [{ scopes: ["read", 1] }, "scopes is not a list of strings"],
      [{ id: 1, scopes: "read" }, "id is not a string"],
      [
        { description: null, expires_at: null, last_used_at: null, deactivated_at: null, status: 1 },
        "status is neither",
      ],
    ];
    for (const [change, problem] of cases) {
      const d = double(1, (_page, data) => [{ ...data[0], ...change } as unknown as ApiKey]);
      const error = await readWorkspace(WORKSPACE, { clients: () => d.client }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect((error as Error).message).toContain(`(${problem}`);
    }
    const fine = double(1, (_page, data) => [
      { ...data[0], description: null, expires_at: undefined } as unknown as ApiKey,
    ]);
    await expect(readWorkspace(WORKSPACE, { clients: () => fine.client })).resolves.toMatchObject({
      name: WORKSPACE.name,
    });
  });
});

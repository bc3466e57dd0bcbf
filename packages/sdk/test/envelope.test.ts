import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidResponseError } from "../src/index.js";
import { BASE, makeClient, SECRET, useMswServer } from "./helpers.js";

const server = useMswServer();

async function failureOf(promise: Promise<unknown>): Promise<InvalidResponseError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidResponseError);
  return error as InvalidResponseError;
}

describe("InvalidResponseError for answers that break the envelope", () => {
  it("a 2xx body that is not valid JSON", async () => {
    server.use(
      http.get(
        `${BASE}/v1/me`,
        () => new HttpResponse(`{"data": {"secret": "${SECRET}"`, { headers: { "Content-Type": "application/json" } }),
      ),
    );
    const { client } = makeClient({ pacing: false });
    const error = await failureOf(client.me());
    expect(error.code).toBe("INVALID_RESPONSE");
    // JSON.parse's message quotes the body; none of it may surface.
    expect(`${error.message} ${String(error.cause)}`).not.toContain(SECRET);
    expect(error.cause).toBeUndefined();
  });

  it("a body without `data`", async () => {
    server.use(
      http.get(`${BASE}/v1/me`, () => HttpResponse.json({ result: {} }, { headers: { "X-Request-Id": "req-1" } })),
    );
    const { client } = makeClient({ pacing: false });
    const error = await failureOf(client.me());
    expect(error).toMatchObject({ status: 200, requestId: "req-1" });
    expect(error.message).toContain("`data`");
  });

  it("a body that is not an object", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => HttpResponse.json([1, 2])));
    const { client } = makeClient({ pacing: false });
    await failureOf(client.health());
  });

  it("an empty 200 body", async () => {
    server.use(http.get(`${BASE}/v1/health`, () => new HttpResponse(null, { status: 200 })));
    const { client } = makeClient({ pacing: false });
    await failureOf(client.health());
  });

  it("a list without a data array", async () => {
    server.use(
      http.get(`${BASE}/v1/api-keys`, () =>
        HttpResponse.json({ data: { items: [] }, meta: { page: 1, per_page: 100, total: 0, total_pages: 0 } }),
      ),
    );
    const { client } = makeClient({ pacing: false });
    await failureOf(client.apiKeys.listPage());
  });

  it("a list without meta", async () => {
    server.use(http.get(`${BASE}/v1/api-keys`, () => HttpResponse.json({ data: [] })));
    const { client } = makeClient({ pacing: false });
    const error = await failureOf(client.apiKeys.list().toArray());
    expect(error.message).toContain("`meta`");
  });
});

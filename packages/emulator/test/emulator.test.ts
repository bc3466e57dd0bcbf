import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { call, expectNoResponseViolations, tokens, useEmulator, withEmulator } from "./helpers.js";

const env = useEmulator({ now: "2032-02-29T08:00:00Z" });

describe("every /v1 answer", () => {
  it("carries a Date from the emulated clock, a unique X-Request-Id and the rate-limit headers", async () => {
    const key = await env.createKey({ scopes: ["agents"] });
    const replies = await Promise.all([
      env.call("GET", "/v1/health"),
      env.call("GET", "/v1/me"),
      env.call("GET", "/v1/conversations", { token: key.secret }),
      env.call("GET", "/v1/api-keys?page=0", { token: tokens.owner }),
      env.call("GET", "/v1/nowhere", { token: tokens.owner }),
      env.call("PUT", "/v1/api-keys", { token: tokens.owner }),
      env.call("DELETE", `/v1/api-keys/${key.id}`, { token: tokens.owner }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 401, 403, 400, 404, 404, 204]);
    const ids = new Set<string>();
    for (const reply of replies) {
      expect(reply.headers.get("date")).toMatch(/^Sun, 29 Feb 2032 08:0\d:\d\d GMT$/);
      for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) {
        expect(reply.headers.get(name)).toMatch(/^\d+$/);
      }
      const requestId = reply.headers.get("x-request-id")!;
      expect(requestId).toBeTruthy();
      ids.add(requestId);
      if (reply.status >= 400) expect(reply.body.error.request_id).toBe(requestId);
    }
    expect(ids.size).toBe(replies.length);
  });

  it("answers unknown routes with NOT_FOUND, and a wrong method with its Allow list", async () => {
    const none = await env.call("GET", "/v2/things");
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: "NOT_FOUND", status: 404 });
    const wrong = await env.call("PUT", "/v1/api-keys", { token: tokens.owner });
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
  });

  it("handles concurrent creates without losing any", async () => {
    env.em.reset();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => env.createKey({ name: `k${i}` }, i % 2 ? tokens.owner : tokens.manager)),
    );
    expect(new Set(created.map((k) => k.id)).size).toBe(20);
    const list = await env.call("GET", "/v1/api-keys?per_page=100", { token: tokens.viewer });
    expect(list.body.meta.total).toBe(20);
  });
});

describe("startEmulator", () => {
  it("listens on loopback, on the port asked for, and stops on close()", async () => {
    const probe = await startEmulator();
    const port = probe.port;
    await probe.close();
    const em = await startEmulator({ port, host: "127.0.0.1", validateContract: true });
    expect(em.url).toBe(`http://127.0.0.1:${port}`);
    expect((await call(em.url, "GET", "/v1/health")).status).toBe(200);
    expectNoResponseViolations(em);
    await em.close();
    await em.close(); // idempotent
    await expect(fetch(`${em.url}/v1/health`)).rejects.toThrow();
  });

  it("starts empty without a seed", async () => {
    await withEmulator({}, async (em) => {
      expect(em.state().workspaces).toEqual([]);
      expect((await call(em.url, "GET", "/v1/me", { token: tokens.owner })).status).toBe(401);
    });
  });

  it("rejects bad options clearly", async () => {
    await expect(startEmulator({ rateLimit: 0 })).rejects.toThrow("rateLimit must be an integer >= 1");
    await expect(startEmulator({ now: "soon" })).rejects.toThrow("now must be an ISO 8601 date-time");
    await expect(startEmulator({ seed: { workspaces: [{ name: "" }] } })).rejects.toThrow(
      "workspaces[0].name: must not be empty",
    );
  });
});

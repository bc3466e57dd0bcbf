import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers.js";

const env = useEmulator({ rateLimit: 3, now: "2031-05-04T10:00:00Z" });

describe("GET /v1/health", () => {
  it("needs no credential and reports the emulated time", async () => {
    const reply = await env.call("GET", "/v1/health");
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ status: "ok", version: "1.0.0" });
    expect(reply.body.data.timestamp.startsWith("2031-05-04T10:0")).toBe(true);
  });

  it("answers 503 while a maintenance fault is on, and 200 again after", async () => {
    env.em.reset();
    env.em.faults.set({ maintenance: true });
    const down = await env.call("GET", "/v1/health");
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });
    env.em.faults.clear();
    expect((await env.call("GET", "/v1/health")).status).toBe(200);
  });

  it("is rate-limited per client address, whatever credential is sent", async () => {
    env.em.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await env.call("GET", "/v1/health", { token: `tml_${"q".repeat(40)}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

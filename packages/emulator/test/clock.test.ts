import { describe, expect, it } from "vitest";
import { Clock, parseDate } from "../src/clock.js";
import { tokens, useEmulator } from "./helpers.js";

describe("Clock", () => {
  it("is real time plus an offset that advance and set move", () => {
    let real = 1_000_000;
    const clock = new Clock("2030-01-01T00:00:00Z", () => real);
    expect(clock.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    real += 5_000; // time flows
    expect(clock.now().toISOString()).toBe("2030-01-01T00:00:05.000Z");
    clock.advance(3600);
    expect(clock.now().toISOString()).toBe("2030-01-01T01:00:05.000Z");
    clock.advance(-5);
    expect(clock.now().toISOString()).toBe("2030-01-01T01:00:00.000Z");
    clock.set(new Date("2031-01-01T00:00:00Z"));
    expect(clock.now().toISOString()).toBe("2031-01-01T00:00:00.000Z");
    expect(() => clock.advance(Number.NaN)).toThrow(/advance_seconds/);
  });

  it("parses ISO 8601 date-times with a zone only", () => {
    expect(parseDate("2030-01-01T10:00:00+02:00", "now").toISOString()).toBe("2030-01-01T08:00:00.000Z");
    expect(() => parseDate("2030-01-01", "now")).toThrow(/now must be an ISO 8601 date-time/);
    expect(() => parseDate("2030-13-45T99:00:00Z", "now")).toThrow();
  });
});

describe("the emulated clock over HTTP", () => {
  const env = useEmulator({ now: "2030-06-01T12:00:00Z" });

  it("stamps Date, created_at and the rate-limit reset with emulated time", async () => {
    env.em.reset();
    const key = await env.createKey();
    expect(key.created_at.startsWith("2030-06-01T12:0")).toBe(true);
    const reply = await env.call("GET", "/v1/api-keys", { token: tokens.owner });
    expect(reply.headers.get("date")).toMatch(/^Sat, 01 Jun 2030 12:0\d:\d\d GMT$/);
    const reset = Number(reply.headers.get("x-ratelimit-reset"));
    expect(reset * 1000).toBeGreaterThan(Date.parse("2030-06-01T12:00:00Z"));
    expect(reset * 1000).toBeLessThan(Date.parse("2030-06-01T12:10:00Z"));
  });

  it("moves deactivated_at, last_used_at and expiry with advance and set", async () => {
    env.em.reset();
    const key = await env.createKey({ expires_in_days: 10 });
    env.em.clock.set("2030-06-05T00:00:00Z");
    await env.call("GET", "/v1/me", { token: key.secret });
    const off = await env.call("POST", `/v1/api-keys/${key.id}/deactivate`, { token: tokens.owner });
    expect(off.body.data.deactivated_at.startsWith("2030-06-05T00:0")).toBe(true);
    expect(off.body.data.last_used_at.startsWith("2030-06-05T00:0")).toBe(true);
    await env.call("POST", `/v1/api-keys/${key.id}/activate`, { token: tokens.owner });
    env.em.clock.advance(7 * 86_400);
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(401);
  });
});

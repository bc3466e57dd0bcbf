import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { Pacer } from "../src/pacing.js";
import { ServerClock } from "../src/server-clock.js";
import { BASE, errorBody, fakeTime, makeClient, rateHeaders, useMswServer } from "./helpers.js";

const server = useMswServer();

const SERVER_EPOCH = Date.parse("2026-03-01T12:00:00Z");

/** A pacer on a hand-driven clock whose sleeps stay pending until released. */
function pacerHarness(onHold?: (hold: { waitMs: number; queued: number }) => void) {
  let now = 0;
  const sleeps: Array<{ ms: number; signal: AbortSignal | undefined; release(): void }> = [];
  const clock = new ServerClock(() => now);
  clock.observe(new Date(SERVER_EPOCH).toUTCString());
  const pacer = new Pacer(
    clock,
    () => now,
    (ms, signal) =>
      new Promise<void>((resolve) => {
        sleeps.push({ ms, signal, release: resolve });
      }),
    onHold,
  );
  const headers = (remaining: number, resetInSeconds: number) =>
    new Headers({
      "X-RateLimit-Remaining": String(remaining),
      "X-RateLimit-Reset": String(SERVER_EPOCH / 1000 + resetInSeconds),
    });
  return {
    pacer,
    sleeps,
    headers,
    advance(ms: number) {
      now += ms;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("Pacer", () => {
  it("lets a first request probe alone, then releases as many as the answer allows", async () => {
    const { pacer, headers } = pacerHarness();
    expect(pacer.tryAcquire()).toBe(true);
    expect(pacer.tryAcquire()).toBe(false);
    const released: number[] = [];
    const waiting = [1, 2, 3].map((n) => pacer.acquire(new AbortController().signal).then(() => released.push(n)));
    await flush();
    expect(released).toEqual([]);
    pacer.settle(headers(2, 60));
    await flush();
    // Room for two: the third keeps waiting.
    expect(released).toEqual([1, 2]);
    pacer.settle(headers(5, 60));
    await Promise.all(waiting);
    expect(released).toEqual([1, 2, 3]);
  });

  it(
    "tells the onPacingHold observer once per hold how long it lasts, and survives an observer that " + "throws",
    async () => {
      const holds: Array<{ waitMs: number; queued: number }> = [];
      const { pacer, sleeps, headers, advance } = pacerHarness((hold) => {
        holds.push(hold);
        throw new Error("observer bug");
      });
      pacer.tryAcquire();
      pacer.settle(headers(0, 42));
      const first = pacer.acquire(new AbortController().signal);
      const second = pacer.acquire(new AbortController().signal);
      await flush();
      expect(holds).toEqual([{ waitMs: 42_000, queued: 1 }]);
      advance(42_000);
      sleeps[0]?.release();
      await first;
      pacer.settle(headers(5, 60));
      await second;
      expect(holds).toHaveLength(1);
    },
  );

  it("counts requests in flight against the remaining budget", () => {
    const { pacer, headers } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(headers(4, 60));
    expect([pacer.tryAcquire(), pacer.tryAcquire(), pacer.tryAcquire()]).toEqual([true, true, true]);
    // An answer for one of the three says 2 remain, but two others are still in flight.
    pacer.settle(headers(2, 60));
    expect(pacer.tryAcquire()).toBe(false);
  });

  it("holds requests until the announced reset when the window is used up, then probes", async () => {
    const { pacer, sleeps, headers, advance } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(headers(0, 5));
    expect(pacer.tryAcquire()).toBe(false);
    const first = pacer.acquire(new AbortController().signal);
    const second = pacer.acquire(new AbortController().signal);
    await flush();
    expect(sleeps.map((s) => s.ms)).toEqual([5000]);
    advance(5000);
    sleeps[0]?.release();
    await expect(first).resolves.toBe(5000);
    // Only one probe goes; its answer releases the other.
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await flush();
    expect(secondDone).toBe(false);
    pacer.settle(headers(10, 60));
    await expect(second).resolves.toBe(5000);
  });

  it("waits again when fresher limits arrive during the wait", async () => {
    const { pacer, sleeps, headers, advance } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(headers(1, 5));
    expect(pacer.tryAcquire()).toBe(true); // the last slot: one request in flight
    const waiting = pacer.acquire(new AbortController().signal);
    await flush();
    expect(sleeps.map((s) => s.ms)).toEqual([5000]);
    // The request in flight answers: still nothing left, and the reset moved to 20 s.
    pacer.settle(headers(0, 20));
    advance(5000);
    sleeps[0]?.release();
    await flush();
    // No probe at 5 s: the waiter sleeps on until the new reset.
    expect(sleeps.map((s) => s.ms)).toEqual([5000, 15_000]);
    advance(15_000);
    sleeps[1]?.release();
    await expect(waiting).resolves.toBe(20_000);
  });

  it("rejects a waiting request with its abort reason and cancels the timer when nobody waits", async () => {
    const { pacer, sleeps, headers } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(headers(0, 30));
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    await flush();
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    expect(sleeps[0]?.signal?.aborted).toBe(true);
  });

  it("stops pacing when the server advertises no limits", () => {
    const { pacer } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(new Headers());
    for (let i = 0; i < 1000; i++) expect(pacer.tryAcquire()).toBe(true);
  });

  it("probes again when a probe gets no answer", () => {
    const { pacer } = pacerHarness();
    pacer.tryAcquire();
    pacer.settle(undefined);
    expect(pacer.tryAcquire()).toBe(false);
    // Nothing in flight and no window known: the next waiter becomes the probe at once.
    return expect(pacer.acquire(new AbortController().signal)).resolves.toBe(0);
  });
});

describe("pacing through the client", () => {
  it("waits until X-RateLimit-Reset once Remaining is 0, without a 429", async () => {
    let calls = 0;
    const time = fakeTime();
    server.use(
      http.get(`${BASE}/v1/me`, () => {
        calls++;
        const serverNow = new Date(SERVER_EPOCH + (calls === 1 ? 0 : 5000));
        return HttpResponse.json(
          { data: { principal: "member" } },
          { headers: rateHeaders(calls === 1 ? 0 : 99, SERVER_EPOCH / 1000 + 5, serverNow) },
        );
      }),
    );
    const { client } = makeClient({}, { time });
    await client.me();
    await client.me();
    expect(calls).toBe(2);
    expect(time.sleeps).toEqual([5000]);
    expect(client.stats).toEqual({ requests: 2, retries: 0, rateLimited: 0, pacedMs: 5000 });
  });

  /** A fixed-window rate limiter of `limit` requests per 10 s, on the fake clock. */
  function limitedServer(limit: number, time: ReturnType<typeof fakeTime>) {
    const start = time.now();
    const windowMs = 10_000;
    let windowStart = SERVER_EPOCH;
    let used = 0;
    const seen = { ok: 0, limited: 0 };
    server.use(
      http.get(`${BASE}/v1/health`, () => {
        const serverNow = SERVER_EPOCH + (time.now() - start);
        while (serverNow >= windowStart + windowMs) {
          windowStart += windowMs;
          used = 0;
        }
        const resetSeconds = (windowStart + windowMs) / 1000;
        if (used >= limit) {
          seen.limited++;
          return HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "slow down"), {
            status: 429,
            headers: {
              ...rateHeaders(0, resetSeconds, new Date(serverNow), limit),
              "Retry-After": String(Math.ceil((windowStart + windowMs - serverNow) / 1000)),
            },
          });
        }
        used++;
        seen.ok++;
        return HttpResponse.json(
          { data: { status: "ok", version: "1", timestamp: new Date(serverNow).toISOString() } },
          { headers: rateHeaders(limit - used, resetSeconds, new Date(serverNow), limit) },
        );
      }),
    );
    return seen;
  }

  it("spreads a burst over the windows so that no request runs into a 429", async () => {
    const time = fakeTime();
    const seen = limitedServer(5, time);
    const { client } = makeClient({}, { time });
    const results = await Promise.all(Array.from({ length: 12 }, () => client.health()));
    expect(results).toHaveLength(12);
    expect(seen).toEqual({ ok: 12, limited: 0 });
    expect(client.stats.rateLimited).toBe(0);
    expect(client.stats.requests).toBe(12);
    expect(client.stats.pacedMs).toBeGreaterThan(0);
  });

  it("without pacing, the same burst runs into 429s", async () => {
    const time = fakeTime();
    const seen = limitedServer(5, time);
    const { client } = makeClient({ pacing: false }, { time });
    await Promise.allSettled(Array.from({ length: 12 }, () => client.health()));
    expect(seen.limited).toBeGreaterThan(0);
    expect(client.stats.rateLimited).toBe(seen.limited);
    expect(client.stats.pacedMs).toBe(0);
  });
});

// Shared test fixtures: an msw server per test file, a fake clock whose sleep advances time, and
// builders for API objects and headers.

import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { TimelyClient, type ApiKey, type TimelyClientOptions } from "../src/index.js";
import type { TimelyClientHooks } from "../src/options.js";

export const BASE = "https://api.test.timely";
// Test credentials shaped like the real ones; tests assert they never leak.
export const API_KEY = "tkm_Zq8fK2mW9xR4tY7uP1sD3gH6jL0cV5bN";
export const SECRET = "tml_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78";

/** An msw server for the calling test file; unhandled requests fail the test. */
export function useMswServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export interface FakeTime {
  /** Monotonic ms. */
  now(): number;
  /** Resolves at once, advancing the clock by `ms`; records every requested wait. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeTime(): FakeTime {
  let current = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleeps,
    advance(ms) {
      current += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      current += ms;
      // Let other tasks run, as a real timer would.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export function makeClient(
  options: TimelyClientOptions = {},
  hooks: TimelyClientHooks & { time?: FakeTime } = {},
): { client: TimelyClient; time: FakeTime } {
  const time = hooks.time ?? fakeTime();
  const client = new TimelyClient(
    { apiKey: API_KEY, baseUrl: BASE, ...options },
    { sleep: time.sleep, now: time.now, random: () => 0.5, ...hooks },
  );
  return { client, time };
}

let counter = 0;
export function apiKeyFixture(overrides: Partial<ApiKey> = {}): ApiKey {
  counter++;
  const hex = counter.toString(16).padStart(12, "0");
  return {
    id: `00000000-0000-4000-8000-${hex}`,
    workspace_id: "11111111-1111-4111-8111-111111111111",
    name: `key ${counter}`,
    description: "",
    prefix: "tml_Ab12...",
    scopes: ["read"],
    status: "active",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    expires_at: null,
    last_used_at: null,
    deactivated_at: null,
    request_count: 0,
    ...overrides,
  };
}

export function errorBody(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, status, ...extra } };
}

/** Rate-limit headers as the API sends them; `date` is the server's clock. */
export function rateHeaders(remaining: number, resetSeconds: number, date: Date, limit = 100): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": String(remaining),
    "X-RateLimit-Reset": String(resetSeconds),
    Date: date.toUTCString(),
  };
}

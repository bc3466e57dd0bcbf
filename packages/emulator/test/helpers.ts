import { afterAll, beforeAll, expect } from "vitest";
import type { CreatedApiKey } from "../src/contract-types.js";
import { startEmulator, type Emulator, type EmulatorOptions, type Seed } from "../src/index.js";

const fixture = (label: string): string => `tkm_${`TestFixture${label}`.padEnd(40, "0")}`;

/** Emulator-fixture management tokens (not real credentials). */
export const tokens = {
  owner: fixture("AlphaOwner"),
  manager: fixture("AlphaManager"),
  member: fixture("AlphaMember"),
  viewer: fixture("AlphaViewer"),
  betaOwner: fixture("BetaOwner"),
};

export const testSeed: Seed = {
  workspaces: [
    {
      name: "alpha",
      members: [
        { name: "Olga Owner", role: "owner", token: tokens.owner },
        { name: "Max Manager", role: "manager", token: tokens.manager },
        { name: "Mia Member", role: "member", token: tokens.member },
        { name: "Vic Viewer", role: "viewer", token: tokens.viewer },
      ],
      agents: 3,
      conversations: 7,
    },
    {
      name: "beta",
      members: [{ name: "Bea Owner", role: "owner", token: tokens.betaOwner }],
      agents: 1,
      conversations: 1,
    },
  ],
};

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A plain fetch against the emulator (the SDK is not used here on purpose). */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers["x-api-key"] = options.token;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

export interface TestEmulator {
  readonly em: Emulator;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** Creates a key as the alpha owner; returns the created key (with its secret). */
  createKey(body?: Record<string, unknown>, token?: string): Promise<CreatedApiKey>;
}

export function expectNoResponseViolations(em: Emulator): void {
  expect(em.contractViolations().filter((v) => v.kind === "response")).toEqual([]);
}

/**
 * Starts an emulator (contract validation on) for the test file, and on teardown asserts that it
 * never answered anything the OpenAPI document forbids.
 */
export function useEmulator(options: EmulatorOptions = {}): TestEmulator {
  let em: Emulator | undefined;
  beforeAll(async () => {
    em = await startEmulator({ seed: testSeed, validateContract: true, recordSecrets: true, ...options });
  });
  afterAll(async () => {
    if (!em) return;
    try {
      expectNoResponseViolations(em);
    } finally {
      await em.close();
    }
  });
  const env: TestEmulator = {
    get em() {
      if (!em) throw new Error("emulator not started yet");
      return em;
    },
    call: (method, path, opts) => call(env.em.url, method, path, opts),
    async createKey(body = {}, token = tokens.owner) {
      const reply = await env.call("POST", "/v1/api-keys", {
        token,
        body: { name: "Test key", scopes: ["read"], ...body },
      });
      expect(reply.status).toBe(201);
      return reply.body.data;
    },
  };
  return env;
}

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs `fn` against a fresh emulator (contract validation on), then checks and closes it. */
export async function withEmulator<T>(options: EmulatorOptions, fn: (em: Emulator) => Promise<T>): Promise<T> {
  const em = await startEmulator({ validateContract: true, ...options });
  try {
    const result = await fn(em);
    expectNoResponseViolations(em);
    return result;
  } finally {
    await em.close();
  }
}

import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { expect } from "vitest";
import type { DeliveryContext, SecretValue } from "../../src/deliver/index.js";

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function base62(length: number): string {
  return [...randomBytes(length)].map((byte) => BASE62[byte % 62]).join("");
}

/** A fresh Timely-shaped secret, like the SDK's Secret: the value only through reveal(). */
export function makeSecret(value = `tml_${base62(40)}`): { value: string; secret: SecretValue } {
  return { value, secret: { reveal: () => value, toString: () => "[secret]" } as SecretValue };
}

export interface TestContext extends DeliveryContext {
  logs: string[];
}

export function makeContext(overrides: Partial<DeliveryContext> = {}): TestContext {
  const logs: string[] = [];
  return {
    workspace: "ws_demo",
    entryId: "billing-sync",
    keyName: "billing-sync",
    keyId: "key_01J0000000000000000000000",
    manifestDir: "/tmp",
    env: {},
    log: (line: string) => logs.push(line),
    // Retries wait for nothing unless a test records or times the waits.
    sleep: async () => undefined,
    ...overrides,
    logs,
  };
}

/** Records the waits deliverAll asks for instead of waiting. */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

/**
 * Every way a value could be shown: its text, util.inspect with hidden properties, JSON, and for
 * errors each own property. None may contain any of the sensitive values.
 */
export function expectNoLeak(sensitive: string[], ...things: unknown[]): void {
  for (const thing of things) {
    const views = [String(thing), inspect(thing, { depth: 10, showHidden: true }), safeJson(thing)];
    if (thing instanceof Error) {
      views.push(thing.message, String(thing.stack));
      for (const key of Object.getOwnPropertyNames(thing))
        views.push(inspect((thing as unknown as Record<string, unknown>)[key]));
    }
    for (const view of views) {
      for (const value of sensitive) expect(view).not.toContain(value);
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** The rejection of a promise, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

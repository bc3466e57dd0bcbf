import { DEFAULT_RETRY_SETTINGS } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import {
  DeliveryError,
  deliverAll,
  type DeliveryContext,
  type SecretValue,
  type Sink,
} from "../../src/deliver/index.js";
import { expectNoLeak, makeContext, makeSecret, recordingSleep } from "./helpers.js";

interface Script {
  /** What each call does, in order; the last one repeats. */
  outcomes: Array<"ok" | "retryable" | "fatal" | "maybe" | "plain-error" | { retryAfterMs: number }>;
}

/** A sink that follows a script and records what it received. */
function scriptedSink(name: string, script: Script): Sink & { received: string[]; calls: number } {
  const sink = {
    type: "exec" as const,
    destination: `exec:["${name}"]`,
    received: [] as string[],
    calls: 0,
    async deliver(secret: SecretValue, ctx: DeliveryContext) {
      const outcome = script.outcomes[Math.min(sink.calls, script.outcomes.length - 1)];
      sink.calls += 1;
      if (outcome === "ok") {
        sink.received.push(secret.reveal());
        return;
      }
      if (outcome === "plain-error") throw new Error(`boom while writing ${secret.reveal()}`);
      const init = {
        sinkType: sink.type,
        destination: sink.destination,
        entryId: ctx.entryId,
        keyId: ctx.keyId,
        keyName: ctx.keyName,
      };
      if (typeof outcome === "object") {
        throw new DeliveryError({ ...init, reason: "HTTP 429", retryable: true, retryAfterMs: outcome.retryAfterMs });
      }
      throw new DeliveryError({
        ...init,
        reason: `failure ${outcome}`,
        retryable: outcome === "retryable" || outcome === "maybe",
        maybeDelivered: outcome === "maybe",
      });
    },
  };
  return sink;
}

describe("deliverAll", () => {
  it("delivers to every sink in order and reports one attempt each", async () => {
    const { value, secret } = makeSecret();
    const a = scriptedSink("a", { outcomes: ["ok"] });
    const b = scriptedSink("b", { outcomes: ["ok"] });
    const order: string[] = [];
    const ctx = makeContext({ log: (line) => order.push(line) });
    const report = await deliverAll(secret, [a, b], ctx, { sleep: recordingSleep().sleep });
    expect(report.ok).toBe(true);
    expect(report.delivered).toEqual([a.destination, b.destination]);
    expect(report.results).toEqual([
      { sinkType: "exec", destination: a.destination, ok: true, attempts: 1 },
      { sinkType: "exec", destination: b.destination, ok: true, attempts: 1 },
    ]);
    expect(report.notAttempted).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(a.received).toEqual([value]);
    expect(b.received).toEqual([value]);
    expect(order.findIndex((line) => line.includes(a.destination))).toBeLessThan(
      order.findIndex((line) => line.includes(b.destination)),
    );
  });

  it("retries retryable failures with the SDK's backoff (full jitter on a doubling ceiling) and succeeds", async () => {
    const { secret } = makeSecret();
    const flaky = scriptedSink("flaky", { outcomes: ["retryable", "retryable", "ok"] });
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(secret, [flaky], makeContext(), { sleep, random: () => 0.5 });
    expect(report.ok).toBe(true);
    expect(report.results[0]).toMatchObject({ ok: true, attempts: 3 });
    // DEFAULT_RETRY_SETTINGS: 0.5 * 500 ms, then 0.5 * 1000 ms.
    expect(sleeps).toEqual([250, 500]);
  });

  it("by default tries a sink as often as the SDK's policy allows (1 + its maxRetries)", async () => {
    const { secret } = makeSecret();
    const broken = scriptedSink("broken", { outcomes: ["retryable"] });
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(secret, [broken], makeContext(), { sleep });
    expect(broken.calls).toBe(DEFAULT_RETRY_SETTINGS.maxRetries + 1);
    expect(sleeps).toHaveLength(DEFAULT_RETRY_SETTINGS.maxRetries);
    expect(report.results[0]).toMatchObject({ ok: false, attempts: DEFAULT_RETRY_SETTINGS.maxRetries + 1 });
  });

  it("honours Retry-After when it is longer than the backoff, and gives up on one beyond maxServerWaitMs", async () => {
    const { secret } = makeSecret();
    const limited = scriptedSink("limited", { outcomes: [{ retryAfterMs: 7000 }, { retryAfterMs: 600_000 }, "ok"] });
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(secret, [limited], makeContext(), { sleep, random: () => 0.5 });
    // The SDK's policy: waiting out ten minutes inside one run helps nobody.
    expect(report.ok).toBe(false);
    expect(limited.calls).toBe(2);
    expect(sleeps).toEqual([7000]);
  });

  it("gives up after the configured retries and stops at the failing sink", async () => {
    const { value, secret } = makeSecret();
    const first = scriptedSink("first", { outcomes: ["ok"] });
    const broken = scriptedSink("broken", { outcomes: ["retryable"] });
    const never = scriptedSink("never", { outcomes: ["ok"] });
    const { sleeps, sleep } = recordingSleep();
    const ctx = makeContext();
    const report = await deliverAll(secret, [first, broken, never], ctx, {
      retry: { maxRetries: 3, baseDelayMs: 10 },
      sleep,
      random: () => 0.5,
    });
    expect(report.ok).toBe(false);
    expect(broken.calls).toBe(4);
    expect(sleeps).toEqual([5, 10, 20]);
    expect(never.calls).toBe(0);
    expect(report.delivered).toEqual([first.destination]);
    expect(report.notAttempted).toEqual([never.destination]);
    expect(report.maybeDelivered).toEqual([]);
    expect(report.results[1]).toMatchObject({ destination: broken.destination, ok: false, attempts: 4 });
    expect(report.error).toBeInstanceOf(DeliveryError);
    expect(report.error?.destination).toBe(broken.destination);
    expectNoLeak([value], report, ctx.logs);
  });

  it("does not retry a failure that is not retryable", async () => {
    const { secret } = makeSecret();
    const fatal = scriptedSink("fatal", { outcomes: ["fatal", "ok"] });
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(secret, [fatal], makeContext(), { sleep });
    expect(report.ok).toBe(false);
    expect(fatal.calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(report.results[0]).toMatchObject({ ok: false, attempts: 1 });
  });

  it("reports a failed sink that may hold the secret anyway", async () => {
    const { secret } = makeSecret();
    const unsure = scriptedSink("unsure", { outcomes: ["maybe"] });
    const report = await deliverAll(secret, [unsure], makeContext(), {
      retry: { maxRetries: 0 },
      sleep: recordingSleep().sleep,
    });
    expect(report.ok).toBe(false);
    expect(report.delivered).toEqual([]);
    expect(report.maybeDelivered).toEqual([unsure.destination]);
  });

  it("turns any other error into a masked DeliveryError naming the sink and the key", async () => {
    const { value, secret } = makeSecret("not-shaped-like-a-timely-secret-but-secret");
    const odd = scriptedSink("odd", { outcomes: ["plain-error"] });
    const ctx = makeContext();
    const report = await deliverAll(secret, [odd], ctx, { sleep: recordingSleep().sleep });
    const error = report.error;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error?.message).toContain(odd.destination);
    expect(error?.message).toContain(ctx.keyId);
    expect(error?.message).toContain("boom while writing ***");
    expect(error?.retryable).toBe(false);
    expectNoLeak([value], report, error, ctx.logs);
  });

  it("stops retrying once the run is cancelled", async () => {
    const { secret } = makeSecret();
    const controller = new AbortController();
    const flaky = scriptedSink("flaky", { outcomes: ["retryable", "ok"] });
    const report = await deliverAll(secret, [flaky], makeContext({ signal: controller.signal }), {
      sleep: async () => controller.abort(),
    });
    expect(report.ok).toBe(false);
    expect(flaky.calls).toBe(1);
  });

  it("with no sinks, succeeds without doing anything", async () => {
    const report = await deliverAll(makeSecret().secret, [], makeContext());
    expect(report).toEqual({ ok: true, results: [], delivered: [], maybeDelivered: [], notAttempted: [] });
  });
});

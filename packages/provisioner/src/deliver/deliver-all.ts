import { decideRetry, Redactor } from "@timely-keys/sdk";
import type { SinkType } from "./config.js";
import { deliveryRetry, formatDelay } from "./retry.js";
import { DeliveryError, type DeliveryContext, type SecretValue, type Sink } from "./sink.js";

export interface SinkDeliveryResult {
  sinkType: SinkType;
  destination: string;
  ok: boolean;
  /** Calls of the sink's deliver, retries included. */
  attempts: number;
  /** The last failure, when not ok. */
  error?: DeliveryError;
}

export interface DeliveryReport {
  /** Every sink received the secret. */
  ok: boolean;
  /** One result per sink that was tried, in order; sinks after a failure are not tried. */
  results: SinkDeliveryResult[];
  /** Destinations that confirmed receipt. */
  delivered: string[];
  /**
   * Destinations that failed but may hold the secret anyway (the write was sent and its answer
   * lost, or a program read it and then failed). Count them as received when deciding whether
   * any consumer could hold the key.
   */
  maybeDelivered: string[];
  /** Destinations not tried because an earlier sink failed. */
  notAttempted: string[];
  /** The failure that stopped the run. */
  error?: DeliveryError;
}

/**
 * The retry settings, wait and jitter source for the run, over what `ctx` already says; they reach
 * every sink's store requests too. Defaults: the SDK's DEFAULT_RETRY_SETTINGS, `sleep`, Math.random.
 */
export type DeliverAllOptions = Pick<DeliveryContext, "retry" | "sleep" | "random">;

/**
 * Delivers one secret to every sink, one after another in the given order (deterministic, and a
 * failure leaves a clear prefix of sinks that received it). Each store request is retried by the
 * sink per the SDK's policy; a failure the sink marks retryable (a program's exit, a write race)
 * runs the whole sink again per the same policy, after the wait it asked for when it named one.
 * The first sink that still fails stops the run; the report says which sinks received the secret
 * so the caller can record delivery progress. Never throws for a sink's failure.
 */
export async function deliverAll(
  secret: SecretValue,
  sinks: Sink[],
  ctx: DeliveryContext,
  opts: DeliverAllOptions = {},
): Promise<DeliveryReport> {
  const run: DeliveryContext = { ...ctx };
  if (opts.retry !== undefined) run.retry = { ...ctx.retry, ...opts.retry };
  if (opts.sleep !== undefined) run.sleep = opts.sleep;
  if (opts.random !== undefined) run.random = opts.random;
  const retry = deliveryRetry(run);
  const report: DeliveryReport = { ok: true, results: [], delivered: [], maybeDelivered: [], notAttempted: [] };

  for (const [index, sink] of sinks.entries()) {
    let attempts = 0;
    let error: DeliveryError | undefined;
    for (;;) {
      attempts += 1;
      try {
        await sink.deliver(secret, run);
        error = undefined;
        break;
      } catch (thrown) {
        error = asDeliveryError(thrown, sink, secret, run);
      }
      if (!error.retryable || run.signal?.aborted) break;
      const decision = decideRetry({
        // Delivering the same secret again is an idempotent write, and a sink's passing failure is
        // a failed attempt like a server's 503 (with the wait it asked for as its Retry-After).
        method: "PUT",
        hasIdempotencyKey: false,
        retriesSoFar: attempts - 1,
        outcome: { kind: "response", status: 503, serverWaitMs: error.retryAfterMs },
        settings: retry.settings,
        random: retry.random(),
      });
      if (!decision.retry) break;
      run.log?.(
        `deliver: ${sink.destination} failed (attempt ${attempts} of ${retry.settings.maxRetries + 1}), ` +
          `retrying in ${formatDelay(decision.delayMs)}: ${error.reason}`,
      );
      try {
        await retry.sleep(decision.delayMs, run.signal);
      } catch {
        // The SDK's sleep rejects when the run is cancelled.
      }
      if (run.signal?.aborted) break;
    }

    if (error === undefined) {
      report.results.push({ sinkType: sink.type, destination: sink.destination, ok: true, attempts });
      report.delivered.push(sink.destination);
      run.log?.(`deliver: ${sink.destination} received key ${run.keyName} (${run.keyId})`);
      continue;
    }
    report.ok = false;
    report.error = error;
    report.results.push({ sinkType: sink.type, destination: sink.destination, ok: false, attempts, error });
    if (error.maybeDelivered) report.maybeDelivered.push(sink.destination);
    report.notAttempted = sinks.slice(index + 1).map((later) => later.destination);
    run.log?.(
      `deliver: ${sink.destination} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${error.reason}`,
    );
    break;
  }
  return report;
}

/** A sink that is not one of ours may throw anything; it still gets a masked, named error. */
function asDeliveryError(thrown: unknown, sink: Sink, secret: SecretValue, ctx: DeliveryContext): DeliveryError {
  if (thrown instanceof DeliveryError) return thrown;
  const redactor = new Redactor([secret.reveal()]);
  const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  return new DeliveryError({
    sinkType: sink.type,
    destination: sink.destination,
    entryId: ctx.entryId,
    keyId: ctx.keyId,
    keyName: ctx.keyName,
    reason: redactor.redact(text),
    retryable: false,
    maybeDelivered: true,
  });
}

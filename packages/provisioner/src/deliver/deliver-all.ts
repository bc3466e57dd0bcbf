import type { SinkType } from "./config.js";
import { Redactor } from "@timely-keys/sdk";
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

export interface DeliverAllOptions {
  /** Extra attempts per sink for retryable failures. Default 2. */
  retries?: number;
  /** Waits between attempts; inject a fake in tests. Default: a timer that a ctx.signal abort cuts short. */
  sleep?: (ms: number) => Promise<void>;
  /** First backoff delay, doubled each retry. Default 1000 ms. */
  baseDelayMs?: number;
  /** Longest wait, Retry-After included. Default 60000 ms. */
  maxDelayMs?: number;
}

/**
 * Delivers one secret to every sink, one after another in the given order (deterministic, and a
 * failure leaves a clear prefix of sinks that received it). A retryable failure is tried again
 * with exponential backoff, or after the service's Retry-After when it asked for one. The first
 * sink that still fails stops the run; the report says which sinks received the secret so the
 * caller can record delivery progress. Never throws for a sink's failure.
 */
export async function deliverAll(
  secret: SecretValue,
  sinks: Sink[],
  ctx: DeliveryContext,
  opts: DeliverAllOptions = {},
): Promise<DeliveryReport> {
  const retries = Math.max(0, opts.retries ?? 2);
  const sleep = opts.sleep ?? ((ms: number) => abortableSleep(ms, ctx.signal));
  const baseDelayMs = opts.baseDelayMs ?? 1000;
  const maxDelayMs = opts.maxDelayMs ?? 60_000;
  const report: DeliveryReport = { ok: true, results: [], delivered: [], maybeDelivered: [], notAttempted: [] };

  for (const [index, sink] of sinks.entries()) {
    let attempts = 0;
    let error: DeliveryError | undefined;
    for (;;) {
      attempts += 1;
      try {
        await sink.deliver(secret, ctx);
        error = undefined;
        break;
      } catch (thrown) {
        error = asDeliveryError(thrown, sink, secret, ctx);
      }
      if (!error.retryable || attempts > retries || ctx.signal?.aborted) break;
      const delay = Math.min(maxDelayMs, Math.max(baseDelayMs * 2 ** (attempts - 1), error.retryAfterMs ?? 0));
      ctx.log?.(
        `deliver: ${sink.destination} failed (attempt ${attempts} of ${retries + 1}), retrying in ${formatDelay(delay)}: ${error.reason}`,
      );
      await sleep(delay);
      if (ctx.signal?.aborted) break;
    }

    if (error === undefined) {
      report.results.push({ sinkType: sink.type, destination: sink.destination, ok: true, attempts });
      report.delivered.push(sink.destination);
      ctx.log?.(`deliver: ${sink.destination} received key ${ctx.keyName} (${ctx.keyId})`);
      continue;
    }
    report.ok = false;
    report.error = error;
    report.results.push({ sinkType: sink.type, destination: sink.destination, ok: false, attempts, error });
    if (error.maybeDelivered) report.maybeDelivered.push(sink.destination);
    report.notAttempted = sinks.slice(index + 1).map((later) => later.destination);
    ctx.log?.(
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

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolvePromise) => {
    if (signal?.aborted) {
      resolvePromise();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolvePromise();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolvePromise();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

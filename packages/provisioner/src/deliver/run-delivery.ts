import { Redactor } from "@timely-keys/sdk";
import { describeError } from "../errors.js";
import { SinkFailure } from "./failure.js";
import { DeliveryError, type DeliveryContext, type SecretValue, type Sink } from "./sink.js";

/** What a sink's body gets: the secret in the clear, a redactor to register tokens, a safe log. */
export interface DeliveryRun {
  secret: string;
  redactor: Redactor;
  log: (line: string) => void;
}

/**
 * Runs one delivery and turns whatever it throws into a DeliveryError naming the sink and the key,
 * with every known sensitive value masked out of the reason. Log lines are masked too, as a second
 * line of defence behind sinks that only ever log config values.
 */
export async function runDelivery(
  sink: Sink,
  secret: SecretValue,
  ctx: DeliveryContext,
  body: (run: DeliveryRun) => Promise<void>,
): Promise<void> {
  const clear = secret.reveal();
  const redactor = new Redactor([clear]);
  const log = (line: string) => ctx.log?.(redactor.redact(line));
  try {
    if (ctx.signal?.aborted) throw new SinkFailure("the run was cancelled before delivery started");
    await body({ secret: clear, redactor, log });
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    const failure =
      error instanceof SinkFailure
        ? error
        : new SinkFailure(describeError(error, { redactor }), { retryable: false, maybeDelivered: true });
    throw new DeliveryError({
      sinkType: sink.type,
      destination: sink.destination,
      entryId: ctx.entryId,
      keyId: ctx.keyId,
      keyName: ctx.keyName,
      reason: redactor.redact(failure.message),
      retryable: failure.retryable,
      maybeDelivered: failure.maybeDelivered,
    });
  }
}

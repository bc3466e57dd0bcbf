// The sinks' retry options, merged over the SDK's defaults in this one place. The policy itself
// (which attempts to repeat, how long to wait) is the SDK's `decideRetry`; the wait is its `sleep`.
import { DEFAULT_RETRY_SETTINGS, sleep, type RetrySettings, type Sleep } from "@timely-keys/sdk";
import type { DeliveryContext } from "./sink.js";

export interface DeliveryRetry {
  settings: RetrySettings;
  sleep: Sleep;
  random: () => number;
}

export function deliveryRetry(ctx: Pick<DeliveryContext, "retry" | "sleep" | "random">): DeliveryRetry {
  return {
    settings: { ...DEFAULT_RETRY_SETTINGS, ...ctx.retry },
    sleep: ctx.sleep ?? sleep,
    random: ctx.random ?? Math.random,
  };
}

export function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

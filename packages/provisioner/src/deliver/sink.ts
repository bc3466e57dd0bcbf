import type { RetrySettings, Sleep } from "@timely-keys/sdk";
import type { SinkType } from "./config.js";

/** Anything that can hand out the secret on request; the SDK's `Secret` class satisfies it. */
export interface SecretValue {
  reveal(): string;
}

/** What a sink needs to know about the run besides the secret itself. */
export interface DeliveryContext {
  workspace: string;
  entryId: string;
  keyName: string;
  keyId: string;
  /** File paths resolve against it. */
  manifestDir: string;
  /** Tokens are read from here by env var NAME; the manifest only ever names them. */
  env: NodeJS.ProcessEnv;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * How a failed store request (and, in deliverAll, a failed sink) is tried again: the SDK's retry
   * policy, these settings merged over its DEFAULT_RETRY_SETTINGS. `{ maxRetries: 0 }` never retries.
   */
  retry?: Partial<RetrySettings>;
  /** Waits between attempts; injectable for tests. Default: the SDK's `sleep`, cut short by `signal`. */
  sleep?: Sleep;
  /** The jitter source, a number in [0, 1); injectable for tests. Default: Math.random. */
  random?: () => number;
  /** Progress lines; never a secret. */
  log?: (line: string) => void;
}

export interface Sink {
  readonly type: SinkType;
  /** The same string `sinkDestination` gives for the sink's config. */
  readonly destination: string;
  /** Writes the secret; throws a DeliveryError when it could not. */
  deliver(secret: SecretValue, ctx: DeliveryContext): Promise<void>;
}

export interface DeliveryErrorInit {
  sinkType: SinkType;
  destination: string;
  entryId: string;
  keyId: string;
  keyName: string;
  /** Why it failed, already masked. */
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
  maybeDelivered?: boolean;
}

/**
 * A sink did not take the secret. The message names the sink and the key; it never holds the
 * secret or a token (every reason passes through the sink's redactor first). No `cause` is kept:
 * a library's error could carry a request body, and `util.inspect` prints causes.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly sinkType: SinkType;
  readonly destination: string;
  readonly entryId: string;
  readonly keyId: string;
  /** The masked reason alone, without the sink and key prefix. */
  readonly reason: string;
  /**
   * Running the sink again may succeed (a program's exit, a write race, a store not caught up):
   * deliverAll retries these. A store's 429/5xx or lost answer was already retried by the request.
   */
  readonly retryable: boolean;
  /** The service asked to wait this long before trying again (Retry-After). */
  readonly retryAfterMs: number | undefined;
  /**
   * The write may have reached the destination although it failed (no answer, a 5xx after the
   * request was sent, a program that read its input and then failed). A caller deciding whether
   * any consumer could hold the secret must count such a sink as having received it.
   */
  readonly maybeDelivered: boolean;

  constructor(init: DeliveryErrorInit) {
    super(
      `${init.sinkType} sink ${init.destination} did not receive key ${init.keyName} (${init.keyId}) ` +
        `of entry ${init.entryId}: ${init.reason}`,
    );
    this.sinkType = init.sinkType;
    this.destination = init.destination;
    this.entryId = init.entryId;
    this.keyId = init.keyId;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.maybeDelivered = init.maybeDelivered ?? false;
  }
}

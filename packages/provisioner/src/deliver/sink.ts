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

// A sink's failure is one of the provisioner's errors (src/errors.ts); sinks import it from here.
export { DeliveryError, type DeliveryErrorInit } from "../errors.js";

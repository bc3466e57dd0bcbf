/**
 * Thrown inside a sink to say why it failed. `runDelivery` turns it into a DeliveryError that
 * names the sink and the key; the reason is masked on the way.
 */
export class SinkFailure extends Error {
  override readonly name = "SinkFailure";
  /** Passing trouble outside HTTP (a program's exit, a race): deliverAll runs the sink again. */
  readonly retryable: boolean;
  readonly maybeDelivered: boolean;

  constructor(reason: string, options: { retryable?: boolean; maybeDelivered?: boolean } = {}) {
    super(reason);
    this.retryable = options.retryable ?? false;
    this.maybeDelivered = options.maybeDelivered ?? false;
  }
}

/** A failure of the sink's own settings or environment: trying again cannot help. */
export function configFailure(reason: string): SinkFailure {
  return new SinkFailure(reason, { retryable: false });
}

/** Reads a required env var by the name the manifest gave, without ever printing its value. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw configFailure(`environment variable ${name} (${what}) is not set`);
  }
  return value;
}

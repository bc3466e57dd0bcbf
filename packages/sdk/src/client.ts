// TimelyClient: wires options, transport, pacing and the typed openapi-fetch client together, and
// keeps the credential out of sight (private field, masked in inspect and JSON).

import createClient, { type Client, type Middleware } from "openapi-fetch";
import { ApiKeys, type RequestOptions } from "./api-keys.js";
import { MAX_RESPONSE_BYTES } from "./body-reader.js";
import { Caller } from "./caller.js";
import { expectData } from "./envelope.js";
import type { Health, Me, paths } from "@timely-keys/contract";
import { resolveOptions, type TimelyClientHooks, type TimelyClientOptions } from "./options.js";
import { Pacer } from "./pacing.js";
import { Redactor } from "./redact.js";
import { inspectCustom, maskSecret } from "./secret.js";
import { ServerClock } from "./server-clock.js";
import { sleep } from "./sleep.js";
import { Transport, type TransportStats } from "./transport.js";

export type ClientStats = Readonly<TransportStats>;

export class TimelyClient {
  /** Key management: list, create, get, update, activate, deactivate, revoke, usage. */
  readonly apiKeys: ApiKeys;
  /**
   * The openapi-fetch client for anything else in the contract, with the same base URL,
   * credential, retries, pacing and timeouts. It answers `{ data, error, response }`.
   */
  readonly raw: Client<paths>;
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #transport: Transport;
  readonly #clock: ServerClock;
  readonly #caller: Caller;

  constructor(options: TimelyClientOptions = {}, hooks: TimelyClientHooks = {}) {
    const resolved = resolveOptions(options);
    const now = hooks.now ?? (() => performance.now());
    const sleepFn = hooks.sleep ?? sleep;
    this.#apiKey = resolved.apiKey;
    this.#baseUrl = resolved.baseUrl;
    this.#clock = new ServerClock(now);
    const redactor = new Redactor([resolved.apiKey]);
    this.#transport = new Transport({
      apiKey: resolved.apiKey,
      userAgent: resolved.userAgent,
      timeoutMs: resolved.timeoutMs,
      retry: resolved.retry,
      maxResponseBytes: hooks.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      fetch: resolved.fetch,
      clock: this.#clock,
      pacer: resolved.pacing ? new Pacer(this.#clock, now, sleepFn, resolved.onPacingHold) : undefined,
      redactor,
      logger: resolved.logger,
      sleep: sleepFn,
      random: hooks.random ?? Math.random,
    });
    this.raw = createClient<paths>({
      baseUrl: resolved.baseUrl,
      fetch: this.#transport.fetch,
    });
    const middleware = trackMiddleware(this.raw);
    this.#caller = new Caller(this.#transport, redactor, () => middleware.length > 0);
    this.apiKeys = new ApiKeys(this.raw, this.#caller);
  }

  /** The base URL requests go to, without a trailing slash. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** Introspects the calling credential: workspace, scopes, permissions (or member and role). */
  async me(options: RequestOptions = {}): Promise<Me> {
    const answer = await this.#caller.ok(() => this.raw.GET("/v1/me", this.#caller.options(options.signal)));
    return expectData<Me>(answer.body, answer.response);
  }

  /** Service health (needs no credential). */
  async health(options: RequestOptions = {}): Promise<Health> {
    const answer = await this.#caller.ok(() => this.raw.GET("/v1/health", this.#caller.options(options.signal)));
    return expectData<Health>(answer.body, answer.response);
  }

  /**
   * The server's clock: the latest `Date` header plus the local (monotonic) time elapsed since.
   * Undefined until an answer carried one.
   */
  serverTime(): Date | undefined {
    const ms = this.#clock.nowMs();
    return ms === undefined ? undefined : new Date(ms);
  }

  /** Counts of HTTP attempts since construction (a snapshot). */
  get stats(): ClientStats {
    return { ...this.#transport.stats };
  }

  toJSON(): { baseUrl: string; apiKey: string } {
    return { baseUrl: this.#baseUrl, apiKey: maskSecret(this.#apiKey) };
  }

  [inspectCustom](): string {
    return (
      `TimelyClient { baseUrl: ${JSON.stringify(this.#baseUrl)}, apiKey: ` +
      `${JSON.stringify(maskSecret(this.#apiKey))} }`
    );
  }
}

/**
 * The middleware registered on `client` through its `use` and `eject`, kept up to date: the typed
 * methods hand middleware the same full Responses as before, and skip that work when there is none.
 */
function trackMiddleware(client: Client<paths>): readonly Middleware[] {
  const registered: Middleware[] = [];
  const { use, eject } = client;
  client.use = (...middleware) => {
    for (const one of middleware) {
      use(one);
      if (one) registered.push(one);
    }
  };
  client.eject = (...middleware) => {
    eject(...middleware);
    for (const one of middleware) {
      const index = registered.indexOf(one);
      if (index !== -1) registered.splice(index, 1);
    }
  };
  return registered;
}

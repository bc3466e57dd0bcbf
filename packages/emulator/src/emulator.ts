import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleApiRequest } from "./api-pipeline.js";
import { Clock } from "./clock.js";
import { ContractValidator, type Violation } from "./contract.js";
import { handleControlRequest, type ControlActions } from "./control.js";
import { EmulatorCore, type RequestLogEntry } from "./core.js";
import type { FaultConfig } from "./faults.js";
import { readBody, writeAnswer } from "./http-io.js";
import { deserializeStore, readStateFile, StateWriter } from "./persistence.js";
import { loadSeed, validateSeed, type Seed } from "./seed.js";
import { buildStore } from "./seeding.js";
import { dumpState, type StateDump } from "./state-dump.js";

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 (loopback). */
  host?: string;
  /** The world to start from: a seed object or the path of a YAML seed file. Default: no workspaces. */
  seed?: Seed | string;
  /** JSON state file: loaded when it exists (else built from the seed), rewritten atomically after changes. */
  state?: string;
  /** Requests per 60-second sliding window per credential; wins over the seed's rate_limit (default 100). */
  rateLimit?: number;
  /** Emulated time at start (time keeps flowing from there). Default: real time. */
  now?: Date | string;
  /** Validate every /v1 request and answer against the OpenAPI document (for tests). */
  validateContract?: boolean;
  /** Path of the OpenAPI document; default: @timely-keys/contract's openapi/timely-api-keys.yaml. */
  contractPath?: string;
  /** Remember every secret minted (and every seed-declared secret) for leak scanners. */
  recordSecrets?: boolean;
}

export interface EmulatorClock {
  now(): Date;
  /** Moves emulated time by `seconds` (may be negative); returns the new time. */
  advance(seconds: number): Date;
  set(date: Date | string): Date;
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections and writes the state file one last time. */
  close(): Promise<void>;
  readonly clock: EmulatorClock;
  readonly faults: { set(config: FaultConfig): FaultConfig; clear(): void };
  /** Back to the seed: keys, rate-limit windows, idempotency replays and faults. The clock goes back
   *  to its start setting (`now` option, else real time) unless `keepClock`. Logs are kept. */
  reset(options?: { keepClock?: boolean }): void;
  state(): StateDump;
  requests(): RequestLogEntry[];
  contractViolations(): Violation[];
  /** Throws unless started with recordSecrets: true. */
  mintedSecrets(): string[];
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed: Seed = typeof options.seed === "string" ? await loadSeed(options.seed) : validateSeed(options.seed ?? {});
  if (options.rateLimit !== undefined && !(Number.isInteger(options.rateLimit) && options.rateLimit >= 1)) {
    throw new Error("rateLimit must be an integer >= 1");
  }
  const clock = new Clock(options.now);
  const validator = options.validateContract ? await ContractValidator.load(options.contractPath) : undefined;
  const recordSecrets = options.recordSecrets === true;

  const seedWorld = (core?: EmulatorCore) =>
    buildStore(seed, {
      nowMs: clock.nowMs(),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      onKnownSecret: (secret) => core?.recordSecret(secret),
    });

  const saved = options.state ? await readStateFile(options.state) : undefined;
  if (saved && options.now === undefined) clock.setOffsetMs(saved.clock_offset_ms);
  const core = new EmulatorCore(
    saved ? deserializeStore(saved, options.rateLimit) : seedWorld(),
    clock,
    recordSecrets,
    validator,
  );
  if (!saved) for (const secret of seedSecrets(seed)) core.recordSecret(secret);
  if (options.state) {
    core.writer = new StateWriter(options.state, () => core.snapshot());
    if (!saved) {
      // A fresh state file exists as soon as the emulator answers.
      core.changed();
      await core.writer.flush();
    }
  }

  const reset = ({ keepClock = false }: { keepClock?: boolean } = {}) => {
    if (!keepClock) {
      if (options.now !== undefined) clock.set(options.now);
      else clock.setOffsetMs(0);
    }
    core.faults.clear();
    core.replaceStore(seedWorld(core));
  };
  const state = () => dumpState(core.store, clock);

  const server = createServer((req, res) => {
    void handleHttp(core, { reset, state }, req, res);
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await core.writer?.flush();
      })()),
    clock: {
      now: () => clock.now(),
      advance: (seconds) => {
        const now = clock.advance(seconds);
        core.changed();
        return now;
      },
      set: (date) => {
        const now = clock.set(date);
        core.changed();
        return now;
      },
    },
    faults: { set: (config) => core.faults.set(config), clear: () => core.faults.clear() },
    reset,
    state,
    requests: () => core.requestLog.map((entry) => ({ ...entry })),
    contractViolations: () => core.violations.map((v) => ({ ...v, problems: [...v.problems] })),
    mintedSecrets: () => core.mintedSecrets(),
  };
}

function seedSecrets(seed: Seed): string[] {
  return (seed.workspaces ?? []).flatMap((ws) => (ws.keys ?? []).flatMap((k) => (k.secret ? [k.secret] : [])));
}

async function handleHttp(
  core: EmulatorCore,
  actions: ControlActions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const url = new URL(`http://emulator${req.url ?? "/"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);
    if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
      handleControlRequest(core, actions, { req, res, requestId, method, pathname: url.pathname, bodyText: body.text });
      return;
    }
    await handleApiRequest(core, {
      req,
      res,
      requestId,
      method,
      pathname: url.pathname,
      query: url.searchParams,
      body,
    });
  } catch {
    if (!res.headersSent && !res.destroyed) {
      writeAnswer(
        res,
        500,
        { Date: core.clock.now().toUTCString(), "X-Request-Id": requestId },
        JSON.stringify({
          error: { code: "INTERNAL_ERROR", message: "Internal error", status: 500, request_id: requestId },
        }),
      );
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `port ${port} on ${host} is already in use`
            : `cannot listen on ${host}:${port} (${error.code ?? error.message})`,
        ),
      );
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

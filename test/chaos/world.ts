// A seeded emulator, a manifest folder and the built CLI pointed at both: the world the rotation,
// concurrency and chaos tests act on. Keys are read straight from the emulator's state (no fault,
// no rate limit, no usage accounting), with their markers parsed.
import { join } from "node:path";
import type { Emulator, Seed } from "@timely-keys/emulator";
import {
  parseMarker,
  plan,
  validateFile,
  type Desired,
  type Marker,
  type Plan,
  type PlanOptions,
} from "@timely-keys/provisioner";
import { runCli, transcript, type CliRun } from "../support/cli.js";
import type { FileSinkRef } from "../support/consumer.js";
import { OWNER_TOKEN, STAGING_TOKEN, secretsOf, startTestEmulator, testSeed } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

/** A file sink of one manifest entry; `path` relative to the manifest's folder. */
export interface EntrySink extends FileSinkRef {
  workspace: string;
  entryId: string;
}

export interface LiveKey {
  id: string;
  workspace: string;
  name: string;
  description: string;
  status: "active" | "inactive";
  scopes: string[];
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  deactivated_at: string | null;
  marker: Marker | null;
}

export interface WorldOptions {
  /** The file sinks the manifest declares (paths relative to its folder). */
  sinks: EntrySink[];
  seed?: Seed;
  /** Emulated time at start (default 2026-01-01). */
  now?: string;
  /** Requests per minute per credential (default: high enough never to throttle). */
  rateLimit?: number;
}

export class World {
  private constructor(
    readonly emulator: Emulator,
    readonly work: Workdir,
    /** Sinks with absolute paths. */
    readonly sinks: EntrySink[],
  ) {}

  static async start(manifest: string, options: WorldOptions): Promise<World> {
    const emulator = await startTestEmulator(options.seed ?? testSeed(), {
      rateLimit: options.rateLimit ?? 1_000_000,
      now: options.now ?? "2026-01-01T00:00:00Z",
    });
    const work = makeWorkdir(manifest);
    return new World(
      emulator,
      work,
      options.sinks.map((s) => ({ ...s, path: join(work.dir, s.path) })),
    );
  }

  get env(): NodeJS.ProcessEnv {
    return { TIMELY_API_URL: this.emulator.url, PROD_TOKEN: OWNER_TOKEN, STAGING_TOKEN };
  }

  /** Runs the CLI in the manifest's folder; `timeoutMs` SIGKILLs it (a runner losing power). */
  cli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
    return runCli(args, {
      env: { ...this.env, ...options.env },
      cwd: this.work.dir,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** Live keys (revoked ones are gone), optionally only those whose marker names `entryId`. */
  keys(entryId?: string): LiveKey[] {
    const keys = this.emulator.state().workspaces.flatMap((ws) =>
      ws.keys.map(
        (k) =>
          ({
            ...k,
            workspace: ws.name,
            description: k.description ?? "",
            marker: parseMarker(k.description ?? ""),
          }) as LiveKey,
      ),
    );
    return entryId === undefined ? keys : keys.filter((k) => k.marker?.entryId === entryId);
  }

  /** The entry's current key: the newest verified (current-phase) active key. */
  current(entryId: string): LiveKey | undefined {
    return this.keys(entryId)
      .filter((k) => k.status === "active" && k.marker?.phase === "current")
      .sort((a, b) => (a.marker?.generation ?? 0) - (b.marker?.generation ?? 0))
      .at(-1);
  }

  active(entryId: string): LiveKey[] {
    return this.keys(entryId).filter((k) => k.status === "active");
  }

  sink(entryId: string): EntrySink {
    const sink = this.sinks.find((s) => s.entryId === entryId);
    if (!sink) throw new Error(`no sink for ${entryId}`);
    return sink;
  }

  /**
   * What `timely-keys plan` would say now, computed in-process from the emulator's state (no
   * request, no subprocess): lets a harness see what the next run will do and what it waits for.
   */
  async planNow(options: PlanOptions = {}): Promise<Plan> {
    const desired = await this.loadDesired();
    const state = this.emulator.state();
    const live = {
      workspaces: state.workspaces.map((ws) => ({ name: ws.name, keys: ws.keys, serverNow: state.now })),
    };
    return plan(desired, live, new Date(state.now), options);
  }

  private async loadDesired(): Promise<Desired> {
    const result = await validateFile(this.work.manifest, { env: this.env, requireEnv: true });
    if (!result.desired) throw new Error(`the test manifest is invalid: ${JSON.stringify(result.diagnostics)}`);
    return result.desired;
  }

  /** Moves the emulated clock. */
  advance(seconds: number): void {
    this.emulator.clock.advance(seconds);
  }

  /**
   * Fails when any secret or token shows up in what the CLI printed or in a file it wrote outside
   * the sinks' targets, or when the emulator answered outside its contract; then stops everything.
   */
  async close(): Promise<void> {
    try {
      expectNoLeaks(
        {
          transcript: transcript.join("\n"),
          ...filesUnder(
            this.work.dir,
            this.sinks.map((s) => s.path),
          ),
        },
        secretsOf(this.emulator),
      );
      const violations = this.emulator.contractViolations().filter((v) => v.kind === "response");
      if (violations.length > 0)
        throw new Error(`the emulator answered outside its contract: ${JSON.stringify(violations.slice(0, 3))}`);
    } finally {
      await this.emulator.close();
      this.work.cleanup();
    }
  }
}

export const DAY = 86_400;
export const HOUR = 3_600;
export const MINUTE = 60;

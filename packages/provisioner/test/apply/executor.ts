// The executor's steps driven against the in-process emulator: a world with one workspace, a
// manifest in a temporary directory (file sinks), plans made from the live state, and the request log
// split by who sent each request (the management token, or a new key verifying itself).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulator, type Emulator, type RequestLogEntry } from "@timely-keys/emulator";
import { TimelyClient, type ApiKey } from "@timely-keys/sdk";
import type { WorkspaceExecution } from "../../src/apply/context.js";
import type { ApplyEvent, ApplyStep } from "../../src/apply/report.js";
import { parseManifest } from "../../src/load.js";
import { parseMarker, type Marker } from "../../src/marker.js";
import type { Plan, PlanAction, PlanOptions, PlanWorkspace } from "../../src/model.js";
import { readAndPlan } from "../../src/pipeline.js";
import { validate } from "../../src/validate.js";

export const TOKEN = "tkm_ExecutorTestsOwnerToken000000000000001";
export const TOKEN_ENV = "ACME_TOKEN";
export const OWNER = "member:Exec Owner";

export interface Entry {
  id: string;
  /** Sink file names, relative to the manifest's directory. */
  sinks: string[];
}

export function manifestYaml(entries: readonly Entry[]): string {
  const lines = ["version: 1", "workspaces:", "  - name: acme", `    tokenEnv: ${TOKEN_ENV}`, "    keys:"];
  for (const entry of entries) {
    lines.push(
      `      - id: ${entry.id}`,
      `        name: ${entry.id} key`,
      "        scopes: [read]",
      "        deliver:",
    );
    for (const sink of entry.sinks) lines.push(`          - { type: file, path: ./${sink} }`);
  }
  return `${lines.join("\n")}\n`;
}

/** A recorded afterStep call; the hook throws `Crash` at `crashAfter`, as a killed runner would stop. */
export class Crash extends Error {}

/** One world per test file: started before its tests, reset before each test, closed after them. */
export function useWorld(): World {
  const world = new World();
  beforeAll(() => world.start());
  beforeEach(() => world.reset());
  afterAll(() => world.close());
  return world;
}

export class World {
  dir = "";
  #emulator: Emulator | undefined;

  get emulator(): Emulator {
    if (!this.#emulator) throw new Error("the world is not started: call useWorld() at the top of the test file");
    return this.#emulator;
  }

  async start(): Promise<void> {
    this.#emulator = await startEmulator({
      seed: { workspaces: [{ name: "acme", members: [{ name: "Exec Owner", role: "owner", token: TOKEN }] }] },
      validateContract: true,
      rateLimit: 100_000,
    });
  }

  /** Fresh keys, faults off, a new directory; the clock keeps running from the real time. */
  reset(): void {
    this.emulator.reset();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = mkdtempSync(join(tmpdir(), "timely-keys-executor-"));
  }

  async close(): Promise<void> {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    await this.#emulator?.close();
  }

  /** No retries: a fault is seen by the step under test, never hidden by the SDK. */
  client(apiKey = TOKEN): TimelyClient {
    return new TimelyClient({ apiKey, baseUrl: this.emulator.url, maxRetries: 0 });
  }

  async plan(
    entries: readonly Entry[],
    options: Pick<PlanOptions, "forceRotate" | "compromised" | "revokeFirst"> = {},
  ): Promise<Plan> {
    const desired = validate(parseManifest(manifestYaml(entries), join(this.dir, "timely-keys.yaml"))).desired;
    if (!desired) throw new Error("test manifest is invalid");
    const client = this.client();
    const env = { [TOKEN_ENV]: TOKEN };
    return (await readAndPlan(desired, () => client, { workspaces: [], targets: [] }, options, env)).plan;
  }

  /** The execution context apply builds for a workspace, with the afterStep hook recording steps. */
  async execution(
    workspace: PlanWorkspace,
    crashAfter?: ApplyStep,
    onEvent: (event: ApplyEvent) => void = () => {},
  ): Promise<WorkspaceExecution & { steps: string[] }> {
    const client = this.client();
    // Asked once per workspace and run (apply does so before any action), outside every measure here.
    const workspaceId = (await client.me()).workspace_id;
    const steps: string[] = [];
    return {
      workspace,
      client,
      probe: (secret) => this.client(secret),
      workspaceId: async () => workspaceId,
      manifestDir: this.dir,
      env: {},
      emit: onEvent,
      onSecret: () => {},
      afterStep: (_action, step, keyId) => {
        steps.push(`${step} ${keyId}`);
        if (step === crashAfter) throw new Crash(`crashed after ${step}`);
      },
      steps,
    };
  }

  keys(): ApiKey[] {
    return this.emulator.state().workspaces[0]?.keys ?? [];
  }

  key(id: string): (ApiKey & { marker: Marker | null }) | undefined {
    const key = this.keys().find((k) => k.id === id);
    return key && { ...key, marker: parseMarker(key.description) };
  }

  /** The secret a file sink holds (`TIMELY_API_KEY=...`), or undefined when it was never written. */
  sinkSecret(name: string): string | undefined {
    try {
      return /TIMELY_API_KEY=(\S+)/.exec(readFileSync(join(this.dir, name), "utf8"))?.[1];
    } catch {
      return undefined;
    }
  }

  /** Requests logged from now on, for `since`. */
  mark(): number {
    return this.emulator.requests().length;
  }

  /**
   * `METHOD /path` of the requests since `mark`, by principal: no query, key ids written as their
   * name in `names` or else as `:id`.
   */
  requestsSince(
    mark: number,
    names: Record<string, string> = {},
  ): { token: string[]; keys: string[]; all: RequestLogEntry[] } {
    const all = this.emulator.requests().slice(mark);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    const line = (e: RequestLogEntry) =>
      `${e.method} ${(e.path.split("?")[0] ?? "").replace(uuid, (id) => (names[id] ? `:${names[id]}` : ":id"))}`;
    return {
      token: all.filter((e) => e.principal === OWNER).map(line),
      keys: all.filter((e) => e.principal.startsWith("key:")).map(line),
      all,
    };
  }
}

/** The plan's one action of this kind (throws when there are none or several). */
export function only<T extends PlanAction = PlanAction>(plan: Plan, kind: PlanAction["kind"]): T {
  const found = plan.workspaces.flatMap((w) => w.actions).filter((a) => a.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} action, found ${found.length}`);
  return found[0] as T;
}

export function kinds(plan: Plan): string[] {
  return plan.workspaces.flatMap((w) => w.actions).map((a) => a.kind);
}

export const DAY_SECONDS = 86_400;

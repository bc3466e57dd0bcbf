// Several `apply` processes started at once on the same manifest: creates carry idempotency keys
// derived from (workspace, entry, generation), so they converge on one key per entry and one
// successor per rotation, never a duplicate; a run that finds a successor another run is still
// delivering leaves it alone. Every batch is bracketed by the chaos invariants.
import { afterAll, describe, expect, it } from "vitest";
import type { CliRun } from "../support/cli.js";
import { readSinkSecret } from "../support/consumer.js";
import { crmEntry, entry, fileSink, manifestYaml } from "../support/manifest.js";
import { Observer } from "../chaos/invariants.js";
import { DAY, MINUTE, World } from "../chaos/world.js";

const manifest = manifestYaml({
  keys: [
    crmEntry(),
    entry("pipeline", {
      name: "Data Pipeline",
      scopes: ["read", "analytics"],
      expiresInDays: 120,
      deliver: [
        fileSink("./secrets/pipeline.json", { format: "json", variable: "apiKey" }),
        fileSink("./secrets/pipeline.key", { format: "raw" }),
      ],
    }),
  ],
});
const sinks = [
  { workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" },
  {
    workspace: "acme-prod",
    entryId: "pipeline",
    path: "secrets/pipeline.json",
    format: "json" as const,
    variable: "apiKey",
  },
  { workspace: "acme-prod", entryId: "pipeline", path: "secrets/pipeline.key", format: "raw" as const },
];
const entries = ["crm", "pipeline"];

const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds) await world.close();
});

async function startWorld(): Promise<{ world: World; observer: Observer }> {
  const world = await World.start(manifest, { sinks });
  worlds.push(world);
  return { world, observer: new Observer(world) };
}

/**
 * `count` applies started at once, checked as one step. With `race`, listing and creating keys are
 * slowed down (1.5 s each) so that the runs really race: each reads the workspace before any of
 * them created anything, and each sends its create.
 */
async function together(
  observer: Observer,
  at: string,
  count: number,
  race = true,
): Promise<{ runs: CliRun[]; creates: number }> {
  const world = observer.world;
  const seen = observer.history.length;
  const { result, violations } = await observer.around(
    at,
    () => Promise.all(Array.from({ length: count }, () => world.cli(["apply", "--auto-approve"]))),
    race
      ? {
          start: () => world.emulator.faults.set({ latency_ms: 1500, paths: "^/v1/api-keys$" }),
          stop: () => world.emulator.faults.clear(),
        }
      : {},
  );
  expect(violations, result.map((r) => r.stdout + r.stderr).join("\n----\n")).toEqual([]);
  const creates = observer.history.slice(seen).filter((e) => e.method === "POST" && e.path === "/v1/api-keys").length;
  return { runs: result, creates };
}

/** One live key per generation, `generation` the newest, current, active and held by every sink. */
function expectOneKeyPerGeneration(world: World, observer: Observer, generation: number): void {
  for (const entryId of entries) {
    const keys = world.keys(entryId);
    const generations = keys.map((k) => k.marker?.generation).sort();
    expect(new Set(generations).size, `${entryId}: ${keys.map((k) => k.description).join(", ")}`).toBe(keys.length);
    const current = world.current(entryId);
    expect(current?.marker?.generation).toBe(generation);
    for (const sink of world.sinks.filter((s) => s.entryId === entryId)) {
      expect(observer.keyIdOf(readSinkSecret(sink))).toBe(current?.id);
    }
  }
}

describe.each([2, 5])("%i applies at once", (count) => {
  it("create one key per entry from nothing, and the next plan is empty", async () => {
    const { world, observer } = await startWorld();
    const { runs, creates } = await together(observer, `${count} creates`, count);
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
    // More creates were sent than keys exist: the idempotency key made the API replay the first.
    expect(creates).toBeGreaterThan(entries.length);
    expectOneKeyPerGeneration(world, observer, 1);
    expect(world.keys()).toHaveLength(entries.length);
    expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
  }, 120_000);

  it("rotate each entry to one successor, then drain to exactly one active key", async () => {
    const { world, observer } = await startWorld();
    expect((await observer.around("create", () => world.cli(["apply", "--auto-approve"]))).violations).toEqual([]);
    world.advance(91 * DAY);
    const { runs, creates } = await together(observer, `${count} rotations`, count);
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(creates).toBeGreaterThan(entries.length);
    expectOneKeyPerGeneration(world, observer, 2);
    for (const entryId of entries) expect(world.keys(entryId)).toHaveLength(2);

    // The retirements, also all at once.
    world.advance(DAY + MINUTE);
    await together(observer, `${count} deactivations`, count, false);
    world.advance(7 * DAY + MINUTE);
    await together(observer, `${count} revocations`, count, false);
    for (const entryId of entries) expect(world.keys(entryId).map((k) => k.id)).toEqual([world.current(entryId)?.id]);
    expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
  }, 180_000);
});

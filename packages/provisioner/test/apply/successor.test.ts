// The executor's create / rotate step (apply/successor.ts) against the in-process emulator: which
// requests each new key costs, what every failure leaves behind, and what the next plan makes of it.
// The management token pays for two requests per new key (create, promote); the two GET /v1/me are
// the new key's own. A third token request on the happy path fails these tests.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TimelyError } from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import { apply } from "../../src/apply.js";
import type { ApplyStep } from "../../src/apply/report.js";
import { runSuccessor } from "../../src/apply/successor.js";
import { StepError } from "../../src/errors.js";
import { withMarker } from "../../src/marker.js";
import type { CreateAction, RotateAction } from "../../src/model.js";
import { Crash, DAY_SECONDS, type Entry, kinds, only, useWorld, type World } from "./executor.js";

const LEASE_SECONDS = 600;
const CREATE_AND_PROMOTE = ["POST /v1/api-keys", "PATCH /v1/api-keys/:id"];

const world = useWorld();

const crm: Entry = { id: "crm", sinks: ["crm.env"] };

/** Plans the entry's first key and runs the create step (crashing after `crashAfter`, if given). */
async function createKey(entry: Entry = crm, crashAfter?: ApplyStep) {
  const plan = await world.plan([entry]);
  const action = only<CreateAction>(plan, "create");
  const run = await world.execution(plan.workspaces[0]!, crashAfter);
  const mark = world.mark();
  const outcome = await runSuccessor(action, run).then(
    (keyId) => ({ keyId, error: undefined }),
    (error: unknown) => ({ keyId: undefined, error }),
  );
  return { ...outcome, action, run, requests: world.requestsSince(mark) };
}

/** The id of the one key the entry has now (after a create). */
function onlyKeyId(): string {
  const keys = world.keys();
  expect(keys).toHaveLength(1);
  return keys[0]!.id;
}

/** Keys any operation of the plan touches. */
function touched(plan: Awaited<ReturnType<World["plan"]>>): string[] {
  return plan.workspaces.flatMap((w) => w.actions.flatMap((a) => a.operations.map((op) => `${op.op} ${op.keyId}`)));
}

describe("a create", () => {
  it("costs the token 2 requests: create (already delivering) and promote; the key verifies itself twice", async () => {
    const { keyId, error, run, requests } = await createKey({ id: "crm", sinks: ["a.env", "b.env"] });
    expect(error).toBeUndefined();
    expect(requests.token).toEqual(CREATE_AND_PROMOTE);
    // Verify before any sink, and again once every sink has it: requests of the new key, not the token.
    expect(requests.keys).toEqual(["GET /v1/me", "GET /v1/me"]);
    expect(requests.all.filter((e) => e.principal.startsWith("key:")).map((e) => e.principal)).toEqual([
      `key:${keyId}`,
      `key:${keyId}`,
    ]);
    expect(run.steps).toEqual([`create ${keyId}`, `deliver ${keyId}`, `verify ${keyId}`, `promote ${keyId}`]);
    expect(world.key(keyId!)?.marker).toMatchObject({ entryId: "crm", generation: 1, phase: "current" });
    expect(world.sinkSecret("a.env")).toMatch(/^tml_/);
    expect(world.sinkSecret("b.env")).toBe(world.sinkSecret("a.env"));
  });

  it("apply of 5 new entries: one GET /v1/me for the run, then 2 token requests per key", async () => {
    const entries = ["a", "b", "c", "d", "e"].map((id) => ({ id, sinks: [`${id}.env`] }));
    const plan = await world.plan(entries);
    const mark = world.mark();
    const report = await apply(plan, { clients: () => world.client(), env: {}, concurrency: 2 });
    expect(report.ok).toBe(true);
    const { token } = world.requestsSince(mark);
    expect(token.filter((r) => r === "GET /v1/me")).toHaveLength(1);
    expect(token.filter((r) => r !== "GET /v1/me")).toHaveLength(2 * entries.length);
    expect(token.filter((r) => r === "POST /v1/api-keys")).toHaveLength(entries.length);
    expect(world.keys().map((k) => world.key(k.id)?.marker?.phase)).toEqual(Array(5).fill("current"));
  });
});

describe("a rotation", () => {
  it("costs the token 2 requests for the new key; the old one stays active and current until it drains", async () => {
    const first = await createKey();
    const firstSecret = world.sinkSecret("crm.env");
    world.emulator.clock.advance(91 * DAY_SECONDS);
    const plan = await world.plan([crm]);
    const rotate = only<RotateAction>(plan, "rotate");
    expect(rotate.reason).toBe("max_age");
    const run = await world.execution(plan.workspaces[0]!);
    const mark = world.mark();
    const keyId = await runSuccessor(rotate, run);
    const requests = world.requestsSince(mark, { [first.keyId!]: "old", [keyId]: "new" });
    expect(requests.token).toEqual(["POST /v1/api-keys", "PATCH /v1/api-keys/:new"]);
    expect(requests.keys).toEqual(["GET /v1/me", "GET /v1/me"]);
    expect(world.key(keyId)?.marker).toMatchObject({ generation: 2, phase: "current" });
    expect(world.key(first.keyId!)).toMatchObject({ status: "active", marker: { generation: 1, phase: "current" } });
    expect(world.sinkSecret("crm.env")).not.toBe(firstSecret);
    // The sink now holds the new key: its secret answers as the new key.
    const me = await world.client(world.sinkSecret("crm.env")).me();
    expect(me.key_id).toBe(keyId);
    expect(kinds(await world.plan([crm]))).toEqual(["drain"]);
  });
});

describe("a run that stops after a step (the crash hook)", () => {
  it.each(["create", "deliver", "verify"] as const)(
    "after %s: the successor is delivering; the next run waits out the lease, then drains it instead of revoking it",
    async (step) => {
      const { error } = await createKey(crm, step);
      expect(error).toBeInstanceOf(Crash);
      const keyId = onlyKeyId();
      // Never `pending`: from its create on, a sink may hold it.
      expect(world.key(keyId)).toMatchObject({
        status: "active",
        marker: { phase: "delivering", progress: { done: 0, total: 1 } },
      });
      expect(world.sinkSecret("crm.env") !== undefined).toBe(step !== "create");

      expect(kinds(await world.plan([crm]))).toEqual(["in-flight"]);
      world.emulator.clock.advance(LEASE_SECONDS + 1);
      const next = await world.plan([crm]);
      // Safe after a crash right after the create too: the key is never revoked unannounced; it waits
      // for a newer verified key and drains.
      expect(kinds(next)).toEqual(["create"]);
      expect(only<CreateAction>(next, "create")).toMatchObject({ reason: "successor_abandoned" });
      expect(only<CreateAction>(next, "create").successor.generation).toBe(2);
      expect(touched(next)).toEqual([]);

      // The next run makes #2; the never-promoted #1 drains and goes at the end of the drain window
      // (24h: nothing used it after #2 was promoted), not at the longest grace (7d).
      const run = await world.execution(next.workspaces[0]!);
      const second = await runSuccessor(only<CreateAction>(next, "create"), run);
      expect(world.key(second)?.marker).toMatchObject({ generation: 2, phase: "current" });
      expect(kinds(await world.plan([crm]))).toEqual(["drain"]);
      world.emulator.clock.advance(DAY_SECONDS + 60);
      const drained = await world.plan([crm]);
      expect(kinds(drained)).toEqual(["deactivate-previous"]);
      expect(touched(drained)).toEqual([`deactivate ${keyId}`]);
    },
  );

  it("after promote: the key is current and nothing is left to do", async () => {
    const { error } = await createKey(crm, "promote");
    expect(error).toBeInstanceOf(Crash);
    expect(world.key(onlyKeyId())?.marker).toMatchObject({ phase: "current" });
    expect(kinds(await world.plan([crm]))).toEqual([]);
  });
});

describe("failures this run sees", () => {
  it("verify fails before delivery: the key is revoked and no sink gets it", async () => {
    const plan = await world.plan([crm]);
    const run = await world.execution(plan.workspaces[0]!);
    world.emulator.faults.set({ error_rates: { "500": 1 }, paths: "^/v1/me$", when: "before" });
    const mark = world.mark();
    const error = await runSuccessor(only<CreateAction>(plan, "create"), run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toMatch(/^verify: GET \/v1\/me with the new key \S+ failed \(500 /);
    expect((error as Error).message).toContain("no sink had it, so it was revoked; the current key is untouched");
    expect(world.requestsSince(mark).token).toEqual(["POST /v1/api-keys", "DELETE /v1/api-keys/:id"]);
    expect(world.keys()).toEqual([]);
    expect(world.sinkSecret("crm.env")).toBeUndefined();
  });

  it("verify finds the wrong scopes before delivery: revoked", async () => {
    const plan = await world.plan([crm]);
    const action = only<CreateAction>(plan, "create");
    const run = await world.execution(plan.workspaces[0]!);
    const wrong = {
      ...action,
      successor: { ...action.successor, verify: { ...action.successor.verify, scopes: ["write" as const] } },
    };
    const error = await runSuccessor(wrong, run).catch((e: unknown) => e);
    expect((error as Error).message).toContain("failed its check (scopes are read, the manifest says write)");
    expect(world.keys()).toEqual([]);
    expect(world.sinkSecret("crm.env")).toBeUndefined();
  });

  it("no sink received it: revoked, and the next plan simply creates again", async () => {
    mkdirSync(join(world.dir, "crm.env"));
    const { error, requests } = await createKey();
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toMatch(
      /no sink received key \S+, so it was revoked and the current key is untouched$/,
    );
    expect(requests.token).toEqual(["POST /v1/api-keys", "DELETE /v1/api-keys/:id"]);
    expect(requests.keys).toEqual(["GET /v1/me"]);
    expect(world.keys()).toEqual([]);
  });

  it("partial delivery: marked `delivering 1/2 failed`, left active, and the next run goes on at once", async () => {
    mkdirSync(join(world.dir, "b.env"));
    const entry = { id: "crm", sinks: ["a.env", "b.env"] };
    const { error, requests } = await createKey(entry);
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toMatch(/key #1 \(\S+\) is in file:.*a\.env/);
    expect((error as Error).message).toContain("It stays active and drains later");
    const keyId = onlyKeyId();
    expect(world.key(keyId)).toMatchObject({
      status: "active",
      marker: { phase: "delivering", progress: { done: 1, total: 2 }, failed: true },
    });
    expect(requests.token).toEqual(["POST /v1/api-keys", "PATCH /v1/api-keys/:id"]);
    expect(world.sinkSecret("a.env")).toMatch(/^tml_/);
    // No lease to wait out (the run said it stopped): a newer key now, this one drains.
    const next = await world.plan([entry]);
    expect(kinds(next)).toEqual(["create"]);
    expect(touched(next)).toEqual([]);
  });

  it("promote fails: it stays active and delivering, never revoked; the next run replaces it", async () => {
    const plan = await world.plan([crm]);
    const run = await world.execution(plan.workspaces[0]!);
    // Only the promote is a request on /v1/api-keys/{id} in a successful create.
    world.emulator.faults.set({ error_rates: { "500": 1 }, paths: "^/v1/api-keys/[^/]+$", when: "before" });
    const mark = world.mark();
    const error = await runSuccessor(only<CreateAction>(plan, "create"), run).catch((e: unknown) => e);
    world.emulator.faults.clear();
    expect(error).toBeInstanceOf(TimelyError);
    expect(world.requestsSince(mark).token).toEqual(CREATE_AND_PROMOTE);
    const keyId = onlyKeyId();
    expect(world.key(keyId)).toMatchObject({
      status: "active",
      marker: { phase: "delivering", progress: { done: 0, total: 1 } },
    });
    expect((await world.client(world.sinkSecret("crm.env")).me()).key_id).toBe(keyId);
    expect(kinds(await world.plan([crm]))).toEqual(["in-flight"]);
    world.emulator.clock.advance(LEASE_SECONDS + 1);
    const next = await world.plan([crm]);
    expect(kinds(next)).toEqual(["create"]);
    expect(touched(next)).toEqual([]);
  });
});

describe("keys made elsewhere", () => {
  it("a plan saved by an earlier version (create `pending`) is marked delivering before the first sink", async () => {
    const plan = await world.plan([crm]);
    const action = only<CreateAction>(plan, "create");
    const spec = action.successor;
    const legacy: CreateAction = {
      ...action,
      successor: {
        ...spec,
        create: {
          ...spec.create,
          description: withMarker(spec.userDescription, { entryId: "crm", generation: 1, phase: "pending" }),
        },
      },
    };
    const phases: string[] = [];
    const run = await world.execution(plan.workspaces[0]!, undefined, (event) => {
      // The moment the executor turns to the sinks, the live key must already say `delivering`.
      if (event.type === "step" && event.step === "deliver" && event.message?.startsWith("delivering to")) {
        phases.push(world.key(onlyKeyId())?.marker?.phase ?? "none");
      }
    });
    const mark = world.mark();
    await runSuccessor(legacy, run);
    expect(phases).toEqual(["delivering"]);
    expect(world.requestsSince(mark).token).toEqual([
      "POST /v1/api-keys",
      "PATCH /v1/api-keys/:id",
      "PATCH /v1/api-keys/:id",
    ]);
  });

  it("a replayed create (another run made the key) is not revoked when verify fails before delivery", async () => {
    const first = await createKey(crm, "create");
    expect(first.error).toBeInstanceOf(Crash);
    const keyId = onlyKeyId();
    const run = await world.execution(first.run.workspace);
    world.emulator.faults.set({ error_rates: { "500": 1 }, paths: "^/v1/me$", when: "before" });
    const mark = world.mark();
    const error = await runSuccessor(first.action, run).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`key ${keyId} was made by another run`);
    expect(world.requestsSince(mark).token).toEqual(["POST /v1/api-keys", "GET /v1/api-keys/:id"]);
    expect(world.key(keyId)).toMatchObject({ status: "active", marker: { phase: "delivering" } });
  });
});

describe("an emergency rotation (rotate --compromised)", () => {
  it.each([false, true])(
    "revoke-first %s: the old key is marked first and revoked once the new key is promoted; the new key still costs 2",
    async (revokeFirst) => {
      const first = await createKey();
      const oldId = first.keyId!;
      const plan = await world.plan([crm], { compromised: ["crm"], revokeFirst });
      const rotate = only<RotateAction>(plan, "rotate");
      expect(rotate.emergency).toEqual({ keyId: oldId, revokeFirst });
      const run = await world.execution(plan.workspaces[0]!);
      const mark = world.mark();
      const newId = await runSuccessor(rotate, run);
      const { token } = world.requestsSince(mark, { [oldId]: "old", [newId]: "new" });
      const markOld = "PATCH /v1/api-keys/:old";
      const deactivate = "POST /v1/api-keys/:old/deactivate";
      expect(token).toEqual([
        markOld,
        ...(revokeFirst ? [deactivate] : []),
        "POST /v1/api-keys",
        "PATCH /v1/api-keys/:new",
        ...(revokeFirst ? [] : [deactivate]),
        "DELETE /v1/api-keys/:old",
      ]);
      expect(world.keys().map((k) => k.id)).toEqual([newId]);
      expect((await world.client(world.sinkSecret("crm.env")).me()).key_id).toBe(newId);
    },
  );
});

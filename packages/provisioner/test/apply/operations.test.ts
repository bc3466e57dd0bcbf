// The executor's actions on existing keys (apply/operations.ts) against the in-process emulator:
// retiring a previous key re-reads its successor first and refuses unless that successor is an
// active, verified key of a newer generation; each operation is one request.
import { describe, expect, it } from "vitest";
import { runOperations } from "../../src/apply/operations.js";
import { runSuccessor } from "../../src/apply/successor.js";
import { StepError } from "../../src/errors.js";
import type { CreateAction, PreviousKeyAction, RotateAction } from "../../src/model.js";
import { DAY_SECONDS, type Entry, kinds, only, useWorld } from "./executor.js";

const world = useWorld();

const crm: Entry = { id: "crm", sinks: ["crm.env"] };

/** Key #1, rotated to #2; returns both ids. */
async function rotated(): Promise<{ oldId: string; newId: string }> {
  const first = await world.plan([crm]);
  const oldId = await runSuccessor(only<CreateAction>(first, "create"), await world.execution(first.workspaces[0]!));
  world.emulator.clock.advance(91 * DAY_SECONDS);
  const second = await world.plan([crm]);
  const newId = await runSuccessor(only<RotateAction>(second, "rotate"), await world.execution(second.workspaces[0]!));
  return { oldId, newId };
}

describe("retiring a previous key", () => {
  it("deactivate, then revoke after the quarantine: each re-reads the successor, then acts (2 requests)", async () => {
    const { oldId, newId } = await rotated();
    const names = { [oldId]: "old", [newId]: "new" };
    world.emulator.clock.advance(DAY_SECONDS + 60);
    const drained = await world.plan([crm]);
    const deactivate = only<PreviousKeyAction>(drained, "deactivate-previous");
    expect(deactivate).toMatchObject({ keyId: oldId, currentKeyId: newId });
    const run = await world.execution(drained.workspaces[0]!);
    let mark = world.mark();
    await runOperations(deactivate, run);
    expect(world.requestsSince(mark, names).token).toEqual([
      "GET /v1/api-keys/:new",
      "POST /v1/api-keys/:old/deactivate",
    ]);
    expect(run.steps).toEqual([`deactivate ${oldId}`]);
    expect(world.key(oldId)?.status).toBe("inactive");

    world.emulator.clock.advance(7 * DAY_SECONDS + 60);
    const quarantined = await world.plan([crm]);
    const revoke = only<PreviousKeyAction>(quarantined, "revoke-previous");
    const later = await world.execution(quarantined.workspaces[0]!);
    mark = world.mark();
    await runOperations(revoke, later);
    expect(world.requestsSince(mark, names).token).toEqual(["GET /v1/api-keys/:new", "DELETE /v1/api-keys/:old"]);
    expect(world.keys().map((k) => k.id)).toEqual([newId]);
    expect(kinds(await world.plan([crm]))).toEqual([]);

    // A revoke of a key that is already gone (a concurrent run did it) meets the goal: no error.
    await expect(runOperations(revoke, later)).resolves.toBeUndefined();
  });

  it("refuses, with no retiring request, when the successor is no longer an active verified key", async () => {
    const { oldId, newId } = await rotated();
    world.emulator.clock.advance(DAY_SECONDS + 60);
    const drained = await world.plan([crm]);
    const deactivate = only<PreviousKeyAction>(drained, "deactivate-previous");
    const run = await world.execution(drained.workspaces[0]!);

    // The successor was deactivated meanwhile (by hand, or by another run).
    await world.client().apiKeys.deactivate(newId);
    let mark = world.mark();
    let error = await runOperations(deactivate, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toMatch(
      /^refusing to retire key \S+: its successor \S+ is not an active, verified key/,
    );
    expect(world.requestsSince(mark).token).toEqual(["GET /v1/api-keys/:id"]);
    expect(world.key(oldId)?.status).toBe("active");

    // A stale plan naming a key that is not verified (a delivering successor) as the successor.
    await world.client().apiKeys.activate(newId);
    await world.client().apiKeys.update(newId, { description: "[tk:crm#2 delivering 0/1]" });
    mark = world.mark();
    error = await runOperations(deactivate, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(world.requestsSince(mark).token).toEqual(["GET /v1/api-keys/:id"]);

    // The successor is gone altogether.
    await world.client().apiKeys.revoke(newId);
    error = await runOperations(deactivate, run).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/its successor \S+ no longer exists; plan again$/);
    expect(world.key(oldId)?.status).toBe("active");
  });
});

// The invariant checks must be able to fail: each breach is staged by hand through the management
// API (what a buggy run could do) and the observer has to name it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliRun } from "../support/cli.js";
import { readSinkSecret } from "../support/consumer.js";
import { OWNER_TOKEN } from "../support/emulator.js";
import { manifestYaml } from "../support/manifest.js";
import { Observer, type InvariantName } from "./invariants.js";
import { MINUTE, World } from "./world.js";

// acme-prod holding crm: CRM Integration, read and conversations, 120 days, ./secrets/crm.env.
const manifest = manifestYaml();

let world: World;
let observer: Observer;

async function admin(path: string, init: { method: string; body?: unknown }): Promise<{ data: { id: string } }> {
  const answer = await fetch(`${world.emulator.url}${path}`, {
    method: init.method,
    headers: { "x-api-key": OWNER_TOKEN, "content-type": "application/json" },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return (await answer.json()) as { data: { id: string } };
}

async function violationsAfter(tamper: () => Promise<unknown>, clean = false): Promise<InvariantName[]> {
  const before = observer.snapshot();
  const startedAt = world.emulator.clock.now().getTime();
  await tamper();
  const found = await observer.checkRun({ at: "tampered", startedAt, before, clean });
  return [...found, ...(await observer.consumers("tampered"))].map((v) => v.invariant);
}

beforeAll(async () => {
  world = await World.start(manifest, { sinks: [{ workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" }] });
  observer = new Observer(world);
  const { result, violations } = await observer.around("create", () => world.cli(["apply", "--auto-approve"]));
  expect(result.code).toBe(0);
  expect(violations).toEqual([]);
});

afterAll(async () => {
  await world.close();
});

describe("the invariant checks", () => {
  it("name a secret a run printed", async () => {
    const [secret] = world.emulator.mintedSecrets();
    const printed: CliRun = { code: 0, signal: null, stdout: `here it is: ${secret}\n`, stderr: "" };
    const { violations } = await observer.around("leaky run", async () => printed);
    expect(violations.map((v) => v.invariant)).toEqual(["secret-leak"]);
    expect(violations[0]?.detail).not.toContain(secret);
  });

  it("name a second key of the same generation, verified and active but held by no sink", async () => {
    const found = await violationsAfter(() =>
      admin("/v1/api-keys", {
        method: "POST",
        body: { name: "CRM Integration", description: "[tk:crm#1 @1767225600]", scopes: ["read", "conversations"] },
      }),
    );
    expect(found).toContain("one-current-one-successor");
    expect(found).toContain("undelivered-active-key");
  });

  it("name an abandoned pending successor a clean run left active", async () => {
    await admin("/v1/api-keys", {
      method: "POST",
      body: { name: "CRM Integration", description: "[tk:crm#7 pending]", scopes: ["read", "conversations"] },
    });
    world.advance(11 * MINUTE);
    // As if a clean apply had run now and done nothing about it.
    const found = await violationsAfter(async () => {}, true);
    expect(found).toContain("undelivered-active-key");
  });

  it("name the deactivation of a delivered key without a verified successor, and the consumer's 401", async () => {
    const delivered = observer.keyIdOf(readSinkSecret(world.sink("crm")));
    expect(delivered).toBeDefined();
    const found = await violationsAfter(() => admin(`/v1/api-keys/${delivered}/deactivate`, { method: "POST" }));
    expect(found).toContain("retired-before-verified");
    expect(found).toContain("consumer-401");
  });
});

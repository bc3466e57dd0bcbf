// Incident response end to end (issue 15): `rotate --compromised [--revoke-first]`, crashes in the
// middle of an emergency, probes, and failed deliveries that the next run takes over at once. The
// built CLI as a subprocess, the emulator over HTTP, consumers reading the file sinks; every run
// but the revoke-first ones is bracketed by the chaos invariants (test/chaos/invariants.ts).
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliRun } from "../support/cli.js";
import { callWithSecret, Consumer, readSinkSecret } from "../support/consumer.js";
import { crmEntry, type EntryFields, fileSink, manifestYaml } from "../support/manifest.js";
import { Observer } from "../chaos/invariants.js";
import { DAY, MINUTE, World } from "../chaos/world.js";

const SLOW = 180_000;

const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds) await world.close();
});

async function startWorld(manifest: string): Promise<{ world: World; observer: Observer }> {
  const world = await World.start(manifest, {
    sinks: [{ workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" }],
  });
  worlds.push(world);
  return { world, observer: new Observer(world) };
}

async function checked(observer: Observer, at: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const { result, violations } = await observer.around(at, () => observer.world.cli(args, { env }));
  expect(violations, `${at}\n${result.stdout}${result.stderr}`).toEqual([]);
  return result;
}

/** acme-prod holding crm (CRM Integration, read and conversations, 120 days, ./secrets/crm.env). */
const manifest = (crm: EntryFields = {}) => manifestYaml({ keys: [crmEntry(crm)] });

/** The file sink and an exec sink that fails until `exec-ok` exists. */
const flakySink: EntryFields = {
  deliver: [fileSink("./secrets/crm.env"), { type: "exec", command: ["node", "push-key.cjs"] }],
};
const pushKey = `const fs = require("node:fs");
fs.readFileSync(0);
if (!fs.existsSync("exec-ok")) { console.error("upstream refused the key"); process.exit(1); }
`;

describe("rotate --compromised", () => {
  it(
    "replaces the key in one run: the old secret answers 401, the new one 200, the consumer switched",
    async () => {
      const { world, observer } = await startWorld(manifest());
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      const consumer = new Consumer(world.emulator.url, world.sink("crm"));
      consumer.refresh();
      const oldSecret = consumer.held ?? "";
      expect(await consumer.call()).toMatchObject({ status: 200, keyId: old?.id });

      // The plan says it is an emergency, with `!` and the word.
      const plan = await world.cli(["plan"]);
      expect(plan.stdout).not.toMatch(/compromised/);
      const run = await checked(observer, "compromised", ["rotate", "crm", "--compromised", "--auto-approve"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(
          String.raw` {2}! crm: rotation 1\/6: compromised: rotate "CRM Integration" #1 -> ` +
            String.raw`#2, then deactivate and revoke #1 at once`,
        ),
      );
      // The confirmation notice names the key and its sink.
      expect(run.stdout).toContain(
        `acme-prod/crm: old key "CRM Integration" #1 (${old?.id}); new key #2 goes to file ./secrets/crm.env`,
      );

      const fresh = world.current("crm");
      expect(fresh?.marker?.generation).toBe(2);
      // Gone at once: no drain, no quarantine.
      expect(world.keys("crm").map((k) => k.id)).toEqual([fresh?.id]);
      expect((await callWithSecret(world.emulator.url, oldSecret)).status).toBe(401);
      expect(consumer.refresh()).toBe(true);
      expect(await consumer.call()).toMatchObject({ status: 200, keyId: fresh?.id });
      expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
    },
    SLOW,
  );

  it(
    "keeps the old key active and exits 1 when a sink fails; the next run, at once, finishes the emergency",
    async () => {
      const { world, observer } = await startWorld(manifest(flakySink));
      writeFileSync(join(world.work.dir, "push-key.cjs"), pushKey);
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      const consumer = new Consumer(world.emulator.url, world.sink("crm"));
      consumer.refresh();

      writeFileSync(join(world.work.dir, "exec-ok.off"), "");
      await import("node:fs").then((fs) => fs.rmSync(join(world.work.dir, "exec-ok")));
      const failed = await checked(observer, "sink fails", ["rotate", "crm", "--compromised", "--auto-approve"]);
      expect(failed.code).toBe(1);
      // The old key is still active (an outage without a replacement is worse), its compromise recorded.
      expect(world.keys("crm").find((k) => k.id === old?.id)).toMatchObject({
        status: "active",
        marker: { compromised: "after-successor" },
      });
      expect(await consumer.call()).toMatchObject({ status: 200 });
      const partial = world.keys("crm").find((k) => k.marker?.generation === 2);
      expect(partial?.marker).toMatchObject({ phase: "delivering", failed: true, progress: { done: 1, total: 2 } });
      // Which sinks hold the new key, which do not, and what the next run will do.
      expect(failed.stdout).toContain(`key #2 (${partial?.id}) is in file:`);
      expect(failed.stdout).toMatch(/maybe in exec:\["node","push-key.cjs"\] \(it failed after taking the key\)/);
      expect(failed.stdout).toMatch(
        new RegExp(
          String.raw`the compromised key #1 stays active \(no replacement yet\)\. The next ` +
            String.raw`run \(no need to wait\) continues the emergency: it makes key #3`,
        ),
      );

      // Fixed; a plain apply right away (no lease to wait out) makes #3 and revokes the compromised key.
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      const next = await checked(observer, "plain apply", ["apply", "--auto-approve"]);
      expect(next.code, next.stdout).toBe(0);
      const current = world.current("crm");
      expect(current?.marker?.generation).toBe(3);
      expect(world.keys("crm").some((k) => k.id === old?.id)).toBe(false);
      expect(consumer.refresh()).toBe(true);
      expect(await consumer.call()).toMatchObject({ status: 200, keyId: current?.id });
    },
    SLOW,
  );

  it(
    "--revoke-first deactivates the old key before the first create, and says so before asking",
    async () => {
      const world = await World.start(manifest(), {
        sinks: [{ workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" }],
      });
      worlds.push(world);
      expect((await world.cli(["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      await fetch(`${world.emulator.url}/_emulator/requests/clear`, { method: "POST" });
      const run = await world.cli(["rotate", "crm", "--compromised", "--revoke-first", "--auto-approve"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/! crm: rotation 1\/6: compromised: deactivate "CRM Integration" #1 first \(downtime/);
      expect(run.stdout).toMatch(/--revoke-first: each old key is deactivated BEFORE its new key exists/);
      const log = world.emulator.requests().filter((r) => r.mutating);
      const deactivated = log.findIndex((r) => r.method === "POST" && r.path === `/v1/api-keys/${old?.id}/deactivate`);
      const created = log.findIndex((r) => r.method === "POST" && r.path === "/v1/api-keys");
      expect(deactivated).toBeGreaterThanOrEqual(0);
      expect(created).toBeGreaterThan(deactivated);
      expect(log.findIndex((r) => r.method === "DELETE" && r.path === `/v1/api-keys/${old?.id}`)).toBeGreaterThan(
        created,
      );
      expect(world.keys("crm").map((k) => k.marker?.generation)).toEqual([2]);
    },
    SLOW,
  );
});

describe("a failed delivery, taken over at once", () => {
  it(
    "two runs started right after the failure converge on one successor",
    async () => {
      const { world, observer } = await startWorld(manifest(flakySink));
      writeFileSync(join(world.work.dir, "push-key.cjs"), pushKey);
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      await import("node:fs").then((fs) => fs.rmSync(join(world.work.dir, "exec-ok")));
      world.advance(91 * DAY);
      expect((await checked(observer, "sink fails", ["apply", "--auto-approve"])).code).toBe(1);
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      const { result, violations } = await observer.around("two at once", () =>
        Promise.all([world.cli(["apply", "--auto-approve"]), world.cli(["apply", "--auto-approve"])]),
      );
      expect(violations).toEqual([]);
      expect(result.map((r) => r.code)).toEqual([0, 0]);
      // One generation 3, current; #2 (failed) and #1 drain as previous keys.
      const third = world.keys("crm").filter((k) => k.marker?.generation === 3);
      expect(third).toHaveLength(1);
      expect(world.current("crm")?.id).toBe(third[0]?.id);
      expect(
        world
          .keys("crm")
          .map((k) => k.marker?.generation)
          .sort(),
      ).toEqual([1, 2, 3]);
      expect(world.keys("crm").find((k) => k.id === old?.id)?.status).toBe("active");
    },
    SLOW,
  );
});

describe("an emergency killed after each step", () => {
  // Steps in the order a compromised rotation takes them; `in flight`: the successor is left pending
  // or delivering by a run that may still be alive, so the next run waits out the in-flight lease.
  const steps = [
    { step: "update", revokeFirst: false, inFlight: false },
    { step: "create", revokeFirst: false, inFlight: true },
    { step: "deliver", revokeFirst: false, inFlight: true },
    { step: "verify", revokeFirst: false, inFlight: true },
    { step: "promote", revokeFirst: false, inFlight: false },
    { step: "deactivate", revokeFirst: false, inFlight: false },
    { step: "update", revokeFirst: true, inFlight: false },
    { step: "deactivate", revokeFirst: true, inFlight: false },
    { step: "create", revokeFirst: true, inFlight: true },
    { step: "promote", revokeFirst: true, inFlight: false },
  ] as const;

  it.each(steps)(
    "killed after $step (revoke-first: $revokeFirst): a plain apply finishes it",
    async ({ step, revokeFirst, inFlight }) => {
      const world = await World.start(manifest(), {
        sinks: [{ workspace: "acme-prod", entryId: "crm", path: "secrets/crm.env" }],
      });
      worlds.push(world);
      expect((await world.cli(["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      const args = ["rotate", "crm", "--compromised", ...(revokeFirst ? ["--revoke-first"] : []), "--auto-approve"];
      const killed = await world.cli(args, { env: { TIMELY_KEYS_TEST_CRASH_AFTER: step } });
      expect(killed.signal, killed.stdout + killed.stderr).toBe("SIGKILL");
      // The compromise is on record from the first step on.
      expect(world.keys("crm").find((k) => k.id === old?.id)?.marker?.compromised).toBe(
        revokeFirst ? "revoke-first" : "after-successor",
      );

      if (inFlight) {
        const waiting = await world.cli(["apply", "--auto-approve"]);
        expect(waiting.code).toBe(0);
        expect(waiting.stdout).toMatch(/another run may still be delivering it/);
        world.advance(11 * MINUTE);
      }
      const next = await world.cli(["apply", "--auto-approve"]);
      expect(next.code, next.stdout + next.stderr).toBe(0);
      // The old key is revoked, not draining; the sink holds the new current key, which answers.
      const current = world.current("crm");
      expect(current?.id).not.toBe(old?.id);
      expect(world.keys("crm").some((k) => k.id === old?.id)).toBe(false);
      expect(next.stdout).not.toMatch(/draining previous key "CRM Integration" #1/);
      expect(await callWithSecret(world.emulator.url, readSinkSecret(world.sink("crm")) ?? "")).toMatchObject({
        status: 200,
        keyId: current?.id,
      });
    },
    SLOW,
  );
});

describe("probes", () => {
  // afterDeliver "restarts" the consumer, verify checks it; both append to order.log so the test
  // sees which ran first. The exec probe fails until probe-ok exists.
  const restart = `require("node:fs").appendFileSync("order.log", "afterDeliver\\n");\n`;
  const check = `const fs = require("node:fs");
const secret = fs.readFileSync(0, "utf8");
fs.appendFileSync("order.log", "verify " + (secret.startsWith("tml_") ? "with-secret" : "no-secret") + "\\n");
if (!fs.existsSync("probe-ok")) { console.error("consumer unhealthy"); process.exit(3); }
`;
  let server: Server | undefined;
  afterAll(() => server?.close());

  it(
    "a failing probe leaves the old key active and the successor delivering; a passing one promotes",
    async () => {
      server = createServer((_req, res) => res.writeHead(204).end());
      await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      const probes: EntryFields = {
        afterDeliver: [{ type: "exec", command: ["node", "restart.cjs"] }],
        verify: [
          { type: "exec", command: ["node", "check.cjs"] },
          { type: "http", url: `http://127.0.0.1:${port}/health`, expectStatus: 204 },
        ],
      };
      const { world, observer } = await startWorld(manifest(probes));
      writeFileSync(join(world.work.dir, "restart.cjs"), restart);
      writeFileSync(join(world.work.dir, "check.cjs"), check);
      writeFileSync(join(world.work.dir, "probe-ok"), "");
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const old = world.current("crm");
      expect(readFileSync(join(world.work.dir, "order.log"), "utf8")).toBe("afterDeliver\nverify with-secret\n");

      await import("node:fs").then((fs) => fs.rmSync(join(world.work.dir, "probe-ok")));
      writeFileSync(join(world.work.dir, "order.log"), "");
      world.advance(91 * DAY);
      const failed = await checked(observer, "probe fails", ["apply", "--auto-approve"]);
      expect(failed.code).toBe(1);
      expect(readFileSync(join(world.work.dir, "order.log"), "utf8")).toBe("afterDeliver\nverify with-secret\n");
      expect(failed.stdout).toMatch(
        /verify probe exec:\["node","check.cjs"\] failed: node exited with code 3; last output: consumer unhealthy/,
      );
      expect(world.current("crm")?.id).toBe(old?.id);
      expect(world.keys("crm").find((k) => k.marker?.generation === 2)).toMatchObject({
        status: "active",
        marker: { phase: "delivering", failed: true },
      });

      // Healthy again: the next run, right away, makes #3, the probes pass, it is promoted.
      writeFileSync(join(world.work.dir, "probe-ok"), "");
      appendFileSync(join(world.work.dir, "order.log"), "--\n");
      const passed = await checked(observer, "probe passes", ["apply", "--auto-approve"]);
      expect(passed.code, passed.stdout).toBe(0);
      expect(world.current("crm")?.marker?.generation).toBe(3);
      expect(readFileSync(join(world.work.dir, "order.log"), "utf8").split("--\n")[1]).toBe(
        "afterDeliver\nverify with-secret\n",
      );
    },
    SLOW,
  );
});

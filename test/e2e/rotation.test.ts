// Zero-downtime rotation end to end: the built CLI as a subprocess, the emulator over HTTP, its
// clock moved between runs. Every run is bracketed by the chaos invariants (test/chaos/invariants.ts):
// consumers of every sink call the API before and after, the sinks are watched while it works, and
// no run may leave two successors, an undelivered active key, or a retired key whose successor was
// not verified. Each World's close() scans everything printed and written for secrets.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliRun } from "../support/cli.js";
import { callWithSecret, Consumer, readSinkSecret } from "../support/consumer.js";
import { mutations } from "../support/emulator.js";
import { crmEntry, type EntryFields, entry, fileSink, manifestYaml } from "../support/manifest.js";
import { Observer } from "../chaos/invariants.js";
import { DAY, HOUR, MINUTE, World } from "../chaos/world.js";

/** Several CLI runs per test: generous on a busy 2-core machine. */
const SLOW = 120_000;

const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds) await world.close();
});

async function startWorld(
  manifest: string,
  sinks: Array<{ entryId: string; path: string }>,
): Promise<{ world: World; observer: Observer }> {
  const world = await World.start(manifest, { sinks: sinks.map((s) => ({ workspace: "acme-prod", ...s })) });
  worlds.push(world);
  return { world, observer: new Observer(world) };
}

/** The message of a failed action in apply's progress output (it may span lines). */
function failureOf(stdout: string, prefix: string): string | undefined {
  const start = stdout.indexOf(prefix);
  if (start < 0) return undefined;
  const rest = stdout.slice(start + prefix.length);
  const end = rest.search(/\n(?=acme-|\n)/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** One CLI run with every invariant checked around it. */
async function checked(observer: Observer, at: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const { result, violations } = await observer.around(at, () => observer.world.cli(args, { env }));
  expect(violations, `${at}\n${result.stdout}${result.stderr}`).toEqual([]);
  return result;
}

/** acme-prod holding crm (CRM Integration, read and conversations, 120 days, ./secrets/crm.env). */
const crmManifest = (crm: EntryFields = {}) =>
  manifestYaml({ keys: [crmEntry({ description: "Syncs contacts.", ...crm })] });

describe("a full rotation across separate runs", () => {
  it(
    "keeps the old key answering until its consumers moved, and ends with exactly one active key",
    async () => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const first = world.current("crm");
      expect(first?.marker?.generation).toBe(1);
      // An app that read its .env once and has not restarted since.
      const lagging = new Consumer(world.emulator.url, world.sink("crm"));
      lagging.refresh();
      expect(await lagging.call()).toMatchObject({ status: 200, keyId: first?.id });

      // 91 days later the key is due: the plan says so, apply makes, delivers and verifies the successor.
      world.advance(91 * DAY);
      const plan = await world.cli(["plan", "--detailed-exitcode"]);
      expect(plan.code).toBe(2);
      expect(plan.stdout).toMatch(/rotation 1\/6: rotate "CRM Integration" #1 -> #2 \(max age/);
      const rotate = await checked(observer, "rotate", ["apply", "--auto-approve"]);
      expect(rotate.code, rotate.stdout).toBe(0);
      const second = world.current("crm");
      expect(second?.marker?.generation).toBe(2);
      expect(
        world
          .active("crm")
          .map((k) => k.id)
          .sort(),
      ).toEqual([first?.id, second?.id].sort());
      const fresh = new Consumer(world.emulator.url, world.sink("crm"));
      fresh.refresh();
      expect(await fresh.call()).toMatchObject({ status: 200, keyId: second?.id });
      expect(await fresh.call("/v1/conversations")).toMatchObject({ status: 200 });
      // The old key still answers: its consumer has not moved yet.
      expect(await lagging.call()).toMatchObject({ status: 200, keyId: first?.id });

      // It keeps answering while it is in use: the drain waits for 24h of silence.
      world.advance(20 * HOUR);
      expect(await lagging.call()).toMatchObject({ status: 200 });
      world.advance(20 * HOUR);
      const draining = await checked(observer, "drain", ["apply", "--auto-approve"]);
      // (The Date header has whole seconds, so 20h of emulated time may read as 19h.)
      expect(draining.stdout).toMatch(
        /rotation 4\/6: draining previous key "CRM Integration" #1, last used (19|20)h ago/,
      );
      expect(world.keys("crm").find((k) => k.id === first?.id)?.status).toBe("active");
      expect(await lagging.call()).toMatchObject({ status: 200, keyId: first?.id });

      // The consumer moves to the new secret; 24h of silence later the old key is deactivated.
      expect(lagging.refresh()).toBe(true);
      expect(await lagging.call()).toMatchObject({ status: 200, keyId: second?.id });
      world.advance(24 * HOUR + MINUTE);
      const deactivate = await checked(observer, "deactivate", ["apply", "--auto-approve"]);
      expect(deactivate.stdout).toMatch(/rotation 5\/6: deactivate previous key "CRM Integration" #1/);
      expect(world.keys("crm").find((k) => k.id === first?.id)?.status).toBe("inactive");
      expect(world.active("crm").map((k) => k.id)).toEqual([second?.id]);

      // Past the quarantine it is revoked: one key left, the one the sink holds.
      world.advance(7 * DAY + MINUTE);
      const revoke = await checked(observer, "revoke", ["apply", "--auto-approve"]);
      expect(revoke.stdout).toMatch(/rotation 6\/6: revoke previous key "CRM Integration" #1/);
      expect(world.keys("crm").map((k) => k.id)).toEqual([second?.id]);
      expect(observer.keyIdOf(readSinkSecret(world.sink("crm")))).toBe(second?.id);
      expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
    },
    SLOW,
  );
});

// Kill the CLI right after each step of a rotation or a retirement; the next runs must converge.
describe("a crash at each step boundary", () => {
  const rotationSteps = ["create", "deliver", "verify", "promote"] as const;

  it.each(rotationSteps)(
    "killed right after %s: the next runs converge on one verified successor",
    async (step) => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const first = world.current("crm");
      world.advance(91 * DAY);

      const killed = await checked(observer, `rotate, killed after ${step}`, ["apply", "--auto-approve"], {
        TIMELY_KEYS_TEST_CRASH_AFTER: step,
      });
      expect(killed.signal).toBe("SIGKILL");
      const successor = world.keys("crm").find((k) => k.marker?.generation === 2);
      expect(successor?.status).toBe("active");
      // The previous key is untouched; only a promoted successor is current.
      expect(world.keys("crm").find((k) => k.id === first?.id)).toMatchObject({
        status: "active",
        marker: { phase: "current", generation: 1 },
      });
      // The successor is created `delivering` (no edit before the first sink), so a crash right after
      // the create leaves it `delivering` too: from then on it is treated as possibly held.
      expect(successor?.marker?.phase).toBe(
        { create: "delivering", deliver: "delivering", verify: "delivering", promote: "current" }[step],
      );

      // Right away, a second run sees a successor in flight and makes no other.
      if (step === "create" || step === "deliver") {
        const waiting = await checked(observer, "within the lease", ["apply", "--auto-approve"]);
        expect(waiting.code).toBe(0);
        expect(waiting.stdout).toMatch(/successor "CRM Integration" #2 is (pending|delivering)/);
        expect(world.keys("crm")).toHaveLength(2);
      }

      // Past the in-flight lease: a delivering successor (a sink may have it) stays and drains once a
      // newer one reached every sink. After a crash right after the create no sink has it, but the
      // next run cannot know that without a third request per key: it drains too (still safe: it is
      // retired only once a newer key is verified, and it goes at the end of the drain window, its
      // last use being older than the promotion), instead of being revoked at once as `pending` was.
      world.advance(11 * MINUTE);
      const next = await checked(observer, "next run", ["apply", "--auto-approve"]);
      expect(next.code, next.stdout).toBe(0);
      const current = world.current("crm");
      if (step === "promote") {
        expect(current?.id).toBe(successor?.id);
      } else {
        expect(current?.marker?.generation).toBe(3);
        expect(world.keys("crm").find((k) => k.id === successor?.id)?.status).toBe("active");
      }
      expect(observer.keyIdOf(readSinkSecret(world.sink("crm")))).toBe(current?.id);

      // Drain and quarantine: only the current key is left. An unfinished successor no consumer used
      // is deactivated at the end of the drain window (a day here), not at the longest grace.
      world.advance(DAY + MINUTE);
      expect((await checked(observer, "drain", ["apply", "--auto-approve"])).code).toBe(0);
      if (step !== "promote") expect(world.keys("crm").find((k) => k.id === successor?.id)?.status).toBe("inactive");
      world.advance(7 * DAY + MINUTE);
      expect((await checked(observer, "quarantine", ["apply", "--auto-approve"])).code).toBe(0);
      expect(world.keys("crm").map((k) => k.id)).toEqual([current?.id]);
      expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
    },
    SLOW,
  );

  it.each(["deactivate", "revoke"] as const)(
    "killed right after %s: the next run finishes the retirement",
    async (step) => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const first = world.current("crm");
      world.advance(91 * DAY);
      expect((await checked(observer, "rotate", ["apply", "--auto-approve"])).code).toBe(0);
      const second = world.current("crm");
      world.advance(DAY + MINUTE);
      if (step === "revoke") {
        expect((await checked(observer, "deactivate", ["apply", "--auto-approve"])).code).toBe(0);
        world.advance(7 * DAY + MINUTE);
      }
      const killed = await checked(observer, `killed after ${step}`, ["apply", "--auto-approve"], {
        TIMELY_KEYS_TEST_CRASH_AFTER: step,
      });
      expect(killed.signal).toBe("SIGKILL");
      expect(world.keys("crm").find((k) => k.id === first?.id)?.status).toBe(
        step === "deactivate" ? "inactive" : undefined,
      );
      expect(world.current("crm")?.id).toBe(second?.id);

      const next = await checked(observer, "next run", ["apply", "--auto-approve"]);
      expect(next.code).toBe(0);
      world.advance(7 * DAY + MINUTE);
      expect((await checked(observer, "quarantine", ["apply", "--auto-approve"])).code).toBe(0);
      expect(world.keys("crm").map((k) => k.id)).toEqual([second?.id]);
      expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
    },
    SLOW,
  );
});

describe("a failing sink", () => {
  // An exec sink that fails (exit 1) until a flag file exists; it counts its attempts.
  const script = `const fs = require("node:fs");
fs.appendFileSync("attempts.log", "x");
if (!fs.existsSync("exec-ok")) { console.error("upstream refused the key"); process.exit(1); }
const digest = require("node:crypto").createHash("sha256").update(fs.readFileSync(0)).digest("hex");
fs.writeFileSync("exec-received", digest);
`;
  const manifest = manifestYaml({
    keys: [
      crmEntry({ deliver: [fileSink("./secrets/crm.env"), { type: "exec", command: ["node", "push-key.cjs"] }] }),
      entry("billing", {
        name: "Billing Export",
        scopes: ["read", "analytics"],
        expiresInDays: 120,
        deliver: [fileSink("./secrets/billing-dir")],
      }),
    ],
  });

  it(
    "never strands a consumer: a partly delivered successor stays and drains, an undelivered one is revoked",
    async () => {
      const { world, observer } = await startWorld(manifest, [
        { entryId: "crm", path: "secrets/crm.env" },
        { entryId: "billing", path: "secrets/billing-dir" },
      ]);
      writeFileSync(join(world.work.dir, "push-key.cjs"), script);
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      // billing's sink path is a directory at first: the file sink refuses it (a config failure, not retried).
      mkdirSync(join(world.work.dir, "secrets/billing-dir"), { recursive: true });
      const first = await checked(observer, "create", ["apply", "--auto-approve", "--target", "crm"]);
      expect(first.code, first.stdout).toBe(0);
      const crm1 = world.current("crm");

      // The exec sink starts failing; the rotation is due.
      rmSync(join(world.work.dir, "exec-ok"));
      writeFileSync(join(world.work.dir, "attempts.log"), "");
      world.advance(91 * DAY);
      const failed = await checked(observer, "exec sink fails", ["apply", "--auto-approve"]);
      expect(failed.code).toBe(1);
      // Retried within the run per the SDK's policy: 1 + DEFAULT_RETRY_SETTINGS.maxRetries (3).
      expect(readFileSync(join(world.work.dir, "attempts.log"), "utf8")).toBe("xxxx");
      const crm2 = world.keys("crm").find((k) => k.marker?.generation === 2);
      // The file sink got it, the exec sink failed: it stays active, marked as partly delivered.
      expect(crm2).toMatchObject({
        status: "active",
        marker: { phase: "delivering", progress: { done: 1, total: 2 } },
      });
      // The previous key is untouched and still current.
      expect(world.current("crm")?.id).toBe(crm1?.id);
      // The error names the sink and the key, never the secret (the run's leak scan checks the latter).
      const failure = failureOf(failed.stdout, "acme-prod/crm: rotate FAILED: ");
      expect(failure, failed.stdout).toBeDefined();
      expect(failure).toContain('exec sink exec:["node","push-key.cjs"] did not receive key CRM Integration');
      expect(failure).toContain(crm2?.id);
      // Program output is shown inert: its newlines escaped (one line per message).
      expect(failure).toMatch(/node exited with code 1; last output:(?:\s+|\\n)upstream refused the key/);
      // One plain line: which sinks hold it, which may, and what the next run does (issue 13, item 2).
      expect(failure).toContain(`key #2 (${crm2?.id}) is in file:`);
      expect(failure).toMatch(
        new RegExp(
          String.raw`; maybe in exec:\["node","push-key.cjs"\] \(it failed after taking the ` +
            String.raw`key\)\. It stays active and drains later; the current key #1 stays active\. ` +
            String.raw`The next run \(no need to wait\) makes key #3 and delivers it to every ` +
            String.raw`sink\.`,
        ),
      );
      expect(crm2?.marker?.failed).toBe(true);

      // billing: no sink received its first key: it was revoked, and nothing of it is left active.
      expect(world.keys("billing")).toEqual([]);
      const billing = failureOf(failed.stdout, "acme-prod/billing: create FAILED: ");
      expect(billing).toMatch(/^file sink file:.*billing-dir#TIMELY_API_KEY did not receive key Billing Export/);
      expect(billing).toMatch(/no sink received key [0-9a-f-]{36}, so it was revoked/);

      // A consumer of the file sink uses the partly delivered key; it works.
      const consumer = new Consumer(world.emulator.url, world.sink("crm"));
      consumer.refresh();
      expect(await consumer.call()).toMatchObject({ status: 200, keyId: crm2?.id });

      // The sink is fixed; the next run, started at once (the failure is recorded on #2, so there is
      // no lease to wait out), makes #3, delivers it everywhere and promotes it.
      writeFileSync(join(world.work.dir, "exec-ok"), "");
      const fixed = await checked(observer, "sink fixed", ["apply", "--auto-approve", "--target", "crm"]);
      expect(fixed.code, fixed.stdout).toBe(0);
      expect(fixed.stdout).toMatch(/successor #2 left unfinished by an earlier run/);
      const crm3 = world.current("crm");
      expect(crm3?.marker?.generation).toBe(3);
      const received = readFileSync(join(world.work.dir, "exec-received"), "utf8");
      expect(received).toBe(
        createHash("sha256")
          .update(readSinkSecret(world.sink("crm")) ?? "")
          .digest("hex"),
      );

      // #1 and #2 drain like any previous key, once nothing uses them; #3 stays.
      expect(consumer.refresh()).toBe(true);
      world.advance(DAY + MINUTE);
      expect((await checked(observer, "drain", ["apply", "--auto-approve", "--target", "crm"])).code).toBe(0);
      expect(world.active("crm").map((k) => k.id)).toEqual([crm3?.id]);
      world.advance(7 * DAY + MINUTE);
      expect((await checked(observer, "quarantine", ["apply", "--auto-approve", "--target", "crm"])).code).toBe(0);
      expect(world.keys("crm").map((k) => k.id)).toEqual([crm3?.id]);
      expect(await consumer.call()).toMatchObject({ status: 200, keyId: crm3?.id });
    },
    SLOW,
  );
});

describe("rollback during quarantine", () => {
  it(
    "restores the old key, and the next plan is stable",
    async () => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const old = new Consumer(world.emulator.url, world.sink("crm"));
      old.refresh();
      const first = world.current("crm");
      world.advance(91 * DAY);
      expect((await checked(observer, "rotate", ["apply", "--auto-approve"])).code).toBe(0);
      const second = world.current("crm");
      world.advance(DAY + MINUTE);
      expect((await checked(observer, "deactivate", ["apply", "--auto-approve"])).code).toBe(0);
      expect(await old.call()).toMatchObject({ status: 401 });

      // In quarantine: rollback brings it back (held until the next rotation).
      world.advance(2 * DAY);
      const rollback = await checked(observer, "rollback", ["rollback", "crm", "--auto-approve"]);
      expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
      expect(rollback.stdout).toMatch(/roll back: re-activate and hold previous key "CRM Integration" #1/);
      expect(world.keys("crm").find((k) => k.id === first?.id)).toMatchObject({
        status: "active",
        marker: { holdFor: 2 },
      });
      expect(await old.call()).toMatchObject({ status: 200, keyId: first?.id });
      expect(world.current("crm")?.id).toBe(second?.id);

      // Stable: no changes now, nor once the drain and quarantine windows have passed again.
      const plan = await world.cli(["plan", "--detailed-exitcode"]);
      expect(plan.code, plan.stdout).toBe(0);
      world.advance(8 * DAY);
      expect((await world.cli(["plan", "--detailed-exitcode"])).code).toBe(0);
      expect((await checked(observer, "apply after rollback", ["apply", "--auto-approve"])).stdout).toContain(
        "No changes",
      );
      expect(world.active("crm")).toHaveLength(2);
      expect(await old.call()).toMatchObject({ status: 200 });
    },
    SLOW,
  );

  it(
    "refuses a rollback when there is nothing to restore, changing nothing",
    async () => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const before = mutations(world.emulator);
      const run = await checked(observer, "rollback", ["rollback", "crm", "--auto-approve"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: rollback crm: there is no previous key in quarantine to restore/m);
      expect(mutations(world.emulator)).toBe(before);
    },
    SLOW,
  );
});

describe("a sink program that cannot start", () => {
  it(
    "revokes the successor it could not deliver and leaves the current key untouched",
    async () => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      const first = world.current("crm");
      // The entry gets a first sink whose program cannot start (not executable): nothing gets the key.
      world.work.write(
        crmManifest({ deliver: [{ type: "exec", command: ["./not-executable.sh"] }, fileSink("./secrets/crm.env")] }),
      );
      writeFileSync(join(world.work.dir, "not-executable.sh"), "#!/bin/sh\nexit 0\n");
      chmodSync(join(world.work.dir, "not-executable.sh"), 0o644);
      world.advance(91 * DAY);
      const run = await checked(observer, "exec cannot start", ["apply", "--auto-approve"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/could not start \.\/not-executable\.sh \(EACCES\)/);
      expect(run.stdout).toMatch(
        /no sink received key [0-9a-f-]{36}, so it was revoked and the current key is untouched/,
      );
      expect(world.keys("crm").map((k) => k.id)).toEqual([first?.id]);
      expect((await callWithSecret(world.emulator.url, readSinkSecret(world.sink("crm")) ?? "")).status).toBe(200);
    },
    SLOW,
  );
});

describe("a run killed while it writes a file sink", () => {
  it(
    "leaves no copy of a secret behind once the sink is written again",
    async () => {
      const { world, observer } = await startWorld(crmManifest(), [{ entryId: "crm", path: "secrets/crm.env" }]);
      expect((await checked(observer, "create", ["apply", "--auto-approve"])).code).toBe(0);
      // What a run SIGKILLed between writing its temporary file and renaming it over the target
      // leaves: `.crm.env.<pid>.<random>.tmp` holding a secret, its process gone.
      const secret = readSinkSecret(world.sink("crm")) ?? "";
      const stale = join(world.work.dir, "secrets", ".crm.env.999999999.0123456789ab.tmp");
      writeFileSync(stale, `TIMELY_API_KEY=${secret}\n`, { mode: 0o600 });
      world.advance(91 * DAY);
      expect((await checked(observer, "rotate", ["apply", "--auto-approve"])).code).toBe(0);
      expect(readdirSync(join(world.work.dir, "secrets"))).toEqual(["crm.env"]);
    },
    SLOW,
  );
});

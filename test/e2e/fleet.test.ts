// Rotations across a fleet, end to end through the CLI and the emulator: `rotate --exposed-to` over
// three workspaces, and `policy.rotation.spread` / `maxPerRun` over daily runs.
import { afterAll, describe, expect, it } from "vitest";
import { OWNER_TOKEN, STAGING_TOKEN } from "../support/emulator.js";
import { DAY, World } from "../chaos/world.js";
import { entry, type ManifestKey, manifestYaml, workspace } from "../support/manifest.js";

const SLOW = 240_000;
const EU_TOKEN = "tkm_EuManagerTokenForTests00000000000000004";

const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds) await world.close();
});

/** An entry "<id> service", read, 365 days, ./secrets/<id>.env, readable by `access` when given. */
function key(id: string, access?: string[]): ManifestKey {
  return entry(id, { name: `${id} service`, expiresInDays: 365, ...(access ? { access } : {}) });
}

describe("rotate --exposed-to", () => {
  it(
    "rotates exactly the keys, across 3 workspaces and 12 entries, whose access lists the person or a team of theirs",
    async () => {
      const manifest = manifestYaml({
        teams: [
          { name: "payments", members: ["alice@acme.com", "carol@acme.com"] },
          { name: "support", members: ["bob@acme.com"] },
        ],
        workspaces: [
          workspace({
            keys: [
              key("p1", ["alice@acme.com"]),
              key("p2", ["team:payments"]),
              key("p3", ["bob@acme.com"]),
              key("p4", ["team:support"]),
            ],
          }),
          workspace({
            name: "acme-staging",
            tokenEnv: "STAGING_TOKEN",
            access: ["dave@acme.com"],
            keys: [
              key("s1", ["Alice@Acme.com"]),
              key("s2"),
              key("s3", ["team:payments", "bob@acme.com"]),
              key("s4", ["carol@acme.com"]),
            ],
          }),
          workspace({
            name: "acme-eu",
            tokenEnv: "EU_TOKEN",
            access: ["team:payments"],
            keys: [key("e1"), key("e2"), key("e3"), key("e4", ["bob@acme.com"])],
          }),
        ],
      });
      const seed = {
        workspaces: [
          { name: "acme-prod", members: [{ name: "Ana Owner", role: "owner", token: OWNER_TOKEN }] },
          { name: "acme-staging", members: [{ name: "Max Manager", role: "manager", token: STAGING_TOKEN }] },
          { name: "acme-eu", members: [{ name: "Eve Manager", role: "manager", token: EU_TOKEN }] },
        ],
      };
      const sinks = ["acme-prod:p", "acme-staging:s", "acme-eu:e"].flatMap((ws) =>
        [1, 2, 3, 4].map((n) => ({
          workspace: ws.split(":")[0]!,
          entryId: `${ws.split(":")[1]}${n}`,
          path: `secrets/${ws.split(":")[1]}${n}.env`,
        })),
      );
      const world = await World.start(manifest, { sinks, seed: seed as never });
      worlds.push(world);
      const env = { EU_TOKEN };
      const created = await world.cli(["apply", "--auto-approve"], { env });
      expect(created.code, created.stdout + created.stderr).toBe(0);
      expect(world.keys().filter((k) => k.marker?.generation === 1)).toHaveLength(12);

      const run = await world.cli(["rotate", "--exposed-to", "alice@acme.com", "--auto-approve"], { env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const expected = [
        "acme-eu/e1",
        "acme-eu/e2",
        "acme-eu/e3",
        "acme-eu/e4",
        "acme-prod/p1",
        "acme-prod/p2",
        "acme-staging/s1",
        "acme-staging/s3",
      ];
      // Listed first, with the access item that matched.
      expect(run.stdout.indexOf("alice@acme.com could read 8 keys; each is rotated:")).toBe(0);
      expect(run.stdout).toContain('  acme-staging/s3 "s3 service" (access: team:payments)');
      expect(run.stdout).toContain('  acme-eu/e4 "e4 service" (access: team:payments)');
      const rotated = world
        .keys()
        .filter((k) => k.marker?.generation === 2 && k.marker.phase === "current")
        .map((k) => `${k.workspace}/${k.marker?.entryId}`)
        .sort();
      expect(rotated).toEqual(expected);

      // Nobody matches: one clear error, nothing changed.
      const before = world.emulator.requests().filter((r) => r.mutating).length;
      const none = await world.cli(["rotate", "--exposed-to", "zoe@acme.com", "--auto-approve"], { env });
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^error: --exposed-to zoe@acme.com: no key in timely-keys.yaml lists them/m);
      expect(world.emulator.requests().filter((r) => r.mutating).length).toBe(before);
    },
    SLOW,
  );
});

describe("spread and maxPerRun through daily runs", () => {
  it(
    "12 keys made the same day: at most maxPerRun rotations per run, on several days, none past maxAgeDays",
    async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `svc${String(i).padStart(2, "0")}`);
      const manifest = manifestYaml({
        policy: { rotation: { spread: "7d", maxPerRun: 5 } },
        keys: ids.map((id) => key(id)),
      });
      const world = await World.start(manifest, {
        sinks: ids.map((id) => ({ workspace: "acme-prod", entryId: id, path: `secrets/${id}.env` })),
      });
      worlds.push(world);
      expect((await world.cli(["apply", "--auto-approve"])).code).toBe(0);
      world.advance(82 * DAY);
      const perRun: number[] = [];
      let sawQueued = false;
      for (let day = 82; day <= 91; day++) {
        const plan = await world.cli(["plan", "--json"]);
        const json = JSON.parse(plan.stdout) as {
          workspaces: Array<{ actions: Array<{ kind: string }>; entries: Array<{ nextRotationAt?: string }> }>;
        };
        sawQueued ||= json.workspaces[0]!.actions.some((a) => a.kind === "queued");
        expect(json.workspaces[0]!.entries.every((e) => typeof e.nextRotationAt === "string")).toBe(true);
        const before = world.keys().length;
        const run = await world.cli(["apply", "--auto-approve"]);
        expect(run.code, run.stdout).toBe(0);
        const made = world.keys().filter((k) => k.marker?.phase === "current" && k.marker.generation === 2).length;
        perRun.push(made - perRun.reduce((a, b) => a + b, 0));
        expect(world.keys().length).toBeGreaterThanOrEqual(before - 12);
        // No current key older than 90 days once the run is over.
        const now = Date.parse(world.emulator.state().now);
        for (const id of ids) {
          const current = world.current(id);
          expect((now - Date.parse(current?.created_at ?? "")) / (DAY * 1000), id).toBeLessThanOrEqual(90);
        }
        world.advance(DAY);
      }
      expect(perRun.reduce((a, b) => a + b, 0)).toBe(12);
      expect(Math.max(...perRun)).toBeLessThanOrEqual(5);
      expect(perRun.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
      expect(sawQueued || Math.max(...perRun) < 5).toBe(true);
    },
    SLOW,
  );
});

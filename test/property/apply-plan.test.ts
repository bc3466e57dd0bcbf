// Property: against the real emulator (over HTTP), for random manifests and random clock jumps,
// apply followed by plan shows no change (but for the retirements the new key of that apply made
// possible), a second apply leaves nothing at all, and applying an empty plan changes nothing. The pure planner's own
// properties (deterministic, never throws, never retires without a
// verified successor) are in packages/provisioner/test/plan/properties.test.ts; this one runs the
// real executor, the SDK and the emulator in-process (no subprocess) so it can try many cases.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actionSummary, apply, clientsFromEnv, plan, read, validateFile, type Plan } from "@timely-keys/provisioner";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OWNER_TOKEN, mutations, startTestEmulator, testSeed } from "../support/emulator.js";
import { entry, fileSink, manifestYaml } from "../support/manifest.js";

const SCOPES = ["read", "write", "conversations", "agents", "analytics"] as const;
const DESCRIPTIONS = ["", "Syncs contacts.", "Línea de producción 🔑", "x".repeat(300)];
const DAY = 86_400;

const entryArb = fc.record({
  scopes: fc.subarray([...SCOPES], { minLength: 1 }),
  expiresInDays: fc.option(fc.integer({ min: 1, max: 365 }), { nil: null }),
  description: fc.constantFrom(...DESCRIPTIONS),
  sinks: fc.integer({ min: 1, max: 2 }),
  enabled: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  maxAgeDays: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
});

type Entry = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

const mutating = (p: Plan) => p.workspaces.flatMap((w) => w.actions).filter((a) => a.mutates);

function manifestOf(entries: Entry[]): string {
  const keys = entries.map((e, i) =>
    entry(`key-${i}`, {
      name: `Integration ${i}`,
      description: e.description,
      scopes: e.scopes,
      // A write key needs an expiry (policy requireExpiryFor: [write]).
      expiresInDays: e.expiresInDays ?? (e.scopes.includes("write") ? 30 : null),
      enabled: e.enabled,
      ...(e.maxAgeDays !== undefined ? { rotation: { maxAgeDays: e.maxAgeDays } } : {}),
      deliver: Array.from({ length: e.sinks }, (_, s) => fileSink(`./secrets/k${i}-${s}.env`)),
    }),
  );
  return manifestYaml({ policy: { rules: { "rotation-period-over-90-days": "off" } }, keys });
}

describe("apply, then plan", () => {
  it("shows no change, at any time, for any manifest (at most the retirements its new keys allow)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2 * DAY }), fc.integer({ min: 0, max: 200 * DAY })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 2 }),
        async (entries, jumps, unmanaged) => {
          // Keys made outside timely-keys are reported, never touched (policy unmanaged: report).
          const seed = testSeed();
          seed.workspaces![0]!.keys = Array.from({ length: unmanaged }, (_, i) => ({
            name: `Legacy ${i}`,
            scopes: ["read" as const],
          }));
          const emulator = await startTestEmulator(seed, { rateLimit: 1_000_000, now: "2026-01-01T00:00:00Z" });
          const dir = mkdtempSync(join(tmpdir(), "timely-keys-property-"));
          try {
            const file = join(dir, "timely-keys.yaml");
            writeFileSync(file, manifestOf(entries));
            const env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN };
            const validated = await validateFile(file, { env, requireEnv: true });
            expect(validated.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
            const desired = validated.desired;
            if (!desired) throw new Error("invalid manifest");
            const clients = clientsFromEnv(env);
            const planNow = async (): Promise<Plan> => {
              const live = await read([{ name: "acme-prod", tokenEnv: "PROD_TOKEN" }], { clients });
              return plan(desired, live, new Date(live.workspaces[0]?.serverNow ?? Date.now()));
            };
            const applyAll = async (p: Plan) => {
              const report = await apply(p, { clients, env, deliverOptions: { retry: { maxRetries: 0 } } });
              expect(report.results.filter((r) => r.status !== "done").map((r) => r.message)).toEqual([]);
            };
            for (const jump of [0, ...jumps]) {
              emulator.clock.advance(jump);
              const first = await planNow();
              await applyAll(first);
              // Left to do: only retirements the new key of this very apply made possible (until it
              // was promoted, no verified newer key existed to retire them for).
              const renewed = new Set(
                mutating(first)
                  .filter((a) => a.kind === "create" || a.kind === "rotate")
                  .map((a) => a.entryId),
              );
              const second = await planNow();
              const left = mutating(second).filter(
                (a) => !((a.kind === "deactivate-previous" || a.kind === "revoke-previous") && renewed.has(a.entryId)),
              );
              expect(left.map(actionSummary)).toEqual([]);
              await applyAll(second);
              const third = await planNow();
              expect(mutating(third).map(actionSummary)).toEqual([]);
              // Applying an empty plan changes nothing.
              const before = mutations(emulator);
              await apply(third, { clients, env });
              expect(mutations(emulator)).toBe(before);
            }
          } finally {
            await emulator.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 20, seed: Number(process.env.PROPERTY_SEED ?? 424242) },
    );
  }, 120_000);
});

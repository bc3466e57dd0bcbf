// Workspaces are read and applied side by side (each through its own client, so within its own
// rate limit), at most `workspaceConcurrency` at once. Proved from the emulator's request log, not by
// wall-clock time: with every answer delayed, two workspaces worked on in parallel interleave their
// requests; with a limit of one, every request of the first comes before any of the second.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator, type RequestLogEntry } from "@timely-keys/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apply } from "../src/apply.js";
import { clientsFromEnv } from "../src/clients.js";
import { parseManifest } from "../src/load.js";
import { readAndPlan } from "../src/pipeline.js";
import { read } from "../src/read.js";
import { validate } from "../src/validate.js";
import { entry, fileSink, manifestYaml, workspace } from "./support/manifest.js";

const TOKENS = {
  ALPHA_TOKEN: "tkm_AlphaTokenForParallelTests000000000001",
  BETA_TOKEN: "tkm_BetaTokenForParallelTests0000000000002",
};
const PRINCIPALS = { alpha: "member:Alpha Owner", beta: "member:Beta Owner" };

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      workspaces: [
        {
          name: "alpha",
          members: [{ name: "Alpha Owner", role: "owner", token: TOKENS.ALPHA_TOKEN }],
          generated_keys: 250,
        },
        {
          name: "beta",
          members: [{ name: "Beta Owner", role: "owner", token: TOKENS.BETA_TOKEN }],
          generated_keys: 250,
        },
      ],
    },
  });
  dir = mkdtempSync(join(tmpdir(), "timely-keys-parallel-"));
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.reset();
  // Every answer takes 80 ms: a workspace's 3 list pages (or its creates) take a while, so a second
  // workspace worked on in parallel gets requests in between them.
  emulator.faults.set({ latency_ms: 80 });
});

const env = () => ({ ...TOKENS, TIMELY_API_URL: emulator.url });
const connections = [
  { name: "alpha", tokenEnv: "ALPHA_TOKEN" },
  { name: "beta", tokenEnv: "BETA_TOKEN" },
];

/** Whether some request of `second` was logged before the last request of `first`. */
function interleaved(log: readonly RequestLogEntry[], first: string, second: string): boolean {
  const lastOfFirst = log.map((e) => e.principal).lastIndexOf(first);
  const firstOfSecond = log.findIndex((e) => e.principal === second);
  return firstOfSecond !== -1 && firstOfSecond < lastOfFirst;
}

function sequential(log: readonly RequestLogEntry[]): boolean {
  const owners = log.map((e) => e.principal).filter((p) => p === PRINCIPALS.alpha || p === PRINCIPALS.beta);
  const switches = owners.filter((p, i) => i > 0 && p !== owners[i - 1]).length;
  return switches === 1;
}

describe("workspaces in parallel", () => {
  it("read: both workspaces' list pages interleave; with a limit of one they do not", async () => {
    const start = emulator.requests().length;
    const live = await read(connections, { clients: clientsFromEnv(env()) });
    expect(live.workspaces.map((w) => [w.name, w.keys.length])).toEqual([
      ["alpha", 250],
      ["beta", 250],
    ]);
    const log = emulator
      .requests()
      .slice(start)
      .filter((e) => e.path === "/v1/api-keys");
    expect(log).toHaveLength(6);
    expect(interleaved(log, PRINCIPALS.alpha, PRINCIPALS.beta)).toBe(true);

    const before = emulator.requests().length;
    await read(connections, { clients: clientsFromEnv(env()), workspaceConcurrency: 1 });
    const one = emulator
      .requests()
      .slice(before)
      .filter((e) => e.path === "/v1/api-keys");
    expect(one.map((e) => e.principal)).toEqual([
      ...Array(3).fill(PRINCIPALS.alpha),
      ...Array(3).fill(PRINCIPALS.beta),
    ]);
  });

  it(
    "apply: each workspace's creates go through its own token, side by side; with a limit of one, one after the " +
      "other",
    async () => {
      const manifest = (suffix: string) => {
        const keys = (ws: string) =>
          [1, 2, 3].map((i) =>
            entry(`${ws}-${i}${suffix}`, {
              name: `${ws} ${i}${suffix}`,
              deliver: [fileSink(`./${ws}-${i}${suffix}.env`)],
            }),
          );
        return manifestYaml({
          workspaces: [
            workspace({ name: "alpha", tokenEnv: "ALPHA_TOKEN", keys: keys("alpha") }),
            workspace({ name: "beta", tokenEnv: "BETA_TOKEN", keys: keys("beta") }),
          ],
        });
      };
      const run = async (suffix: string, workspaceConcurrency?: number) => {
        const desired = validate(parseManifest(manifest(suffix), join(dir, `timely-keys${suffix}.yaml`))).desired!;
        const clients = clientsFromEnv(env());
        const { plan } = await readAndPlan(desired, clients, { workspaces: [], targets: [] });
        emulator.faults.set({ latency_ms: 80 });
        const before = emulator.requests().length;
        const report = await apply(plan, {
          clients,
          env: env(),
          concurrency: 1,
          ...(workspaceConcurrency ? { workspaceConcurrency } : {}),
        });
        expect(report.ok).toBe(true);
        expect(report.results.filter((r) => r.action.kind === "create" && r.status === "done")).toHaveLength(6);
        return emulator
          .requests()
          .slice(before)
          .filter((e) => e.mutating);
      };

      const parallel = await run("");
      expect(parallel.filter((e) => e.principal === PRINCIPALS.alpha).length).toBeGreaterThanOrEqual(6);
      expect(parallel.filter((e) => e.principal === PRINCIPALS.beta).length).toBeGreaterThanOrEqual(6);
      expect(interleaved(parallel, PRINCIPALS.alpha, PRINCIPALS.beta)).toBe(true);

      const oneAtATime = await run("-again", 1);
      expect(sequential(oneAtATime)).toBe(true);
    },
  );
});

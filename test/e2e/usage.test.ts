// `usage` tells timely-keys' own verification calls apart from the integration's use: a key only
// timely-keys has called is "never used"; a request the integration makes counts as such.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks, filesUnder } from "../support/leaks.js";
import { entry, fileSink, manifestYaml } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

let emulator: Emulator;
let work: Workdir;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startTestEmulator();
  work = makeWorkdir(
    manifestYaml({ keys: [entry("crm", { name: "CRM", expiresInDays: 90, deliver: [fileSink("./crm.env")] })] }),
  );
  env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN };
});

afterAll(async () => {
  expectNoLeaks(
    { transcript: transcript.join("\n"), ...filesUnder(work.dir, [join(work.dir, "crm.env")]) },
    secretsOf(emulator),
  );
  await emulator.close();
  work.cleanup();
});

interface Row {
  id: string;
  requests: number;
  selfRequests: number;
  lastUsedAt: string | null;
  successRate: number | null;
}

const rows = async (): Promise<Row[]> => {
  const run = await runCli(["usage", "--json"], { env, cwd: work.dir });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { keys: Row[] }).keys;
};

it("a new key that only timely-keys verified is never used; the integration's first call is counted", async () => {
  const apply = await runCli(["apply", "--auto-approve"], { env, cwd: work.dir });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);

  // Verification called GET /v1/me with the new key: the API counts it, usage does not.
  const keyId = emulator.state().workspaces.find((w) => w.name === "acme-prod")!.keys[0]!.id;
  const raw = (await (
    await fetch(`${emulator.url}/v1/api-keys/${keyId}/usage`, { headers: { "x-api-key": OWNER_TOKEN } })
  ).json()) as {
    data: { total_requests: number; recent_activity: Array<{ user_agent: string | null }> };
  };
  expect(raw.data.total_requests).toBeGreaterThan(0);
  expect(raw.data.recent_activity.every((r) => r.user_agent?.startsWith("timely-keys-verify/"))).toBe(true);
  expect(await rows()).toEqual([
    expect.objectContaining({
      id: "crm",
      requests: 0,
      selfRequests: raw.data.total_requests,
      lastUsedAt: null,
      successRate: null,
    }),
  ]);
  const table = await runCli(["usage"], { env, cwd: work.dir });
  expect(table.stdout).toMatch(/^acme-prod\s+crm\s+#1\s+\S+\s+active\s+0d\s+never\s+0\s+\d+\s+-$/m);

  // The integration uses the secret the file sink received.
  const secret = /^TIMELY_API_KEY=(\S+)$/m.exec(readFileSync(join(work.dir, "crm.env"), "utf8"))?.[1] ?? "";
  const me = await fetch(`${emulator.url}/v1/me`, { headers: { "x-api-key": secret, "user-agent": "crm-sync/2.0" } });
  expect(me.status).toBe(200);
  const [row] = await rows();
  expect(row).toMatchObject({ requests: 1, selfRequests: raw.data.total_requests, successRate: 1 });
  expect(row?.lastUsedAt).not.toBeNull();
});

import { startEmulator } from "@timely-keys/emulator";
import { runCli } from "../support/cli.js";
import { OWNER_TOKEN, testSeed } from "../support/emulator.js";
import { makeWorkdir } from "../support/workdir.js";
import { readFileSync } from "node:fs";
const em = await startEmulator({ seed: testSeed(), recordSecrets: true, validateContract: true, now: "2026-01-01T00:00:00Z", rateLimit: 100000 });
const w = makeWorkdir(`version: 1
policy:
  rotation: { drainWindow: 6h, maxGrace: 2d, quarantine: 1d }
workspaces:
  - name: acme-prod
    tokenEnv: PROD_TOKEN
    keys:
      - id: crm
        name: CRM
        scopes: [read, conversations]
        expiresInDays: 30
        rotation: { maxAgeDays: 1 }
        deliver:
          - { type: file, path: ./secrets/crm.env }
`);
const env = { TIMELY_API_URL: em.url, PROD_TOKEN: OWNER_TOKEN };
const cli = async (args: string[], extra = {}) => { const t = Date.now(); const r = await runCli(args, { env: { ...env, ...extra }, cwd: w.dir }); console.log(`$ ${args.join(" ")} -> ${r.code}/${r.signal} in ${Date.now()-t}ms\n${r.stdout}${r.stderr}`); return r; };
await cli(["apply", "--auto-approve"]);
em.clock.advance(86400 + 60);
await cli(["apply", "--auto-approve"], { TIMELY_KEYS_TEST_CRASH_AFTER: "deliver" });
console.log(em.state().workspaces[0]!.keys.map(k => `${k.id} ${k.status} ${k.description}`));
await cli(["plan"]);
em.clock.advance(700);
await cli(["apply", "--auto-approve"]);
console.log(em.state().workspaces[0]!.keys.map(k => `${k.id} ${k.status} ${k.description}`));
await cli(["plan", "--json"]);
await em.close(); w.cleanup();

// The security review's reproductions (issue 12), through the built `timely-keys` CLI as a
// subprocess, against the emulator and capture servers on loopback.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { OWNER_TOKEN, STAGING_TOKEN, mutations, secretsOf } from "../support/emulator.js";
import { findLeaks } from "../support/leaks.js";
import { manifestYaml } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";
import {
  captureServer,
  securityManifests,
  startHostileEmulator,
  outputProblems,
  workspaceIdOf,
  type CaptureServer,
} from "./support.js";

const VAULT_TOKEN = "hvs.FakeVaultTokenForTheSecuritySuite000000001";
const GITHUB_TOKEN = "ghs_FakeGithubTokenForTheSecuritySuite00000001";

let emulator: Emulator;
let work: Workdir;
const servers: CaptureServer[] = [];

// A fresh emulator per test: each starts from the same live state (the hostile keys only).
beforeEach(async () => {
  emulator = await startHostileEmulator();
});
afterEach(async () => {
  await emulator.close();
  work?.cleanup();
  for (const server of servers.splice(0)) await server.close();
});

async function capture(...args: Parameters<typeof captureServer>): Promise<CaptureServer> {
  const server = await captureServer(...args);
  servers.push(server);
  return server;
}

const { prod, manifest, paymentsDev } = securityManifests("PROD_TOKEN", "DEV_TOKEN");

const baseEnv = (): NodeJS.ProcessEnv => ({ TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN });

function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv()) {
  return runCli(args, { cwd: work.dir, env });
}

function leaks(run: { stdout: string; stderr: string }, extra: string[] = []) {
  return findLeaks({ stdout: run.stdout, stderr: run.stderr }, [
    ...secretsOf(emulator),
    ...extra,
    "tml_PastedSecretInAKeyName000000000000001",
  ]);
}

describe("1. inert output: hostile key names and program output", () => {
  it("plan shows every hostile name escaped; no escape sequence, bidi override or command line", async () => {
    work = makeWorkdir(manifest());
    const run = await cli(["plan"]);
    expect(run.code).toBe(0);
    const all = `${run.stdout}\n${run.stderr}`;
    expect(outputProblems(all)).toEqual([]);
    expect(run.stdout).toContain("x\\n::stop-commands::zz");
    expect(run.stdout).toContain("x\\r::add-mask::zz");
    expect(run.stdout).toContain("evil\\u202etxt.exe");
    expect(leaks(run)).toEqual([]);
  });

  it("the same with colour forced on: only the CLI's own colours reach the terminal", async () => {
    work = makeWorkdir(manifest());
    const run = await cli(["plan"], { ...baseEnv(), NO_COLOR: "", FORCE_COLOR: "1" });
    expect(run.code).toBe(0);
    const withoutOwnColours = run.stdout.replace(/\x1b\[(?:0|1|2|22|3[1-79])m/g, "");
    expect(outputProblems(withoutOwnColours)).toEqual([]);
    // The colours are painted, not printed as text (`\x1b[1m` written out).
    expect(run.stdout).toMatch(/\x1b\[1m/);
    expect(run.stdout).not.toMatch(/\\x1b\[(?:0|1|2|22|3[1-79])m/);
  });

  it("an exec sink's hostile output is shown inert in the apply error", async () => {
    const program =
      "process.stderr.write('bad\\n::stop-commands::zz\\n\\x1b]0;pwned\\x07\\x1b[2J\\u202Eend\\n');process.exit(3)";
    work = makeWorkdir(manifest({}, { type: "exec", command: [process.execPath, "-e", program] }));
    const run = await cli(["apply", "--auto-approve"]);
    expect(run.code).toBe(1);
    expect(outputProblems(`${run.stdout}\n${run.stderr}`)).toEqual([]);
    expect(run.stdout).toContain("exited with code 3");
    expect(leaks(run)).toEqual([]);
  });
});

describe("2. tokens go only where the operator allowed", () => {
  it("a manifest apiUrl pointing at a capture server: exit 1 before any request, naming the URL", async () => {
    const server = await capture();
    work = makeWorkdir(manifest({ apiUrl: server.url }));
    const run = await cli(["plan"], { PROD_TOKEN: OWNER_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(server.url);
    expect(run.stderr).toMatch(/api-url-not-allowed/);
    expect(server.requests).toEqual([]);
  });

  it("the same apiUrl is used once TIMELY_KEYS_ALLOWED_API_URLS lists it", async () => {
    work = makeWorkdir(manifest({ apiUrl: `${emulator.url}/` }));
    const run = await cli(["plan"], {
      PROD_TOKEN: OWNER_TOKEN,
      TIMELY_KEYS_ALLOWED_API_URLS: `https://other.example, ${emulator.url}`,
    });
    expect(run.stderr).not.toMatch(/api-url-not-allowed/);
    expect(run.code).toBe(0);
  });

  it("tokenEnv ACTIONS_RUNTIME_TOKEN is refused; the runner's token is never sent", async () => {
    const server = await capture();
    const runtimeToken = "ActionsRuntimeTokenThatMustNeverLeave0000000001";
    work = makeWorkdir(manifest({ apiUrl: server.url, tokenEnv: "ACTIONS_RUNTIME_TOKEN" }));
    const run = await cli(["plan"], { ACTIONS_RUNTIME_TOKEN: runtimeToken, TIMELY_KEYS_ALLOWED_API_URLS: server.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/forbidden-token-env/);
    expect(server.requests).toEqual([]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(runtimeToken);
  });

  it("tokenEnv naming a sink's credential (VAULT_TOKEN) is refused", async () => {
    work = makeWorkdir(
      manifest({ tokenEnv: "VAULT_TOKEN" }, { type: "vault", address: "https://vault.example", path: "timely/crm" }),
    );
    const run = await cli(["plan"], { ...baseEnv(), VAULT_TOKEN: OWNER_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[forbidden-token-env\]: tokenEnv VAULT_TOKEN is also read by a sink/);
  });

  it("an API that answers 307 to another origin: RedirectError, the other origin receives nothing", async () => {
    const target = await capture();
    const api = await capture((_request, respond) => respond(307, { location: `${target.url}/v1/api-keys` }));
    work = makeWorkdir(manifest());
    const run = await cli(["plan"], { TIMELY_API_URL: api.url, PROD_TOKEN: OWNER_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/redirect/);
    expect(api.requests.length).toBeGreaterThan(0);
    expect(target.requests).toEqual([]);
  });

  it("a Vault that answers 307: the sink does not forward X-Vault-Token", async () => {
    const target = await capture();
    const vault = await capture((_request, respond) =>
      respond(307, { location: `${target.url}/v1/secret/data/timely/crm` }),
    );
    work = makeWorkdir(manifest({}, { type: "vault", address: vault.url, path: "timely/crm" }));
    const run = await cli(["apply", "--auto-approve"], { ...baseEnv(), VAULT_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/redirects are not followed/);
    expect(vault.requests.length).toBeGreaterThan(0);
    expect(target.requests).toEqual([]);
    expect(leaks(run, [VAULT_TOKEN])).toEqual([]);
  });

  it(
    "an AWS endpoint that answers 307: the AWS SDK does not follow it, the other origin receives " + "nothing",
    async () => {
      const target = await capture();
      const aws = await capture((_request, respond) => respond(307, { location: `${target.url}/` }));
      work = makeWorkdir(
        manifest({}, { type: "awsSecretsManager", secretId: "timely/crm", region: "us-east-1", endpoint: aws.url }),
      );
      const run = await cli(["apply", "--auto-approve"], {
        ...baseEnv(),
        AWS_ACCESS_KEY_ID: "AKIAFAKEFORSECURITYSUITE",
        AWS_SECRET_ACCESS_KEY: "FakeAwsSecretAccessKeyForTheSecuritySuite0001",
        AWS_EC2_METADATA_DISABLED: "true",
      });
      expect(run.code).toBe(1);
      expect(aws.requests.length).toBeGreaterThan(0);
      expect(target.requests).toEqual([]);
    },
  );

  it("a GitHub API answering with an endless body is cut at the cap", async () => {
    const github = await capture((_request, respond) =>
      respond(200, { "content-type": "application/json", "content-length": String(512 * 1024 * 1024) }, ""),
    );
    work = makeWorkdir(
      manifest({}, { type: "githubSecret", repository: "acme/app", secretName: "CRM", apiUrl: github.url }),
    );
    const run = await cli(["apply", "--auto-approve"], { ...baseEnv(), GITHUB_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/larger than \d+ bytes/);
  });
});

describe("3. a saved plan carries nothing the manifest does not", () => {
  it(
    'a successor\'s sinks changed to `sh -c "env > x; cat > y"` with the digest recomputed: refused, nothing run or ' +
      "changed",
    async () => {
      work = makeWorkdir(manifest());
      expect((await cli(["plan", "--out", "saved.json"])).code).toBe(0);
      const path = join(work.dir, "saved.json");
      const saved = JSON.parse(readFileSync(path, "utf8")) as {
        digest: string;
        plan: { workspaces: Array<{ actions: Array<{ successor?: { sinks: unknown[] } }> }> };
      };
      let edited = 0;
      for (const action of saved.plan.workspaces.flatMap((w) => w.actions)) {
        if (action.successor) {
          action.successor.sinks = [{ type: "exec", command: ["sh", "-c", "env > x; cat > y"] }];
          edited++;
        }
      }
      expect(edited).toBeGreaterThan(0);
      saved.digest = `sha256:${createHash("sha256").update(JSON.stringify(saved.plan), "utf8").digest("hex")}`;
      writeFileSync(path, JSON.stringify(saved));
      const before = mutations(emulator);
      const run = await cli(["apply", "saved.json"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the sinks of key crm in workspace acme-prod are not the manifest's/);
      expect(mutations(emulator)).toBe(before);
      expect(existsSync(join(work.dir, "x"))).toBe(false);
      expect(existsSync(join(work.dir, "y"))).toBe(false);
    },
  );

  it("an untouched saved plan is shown, then applied", async () => {
    work = makeWorkdir(manifest());
    expect((await cli(["plan", "--out", "saved.json"])).code).toBe(0);
    const run = await cli(["apply", "saved.json"]);
    expect(run.code).toBe(0);
    expect(run.stdout.indexOf("CRM Integration")).toBeLessThan(run.stdout.indexOf("Apply complete!"));
    expect(leaks(run)).toEqual([]);
  });
});

describe("4. exec sinks get a minimal environment", () => {
  it(
    "the program sees PATH, HOME, LANG, its variable and passEnv: no management token, no other sink's " + "credential",
    async () => {
      const program = "require('fs').writeFileSync('env.json',JSON.stringify(process.env))";
      work = makeWorkdir(
        manifest(
          {},
          {
            type: "exec",
            input: "env",
            env: "CRM_KEY",
            passEnv: ["EXTRA_SETTING"],
            command: [process.execPath, "-e", program],
          },
        ),
      );
      const run = await cli(["apply", "--auto-approve"], {
        ...baseEnv(),
        VAULT_TOKEN,
        GITHUB_TOKEN,
        EXTRA_SETTING: "yes",
        LANG: "C.UTF-8",
      });
      expect(run.code).toBe(0);
      const seen = JSON.parse(readFileSync(join(work.dir, "env.json"), "utf8")) as Record<string, string>;
      const names = Object.keys(seen).filter((name) => !name.startsWith("TIMELY_KEYS_"));
      expect(names.sort()).toEqual(["CRM_KEY", "EXTRA_SETTING", "HOME", "LANG", "PATH"]);
      expect(JSON.stringify(seen)).not.toContain(OWNER_TOKEN);
      expect(seen.CRM_KEY).toMatch(/^tml_/);
    },
  );

  it("passEnv naming the management token is refused", async () => {
    work = makeWorkdir(manifest({}, { type: "exec", passEnv: ["PROD_TOKEN"], command: [process.execPath, "-e", "0"] }));
    const run = await cli(["apply", "--auto-approve"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[exec-env-credential\]: passEnv PROD_TOKEN is a management token/);
  });
});

describe("5. workspace identity", () => {
  it(
    "a payments-dev workspace holding prod's token: stopped, zero mutating requests, prod's keys " + "untouched",
    async () => {
      work = makeWorkdir(manifestYaml({ workspaces: [prod(), paymentsDev] }));
      const before = mutations(emulator);
      const run = await cli(["apply", "--auto-approve", "--workspace", "payments-dev"], {
        ...baseEnv(),
        DEV_TOKEN: OWNER_TOKEN,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/resolve to the same live workspace/);
      expect(mutations(emulator)).toBe(before);
    },
  );

  it("a pinned id that differs stops plan; an unpinned workspace is warned with the id to pin", async () => {
    const id = await workspaceIdOf(emulator.url, OWNER_TOKEN);
    work = makeWorkdir(manifest());
    const unpinned = await cli(["plan"]);
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout + unpinned.stderr).toContain(`id: ${id}`);
    work.write(manifest({ id }));
    const pinned = await cli(["plan"]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout + pinned.stderr).not.toContain("is not pinned");
    work.write(manifest({ id }));
    const other = await cli(["plan"], { ...baseEnv(), PROD_TOKEN: STAGING_TOKEN });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/belongs to live workspace .* but the manifest pins id/);
  });

  it("import writes the id, and refuses a token whose workspace is pinned under another name", async () => {
    work = makeWorkdir(manifest());
    const imported = await cli(["import", "--workspace", "acme-prod", "--token-env", "PROD_TOKEN"]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`id: ${await workspaceIdOf(emulator.url, OWNER_TOKEN)}`);
    const prodId = await workspaceIdOf(emulator.url, OWNER_TOKEN);
    work.write(manifestYaml({ workspaces: [prod({ id: prodId }), paymentsDev] }));
    const refused = await cli(["import", "--workspace", "payments-dev", "-f", "timely-keys.yaml"], {
      ...baseEnv(),
      DEV_TOKEN: OWNER_TOKEN,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/resolve to the same live workspace/);
  });
});

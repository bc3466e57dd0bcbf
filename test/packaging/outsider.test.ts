// The packages as a stranger gets them: `pnpm pack` every published package (workspace ranges become
// versions), install the tarballs with plain npm into a folder outside the repository (no workspace, no
// tsx), and use them there: the READMEs' SDK examples with plain node against the installed emulator,
// a TypeScript consumer under strict settings, the `timely-keys` CLI, publint and arethetypeswrong.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  examplesOf,
  manifestOf,
  mustRun,
  pnpm,
  publishedPackages,
  repoRoot,
  run,
  type PublishedPackage,
} from "./support.js";

// Packing, installing and type-checking run several tools at once on a 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

const packDir = mkdtempSync(join(tmpdir(), "timely-keys-pack-"));
const consumer = mkdtempSync(join(tmpdir(), "timely-keys-outsider-"));
const bin = (name: string) => join(consumer, "node_modules", ".bin", name);
const repoBin = (name: string) => join(repoRoot, "node_modules", ".bin", name);
const OWNER_TOKEN = "tkm_EmulatorFixtureAcmeProdOwnerNotReal00000";

/** Plain npm and node: nothing of the pnpm run that started the tests (npm_config_*, npm_*) leaks in. */
const plainEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_") && name !== "NODE_OPTIONS"),
);

const tarballs = new Map<string, string>();
let emulator: ChildProcess | undefined;
let emulatorUrl = "";

function tarballOf(pkg: PublishedPackage): string {
  const file = tarballs.get(pkg.name);
  if (!file) throw new Error(`no tarball for ${pkg.name}`);
  return file;
}

async function entriesOf(tarball: string): Promise<string[]> {
  const listed = await mustRun("tar", ["-tzf", tarball], { cwd: packDir });
  return listed.stdout
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, ""));
}

async function packedManifest(tarball: string): Promise<Record<string, unknown>> {
  const shown = await mustRun("tar", ["-xzOf", tarball, "package/package.json"], { cwd: packDir });
  return JSON.parse(shown.stdout) as Record<string, unknown>;
}

function startInstalledEmulator(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin("timely-keys-emulator"), ["--port", "0", "--seed", "emulator-seed.yaml"], {
      cwd: consumer,
      env: plainEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    emulator = child;
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the installed emulator exited ${code} before listening:\n${seen}`)));
  });
}

beforeAll(async () => {
  // The libraries' dist/ from the current sources (rebuilt when a source is newer; the CLI bundle was
  // rebuilt by the test setup, and rebuilding it here would pull it from under tests running it), then
  // the tarballs, in parallel.
  const libraries = publishedPackages.filter((pkg) => pkg.library).map((pkg) => pkg.dir);
  await mustRun(
    process.execPath,
    [join(repoRoot, "scripts", "build.mjs"), "--only", libraries.join(","), "--if-stale"],
    {
      cwd: repoRoot,
    },
  );
  await Promise.all(
    publishedPackages.map(async (pkg) => {
      const own = mkdtempSync(join(packDir, `${pkg.dir}-`));
      await mustRun(pnpm.file, [...pnpm.args, "pack", "--pack-destination", own], {
        cwd: join(repoRoot, "packages", pkg.dir),
      });
      const [file] = readdirSync(own).filter((name) => name.endsWith(".tgz"));
      if (!file) throw new Error(`pnpm pack made no tarball for ${pkg.name}`);
      tarballs.set(pkg.name, join(own, file));
    }),
  );

  writeFileSync(
    join(consumer, "package.json"),
    `${JSON.stringify({ name: "outsider", private: true, type: "module" }, null, 2)}\n`,
  );
  await mustRun(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      ...publishedPackages.map(tarballOf),
      "@types/node@^20.19.0",
    ],
    { cwd: consumer, env: plainEnv, timeoutMs: 240_000 },
  );
  copyFileSync(join(repoRoot, "examples", "emulator-seed.yaml"), join(consumer, "emulator-seed.yaml"));
  emulatorUrl = await startInstalledEmulator();
}, 300_000);

afterAll(() => {
  emulator?.kill();
  rmSync(consumer, { recursive: true, force: true });
  rmSync(packDir, { recursive: true, force: true });
});

describe.concurrent("the tarballs", () => {
  /** What a package may ship besides package.json, README.md, LICENSE and dist/. */
  const extraFiles: Record<string, RegExp> = {
    "@timely-keys/contract": /^openapi\/timely-api-keys\.yaml$/,
    "@timely-keys/emulator": /^bin\/timely-keys-emulator\.js$/,
    "@timely-keys/provisioner": /^schema\/manifest\.schema\.json$/,
    "timely-keys": /^bin\/timely-keys\.js$/,
  };

  it.each(publishedPackages)("$name ships dist, README, LICENSE and its data files only", async (pkg) => {
    const entries = await entriesOf(tarballOf(pkg));
    expect(entries).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE"]));
    const unexpected = entries.filter(
      (entry) =>
        !["package.json", "README.md", "LICENSE"].includes(entry) &&
        !entry.startsWith("dist/") &&
        !extraFiles[pkg.name]?.test(entry),
    );
    expect(unexpected).toEqual([]);
    const sources = entries.filter(
      (entry) =>
        /(^|\/)(test|tests|fixtures|__tests__)\//.test(entry) ||
        /tsconfig.*\.json$/.test(entry) ||
        /\.test\.[cm]?[jt]s$/.test(entry) ||
        (/\.[cm]?ts$/.test(entry) && !/\.d\.[cm]?ts$/.test(entry)),
    );
    expect(sources).toEqual([]);
  });

  it.each(publishedPackages)("$name: every file its exports and bin name is in the tarball", async (pkg) => {
    const entries = new Set(await entriesOf(tarballOf(pkg)));
    const manifest = await packedManifest(tarballOf(pkg));
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === "string") targets.push(value);
      else if (value && typeof value === "object") Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    collect(manifest.bin);
    collect(manifest.types);
    if (pkg.library) expect(targets.length).toBeGreaterThan(1);
    else expect(Object.keys(manifest.bin as object)).toEqual(["timely-keys"]);
    const missing = targets.map((target) => target.replace(/^\.\//, "")).filter((target) => !entries.has(target));
    expect(missing).toEqual([]);
    if (pkg.library) {
      expect(entries).toContain("dist/index.js");
      expect(entries).toContain("dist/index.d.ts");
      expect(entries).toContain("dist/index.js.map");
    }
  });

  it.each(publishedPackages)(
    "$name: a versioned, described, MIT-licensed package.json with no workspace ranges",
    async (pkg) => {
      const manifest = await packedManifest(tarballOf(pkg));
      expect(JSON.stringify(manifest)).not.toContain("workspace:");
      expect(JSON.stringify(manifest)).not.toContain("@timely-keys/source");
      expect(manifest).toMatchObject({
        name: pkg.name,
        version: manifestOf(pkg).version,
        license: "MIT",
        type: "module",
        engines: { node: ">=20.19" },
        repository: { type: "git", directory: `packages/${pkg.dir}` },
      });
      expect(String(manifest.description).length).toBeGreaterThan(20);
      expect((manifest.keywords as string[]).length).toBeGreaterThan(2);
      expect(manifest.private).toBeUndefined();
    },
  );

  it.each(publishedPackages)("$name passes publint", async (pkg) => {
    const lint = await run(repoBin("publint"), ["run", tarballOf(pkg), "--strict"], { cwd: packDir });
    expect(`${lint.stdout}${lint.stderr}`).toContain("All good!");
    expect(lint.code).toBe(0);
  });

  it.each(publishedPackages)("$name passes arethetypeswrong (ESM-only profile)", async (pkg) => {
    // The OpenAPI document is a data file: there are no types to find for it.
    const exclude =
      pkg.name === "@timely-keys/contract" ? ["--exclude-entrypoints", "./openapi/timely-api-keys.yaml"] : [];
    const check = await run(
      repoBin("attw"),
      [tarballOf(pkg), "--profile", "esm-only", "--format", "json", ...exclude],
      { cwd: packDir },
    );
    const report = JSON.parse(check.stdout) as {
      analysis?: { types?: unknown };
      problems?: Record<string, Array<{ resolutionKind?: string }>>;
    };
    if (pkg.library) expect(report.analysis?.types).toBeTruthy();
    // The profile's exemptions: CommonJS consumers (node16-cjs) and node10 resolution, which predates `exports`.
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((problem) => problem.resolutionKind !== "node16-cjs" && problem.resolutionKind !== "node10");
    expect(problems).toEqual([]);
    expect(check.code).toBe(0);
  });
});

describe("installed outside the repository", () => {
  const sdkExamples = [
    ...examplesOf(join(repoRoot, "README.md"), "@timely-keys/sdk").map((code, i) => ({
      name: `README.md #${i + 1}`,
      code,
    })),
    ...examplesOf(join(repoRoot, "packages", "sdk", "README.md"), "@timely-keys/sdk").map((code, i) => ({
      name: `packages/sdk/README.md #${i + 1}`,
      code,
    })),
  ];

  // The provisioner README's example of its `deliver` entry: an SDK key delivered to a file sink.
  const deliverExamples = examplesOf(
    join(repoRoot, "packages", "provisioner", "README.md"),
    "@timely-keys/provisioner/deliver",
  );

  it("finds the SDK examples in both READMEs, and the deliver example in the provisioner's", () => {
    expect(sdkExamples.map((e) => e.name)).toEqual(["README.md #1", "packages/sdk/README.md #1"]);
    expect(deliverExamples).toHaveLength(1);
    expect(deliverExamples[0]).toContain('from "@timely-keys/sdk"');
  });

  it("plain node imports every JavaScript entry point of every library", async () => {
    const specifiers = publishedPackages
      .filter((pkg) => pkg.library)
      .flatMap((pkg) =>
        Object.keys(manifestOf(pkg).exports as Record<string, unknown>)
          .filter((subpath) => !/\.(json|ya?ml)$/.test(subpath))
          .map((subpath) => `${pkg.name}${subpath.slice(1)}`),
      );
    expect(specifiers).toEqual(
      expect.arrayContaining([
        "@timely-keys/sdk",
        "@timely-keys/emulator",
        "@timely-keys/provisioner/cli",
        "@timely-keys/provisioner/deliver",
        "@timely-keys/provisioner/errors",
      ]),
    );
    const script = `for (const name of ${JSON.stringify(specifiers)}) {
  const exported = Object.keys(await import(name));
  if (exported.length === 0) throw new Error(name + " exports nothing");
}
`;
    writeFileSync(join(consumer, "import-all.mjs"), script);
    const imported = await run(process.execPath, ["import-all.mjs"], { cwd: consumer, env: plainEnv });
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
  });

  // The examples use the SDK's default base URL, the real API: a preload points that origin at the
  // emulator started from the installed package and refuses any other destination (no network here).
  const redirect = `const from = "https://api.timelyai.com.br";
const to = process.env.OUTSIDER_EMULATOR_URL;
const original = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (typeof input !== "string" || !input.startsWith(from + "/")) {
    throw new Error("unexpected fetch of " + String(input));
  }
  return original(to + input.slice(from.length), init);
};
`;

  it.each(sdkExamples)(
    "plain node runs the SDK example of $name against the installed emulator",
    async ({ name, code }) => {
      const dir = join(consumer, `example-${name.replace(/[^a-z0-9]+/gi, "-")}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(consumer, "redirect-to-emulator.mjs"), redirect);
      writeFileSync(join(dir, "example.mjs"), code);
      const result = await run(process.execPath, ["--import", "../redirect-to-emulator.mjs", "example.mjs"], {
        cwd: dir,
        env: { ...plainEnv, TIMELY_API_KEY: OWNER_TOKEN, OUTSIDER_EMULATOR_URL: emulatorUrl },
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/tml_\w{4}…/); // the secret, printed masked
      const written = readdirSync(dir).filter((file) => file.endsWith(".key"));
      expect(written).toHaveLength(1);
      const secret = readFileSync(join(dir, written[0]!), "utf8");
      expect(secret).toMatch(/^tml_[A-Za-z0-9]{40}$/);
      expect(result.stdout).not.toContain(secret);
    },
  );

  it("plain node runs the deliver example: an SDK-made key, its secret delivered to a file sink", async () => {
    const dir = join(consumer, "example-deliver");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(consumer, "redirect-to-emulator.mjs"), redirect);
    writeFileSync(join(dir, "example.mjs"), deliverExamples[0] ?? "");
    const result = await run(process.execPath, ["--import", "../redirect-to-emulator.mjs", "example.mjs"], {
      cwd: dir,
      env: { ...plainEnv, TIMELY_API_KEY: OWNER_TOKEN, OUTSIDER_EMULATOR_URL: emulatorUrl },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const delivered = readFileSync(join(dir, "secrets", "billing.env"), "utf8");
    expect(delivered).toMatch(/^BILLING_API_KEY=tml_[A-Za-z0-9]{40}\n$/);
    const secret = delivered.trim().slice("BILLING_API_KEY=".length);
    expect(result.stdout).toContain(
      `deliver: file:${join(dir, "secrets", "billing.env")}#BILLING_API_KEY received key`,
    );
    expect(result.stdout).toContain("delivered to file:");
    expect(result.stdout).not.toContain(secret);
    // The secret in the file is the key the emulator just made: it authenticates.
    const me = await fetch(`${emulatorUrl}/v1/me`, { headers: { "x-api-key": secret } });
    expect(me.status).toBe(200);
  });

  const consumerSource = `import { writeFile } from "node:fs/promises";
import type { components, paths } from "@timely-keys/contract";
import { startEmulator, type Emulator, type EmulatorOptions } from "@timely-keys/emulator";
import { parseManifest, plan, renderText, validate, type Plan } from "@timely-keys/provisioner";
import {
  DeliveryError,
  createSink,
  deliverAll,
  type DeliverAllOptions,
  type DeliveryContext,
  type DeliveryReport,
  type SecretValue,
  type Sink,
  type SinkConfig,
} from "@timely-keys/provisioner/deliver";
import {
  NotFoundError,
  TimelyClient,
  TimelyError,
  maskSecret,
  scopeValues,
  type ApiKey,
  type CreatedKey,
  type Scope,
  type TimelyClientOptions,
} from "@timely-keys/sdk";

const options: TimelyClientOptions = {
  apiKey: "tkm_example",
  baseUrl: "http://127.0.0.1:9",
  maxRetries: 0,
  pacing: false,
};
const client = new TimelyClient(options);
const scopes: Scope[] = scopeValues.filter((scope) => scope !== "write");
const created: CreatedKey = await client.apiKeys.create({ name: "typed", scopes, expires_in_days: 30 });
const key: ApiKey = created.key;
const schema: components["schemas"]["ApiKey"] = key;
type ListPath = paths["/v1/api-keys"]["get"];
const status: ListPath["parameters"]["query"] = { status: "active" };
try {
  await client.apiKeys.get(key.id);
} catch (error) {
  if (error instanceof NotFoundError) console.log(error.requestId);
  else if (error instanceof TimelyError) console.log(error.code, error.status);
}
await writeFile("secret", created.secret.reveal(), { mode: 0o600 });
console.log(maskSecret(created.secret.reveal()), schema.name, status);

const emulatorOptions: EmulatorOptions = { port: 0 };
const emulator: Emulator = await startEmulator(emulatorOptions);
await emulator.close();
const planned: Plan | undefined = undefined;
console.log(parseManifest, plan, renderText, validate, planned);

const sinkConfigs: SinkConfig[] = [
  { type: "file", path: "out.env", format: "dotenv" },
  { type: "vault", address: "https://vault.example.com", path: "app", auth: { method: "token" } },
];
const ownSink: Sink = {
  type: "exec",
  destination: "exec:own",
  async deliver(value: SecretValue, context: DeliveryContext) {
    if (value.reveal() === "") throw new Error(context.keyId);
  },
};
const deliverOptions: DeliverAllOptions = { retry: { maxRetries: 1 }, sleep: async () => undefined, random: () => 0 };
const report: DeliveryReport = await deliverAll(
  created.secret,
  [...sinkConfigs.map((config) => createSink(config, ".")), ownSink],
  { workspace: "w", entryId: "e", keyName: key.name, keyId: key.id, manifestDir: ".", env: process.env },
  deliverOptions,
);
if (report.error instanceof DeliveryError) console.log(report.error.destination, report.error.maybeDelivered);
`;

  it.concurrent.each([
    { resolution: "NodeNext", module: "NodeNext" },
    { resolution: "Bundler", module: "Preserve" },
  ])(
    "tsc --noEmit passes for a strict consumer (moduleResolution $resolution, " +
      "exactOptionalPropertyTypes, skipLibCheck false)",
    async ({ resolution, module }) => {
      const dir = join(consumer, `types-${resolution.toLowerCase()}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "consumer.ts"), consumerSource);
      for (const [i, { code }] of sdkExamples.entries()) writeFileSync(join(dir, `readme-example-${i + 1}.ts`), code);
      writeFileSync(join(dir, "readme-deliver-example.ts"), deliverExamples[0] ?? "");
      const tsconfig = {
        compilerOptions: {
          target: "ES2022",
          module,
          moduleResolution: resolution,
          lib: ["ES2023"],
          types: ["node"],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
        },
        include: ["*.ts"],
      };
      writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
      // The repository's TypeScript compiler; every type it reads comes from the consumer's node_modules.
      const tsc = await run(
        process.execPath,
        [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
        { cwd: dir, env: plainEnv },
      );
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.code).toBe(0);
    },
  );

  it("npx timely-keys: --version, validate, plan and apply --auto-approve against the installed emulator", async () => {
    const work = join(consumer, "cli");
    mkdirSync(work, { recursive: true });
    writeFileSync(
      join(work, "timely-keys.yaml"),
      `version: 1
workspaces:
  - name: acme-prod
    tokenEnv: TIMELY_ACME_PROD_TOKEN
    keys:
      - id: outsider
        name: Outsider integration
        scopes: [read]
        expiresInDays: 90
        deliver:
          - { type: file, path: ./secrets/outsider.env, format: dotenv }
`,
    );
    const env = { ...plainEnv, NO_COLOR: "1", TIMELY_API_URL: emulatorUrl, TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN };
    const cli = (...args: string[]) => run("npx", ["--no", "--", "timely-keys", ...args], { cwd: work, env });

    const version = await cli("--version");
    expect(version.stdout).toBe(`timely-keys ${manifestOf(publishedPackages[4]).version}\n`);
    expect(version.code).toBe(0);

    const validated = await cli("validate");
    expect(validated.code, validated.stderr).toBe(0);

    const planned = await cli("plan", "--detailed-exitcode");
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toContain("outsider");

    const applied = await cli("apply", "--auto-approve");
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(join(work, "secrets", "outsider.env"), "utf8")).toMatch(/=tml_[A-Za-z0-9]{40}\n?$/);

    const again = await cli("plan", "--detailed-exitcode");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const output of [validated, planned, applied, again])
      expect(output.stdout + output.stderr).not.toMatch(/tml_[A-Za-z0-9]{40}/);
  });
});

// Runs the bad-input corpus (cases.ts) and every bad manifest fixture of the provisioner through the
// built CLI, as a subprocess. For each: exit 1; stderr is one `error:` line (a usage hint may
// follow) or file:line:col diagnostics; no stack trace and no internal error name; no mutating
// request reached the API; none of the planted secrets (nor any token or minted secret) printed.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, it } from "vitest";
import { badCases } from "../../packages/provisioner/test/fixtures/manifests/bad-cases.js";
import { runCli } from "../support/cli.js";
import { OWNER_TOKEN, STAGING_TOKEN, mutations, secretsOf, startTestEmulator } from "../support/emulator.js";
import { findLeaks } from "../support/leaks.js";
import { cases, VALID_MANIFEST, type Api, type BadInputCase } from "./cases.js";

const fixtures = join(import.meta.dirname, "../../packages/provisioner/test/fixtures/manifests/bad");

let shared: Emulator;
beforeAll(async () => {
  shared = await startTestEmulator();
});
afterAll(async () => {
  await shared.close();
});

/** Problems with stderr as a message to a person; [] when it is one clear message. */
function messageProblems(stderr: string): string[] {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  const problems: string[] = [];
  if (lines.some((line) => /^\s+at /.test(line))) problems.push("a stack trace");
  if (stderr.includes("node:internal")) problems.push("node:internal");
  if (/\b(TypeError|ReferenceError|RangeError|SyntaxError|AbortError)\b/.test(stderr))
    problems.push("an internal error name");
  const errors = lines.filter((line) => line.startsWith("error: "));
  const diagnostics = lines.filter((line) => /^\S.*?: (error|warning)\[[a-z0-9-]+\]: \S/.test(line));
  const usageHint = (line: string) => /^Run 'timely-keys [a-z]+ --help' for usage\.$/.test(line);
  if (errors.length === 1) {
    const others = lines.filter(
      (line) => !line.startsWith("error: ") && !usageHint(line) && !diagnostics.includes(line),
    );
    if (others.length > 0) problems.push(`lines besides the error: ${JSON.stringify(others)}`);
  } else if (errors.length > 1) {
    problems.push(`${errors.length} error: lines`);
  } else if (diagnostics.length !== lines.length || !diagnostics.some((line) => /: error\[/.test(line))) {
    problems.push(`neither one error: line nor diagnostics: ${JSON.stringify(lines.slice(0, 5))}`);
  }
  return problems;
}

interface ApiUnderTest {
  url: string;
  /** Mutating requests it received so far. */
  mutations: () => number;
  secrets: () => string[];
  close: () => Promise<void>;
}

async function startApi(api: Api = { kind: "emulator" }): Promise<ApiUnderTest> {
  switch (api.kind) {
    case "emulator":
      return {
        url: shared.url,
        mutations: () => mutations(shared),
        secrets: () => secretsOf(shared),
        close: async () => {},
      };
    case "faulty": {
      const emulator = await startTestEmulator();
      emulator.faults.set(api.faults);
      return {
        url: emulator.url,
        mutations: () => mutations(emulator),
        secrets: () => secretsOf(emulator),
        close: () => emulator.close(),
      };
    }
    case "http": {
      let count = 0;
      const server = createHttpServer((req, res) => {
        if (!["GET", "HEAD"].includes(req.method ?? "GET")) count += 1;
        api.answer(req, res);
      });
      return {
        url: await listen(server),
        mutations: () => count,
        secrets: () => [OWNER_TOKEN],
        close: () => close(server),
      };
    }
    case "raw": {
      let count = 0;
      const server = createTcpServer((socket) => {
        socket.once("data", (chunk) => {
          if (/^(POST|PUT|PATCH|DELETE) /.test(chunk.toString("latin1"))) count += 1;
          api.answer(socket);
        });
        socket.on("error", () => undefined);
      });
      return {
        url: await listen(server),
        mutations: () => count,
        secrets: () => [OWNER_TOKEN],
        close: () => close(server),
      };
    }
    case "url":
      return { url: api.url, mutations: () => 0, secrets: () => [OWNER_TOKEN], close: async () => {} };
  }
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server | ReturnType<typeof createTcpServer>): Promise<void> {
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function runCase(c: BadInputCase): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "timely-keys-bad-input-"));
  const api = await startApi(c.api);
  try {
    const files = { "timely-keys.yaml": VALID_MANIFEST, ...c.files };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const env: NodeJS.ProcessEnv = { TIMELY_API_URL: api.url, PROD_TOKEN: OWNER_TOKEN, STAGING_TOKEN };
    for (const [name, value] of Object.entries(c.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const cli = (args: string[]) => runCli(args, { env, cwd: dir });
    await c.setup?.({ dir, env, cli });
    const before = api.mutations();
    const run = await cli(c.args);
    const problems: string[] = [];
    if (run.code !== 1 || run.signal !== null) problems.push(`exit ${run.code ?? run.signal}, not 1`);
    problems.push(...messageProblems(run.stderr));
    const lines = run.stderr.split("\n");
    if (!lines.some((line) => c.message.test(line))) problems.push(`no line matches ${c.message}`);
    if (api.mutations() !== before) problems.push(`${api.mutations() - before} mutating request(s) reached the API`);
    const leaks = findLeaks({ stdout: run.stdout, stderr: run.stderr }, [...(c.secrets ?? []), ...api.secrets()]);
    if (leaks.length > 0) problems.push(`secrets printed: ${leaks.map((l) => `${l.secret} in ${l.where}`).join(", ")}`);
    return problems.length === 0 ? [] : [...problems, `stderr:\n${run.stderr.slice(0, 2000)}`];
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A bad manifest fixture as a case: apply --auto-approve on it must fail with its finding. */
function fixtureCase(c: (typeof badCases)[number]): BadInputCase {
  const escaped = c.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    name: `fixture ${c.file}`,
    args: ["apply", "--auto-approve", "-f", c.file],
    setup: ({ dir }) => {
      const source = join(fixtures, c.file);
      if (statSync(source).isDirectory()) {
        mkdirSync(join(dir, c.file));
        return;
      }
      const bytes = readFileSync(source);
      if (c.secret !== undefined)
        writeFileSync(join(dir, c.file), bytes.toString("utf8").replace("@@SECRET@@", c.secret));
      else copyFileSync(source, join(dir, c.file));
    },
    env: c.env
      ? { ...c.env, PROD_TOKEN: undefined, STAGING_TOKEN: undefined }
      : { TIMELY_ACME_PROD_TOKEN: OWNER_TOKEN, TIMELY_ACME_STAGING_TOKEN: STAGING_TOKEN },
    message: new RegExp(`error\\[${c.rule}\\]: .*${escaped}`),
    secrets: [c.secret, c.mustNotShow].filter((s): s is string => s !== undefined),
  };
}

describe("the bad-input corpus", () => {
  it("has at least 60 cases of its own, with unique names", ({ expect }) => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });
});

describe.concurrent("bad input gives one clear message, exit 1, no mutation, no secret", () => {
  it.for(cases.map((c) => [c.name, c] as const))("%s", { timeout: 90_000 }, async ([, c], { expect }) => {
    expect(await runCase(c)).toEqual([]);
  });
});

describe.concurrent("the provisioner's bad manifest fixtures, through the CLI", () => {
  it.for(badCases.map((c) => [c.file, fixtureCase(c)] as const))(
    "%s",
    { timeout: 90_000 },
    async ([, c], { expect }) => {
      expect(await runCase(c)).toEqual([]);
    },
  );
});

describe("the message check", () => {
  it("accepts one error line or diagnostics, and rejects stack traces and silence", ({ expect }) => {
    expect(messageProblems("error: something is wrong\n")).toEqual([]);
    expect(messageProblems("error: missing argument\nRun 'timely-keys rollback --help' for usage.\n")).toEqual([]);
    expect(messageProblems("m.yaml:3:5: error[schema]: bad\nm.yaml:4:1: warning[x]: hmm\n")).toEqual([]);
    expect(messageProblems("")).not.toEqual([]);
    expect(messageProblems("error: a\nerror: b\n")).not.toEqual([]);
    expect(messageProblems("error: TypeError: x is undefined\n")).not.toEqual([]);
    expect(messageProblems("error: boom\n    at run (file.js:1:1)\n")).not.toEqual([]);
    expect(messageProblems("m.yaml:1:1: warning[x]: only a warning\n")).not.toEqual([]);
  });
});

describe("after the whole corpus", () => {
  it("the shared emulator received no mutating request at all", ({ expect }) => {
    expect(shared.requests().length).toBeGreaterThan(0);
    expect(mutations(shared)).toBe(0);
  });
});

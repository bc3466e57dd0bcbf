import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCliArgs, DEFAULT_PORT } from "../src/cli.js";
import { runEmulatorCli, startEmulator } from "../src/index.js";
import { call } from "./helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const exampleSeed = fileURLToPath(new URL("../../../examples/emulator-seed.yaml", import.meta.url));

async function runCli(argv: string[], whileRunning?: (url: string) => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEmulatorCli(argv, {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    stopSignal: async (emulator) => {
      await whileRunning?.(emulator.url);
    },
  });
  return { code, out, err };
}

describe("parseCliArgs", () => {
  it("maps flags to options", () => {
    expect(
      parseCliArgs([
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--seed",
        "s.yaml",
        "--state",
        "st.json",
        "--rate-limit",
        "7",
      ]),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      seed: "s.yaml",
      state: "st.json",
      rateLimit: 7,
    });
    expect(parseCliArgs([])).toEqual({ port: DEFAULT_PORT });
    expect(parseCliArgs(["--port=0"])).toEqual({ port: 0 });
  });
});

describe("runEmulatorCli", () => {
  it.each([
    [["--port", "abc"], "--port must be an integer between 0 and 65535"],
    [["--port", "70000"], "--port must be an integer"],
    [["--rate-limit", "0"], "--rate-limit must be an integer between 1"],
    [["--bogus"], "unknown option '--bogus'"],
    [["serve"], "serve"],
    [["--seed"], "--seed"],
    [["--port", "0", "--seed", "/nonexistent/seed.yaml"], "/nonexistent/seed.yaml: cannot read the seed file"],
  ])("exits 1 with one clear error for %j", async (argv, message) => {
    const { code, out, err } = await runCli(argv);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
    expect(err[0]!.startsWith("timely-keys-emulator: ")).toBe(true);
  });

  it("exits 1 when the port is taken", async () => {
    const taken = await startEmulator();
    try {
      const { code, err } = await runCli(["--port", String(taken.port)]);
      expect(code).toBe(1);
      expect(err[0]).toContain("already in use");
    } finally {
      await taken.close();
    }
  });

  it("prints usage for --help", async () => {
    const { code, out } = await runCli(["--help"]);
    expect(code).toBe(0);
    expect(out.join("\n")).toContain("Usage: timely-keys-emulator");
  });

  it("serves until stopped, printing one line with its URL and no token", async () => {
    let health = 0;
    const { code, out, err } = await runCli(
      ["--port", "0", "--seed", exampleSeed, "--rate-limit", "50"],
      async (url) => {
        const reply = await call(url, "GET", "/v1/health");
        health = reply.status;
        expect(reply.headers.get("x-ratelimit-limit")).toBe("50");
      },
    );
    expect(code).toBe(0);
    expect(health).toBe(200);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^Timely\.ai emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[0]).not.toMatch(/tkm_|tml_/);
  });
});

describe("the CLI as a process", () => {
  it("starts, answers, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=@timely-keys/source", "--import", "tsx", "src/cli-main.ts", "--port", "0", "--seed", exampleSeed],
      {
        cwd: packageDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (http:\/\/\S+)\n/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.on("exit", () => reject(new Error(`CLI exited early: ${stderr}`)));
      });
      const me = await call(url, "GET", "/v1/me", { token: "tkm_EmulatorFixtureAcmeProdOwnerNotReal00000" });
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ principal: "member", role: "owner", key_name: "Ana Owner" });
    } finally {
      child.kill("SIGTERM");
    }
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stdout + stderr).not.toMatch(/tkm_|tml_/);
  });
});

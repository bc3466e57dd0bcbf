// The CLI's surface: --version, --help on every command, unknown commands, the emulator command.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cliBin, runCli } from "../support/cli.js";

describe("timely-keys", () => {
  it("--version prints the version", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^timely-keys \d+\.\d+\.\d+\n$/);
  });

  it.each(["validate", "plan", "apply", "rotate", "rollback", "init", "import", "usage", "emulator"])(
    "%s --help",
    async (command) => {
      const run = await runCli([command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: timely-keys ${command}`);
      expect(run.stderr).toBe("");
    },
  );

  it("--help lists every command; no command is a usage error", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["validate", "plan", "apply", "rotate", "rollback", "init", "import", "usage", "emulator"])
      expect(help.stdout).toContain(`  ${command}`);
    expect((await runCli([])).code).toBe(1);
  });

  it("an unknown command is one clear error", async () => {
    const run = await runCli(["destroy"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: unknown command 'destroy'. Run 'timely-keys --help' for the list.\n");
  });

  it("`emulator` serves the API until stopped", async () => {
    const child = spawn(process.execPath, [cliBin, "emulator", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        const match = /listening on (http:\/\/\S+)/.exec(chunk);
        if (match) resolve(match[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const health = await fetch(`${url}/v1/health`);
    expect(health.status).toBe(200);
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
  });
});

// The emulator as its own process (the built `timely-keys-emulator`), for benchmarks whose client
// must not share an event loop with the server.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { emulatorBinPath } from "./cli.js";
import { mintToken, OWNER, tempDir, WORKSPACE } from "./fixtures.js";
import { childEnv } from "./spawn.js";

export interface ChildEmulator {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startChildEmulator(root: string, rateLimit: number): Promise<ChildEmulator> {
  const token = mintToken();
  const dir = tempDir("emulator");
  const seed = dir.file(
    "seed.yaml",
    `workspaces:\n  - name: ${WORKSPACE}\n    members:\n      - { name: ${OWNER}, role: owner, token: ${token} }\n`,
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [emulatorBinPath(root), "--port", "0", "--seed", seed, "--rate-limit", String(rateLimit)],
    {
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.once("line", (line) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match?.[1]) resolve(match[1]);
        else reject(new Error(`unexpected emulator output: ${line}`));
      });
      child.once("exit", (code) =>
        reject(new Error(`the emulator exited (${code}) before listening: ${stderr.trim()}`)),
      );
    });
  } catch (error) {
    if (child.exitCode === null) child.kill("SIGTERM");
    dir.remove();
    throw error;
  }
  return {
    url,
    token,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
      dir.remove();
    },
  };
}

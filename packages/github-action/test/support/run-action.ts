// Runs the GitHub Action's bundle (packages/github-action/dist/index.js) the way the runner runs a
// `node24` action: the Node 24 binary, INPUT_* variables (names keep their dashes), and fresh
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files for each step.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");

export const actionEntry = join(repoRoot, "packages", "github-action", "dist", "index.js");
export const node24 = join(repoRoot, ".tools", "node24", "node_modules", "node", "bin", "node");

/** Installs the npm `node@24` binary into .tools/node24 when it is not there yet. */
export function ensureNode24(): string {
  if (!existsSync(node24)) {
    execFileSync(process.execPath, [join(repoRoot, "scripts", "node24.mjs"), "node", "-e", "0"], {
      stdio: "inherit",
      cwd: repoRoot,
    });
  }
  return node24;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT, parsed (the last value of a name wins, as on the runner). */
  outputs: Record<string, string>;
  /** GITHUB_OUTPUT as written. */
  outputFile: string;
  summary: string;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them (and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter] = heredoc;
      const value: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] as string);
      outputs[name] = value.join("\n");
    } else if (line.includes("=")) {
      outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return outputs;
}

/** The runner's defaults for every input of action.yml, overridden by `inputs`. */
const DEFAULT_INPUTS: Record<string, string> = {
  command: "plan",
  manifest: "timely-keys.yaml",
  workspace: "",
  target: "",
  "fail-on-drift": "false",
  "max-overdue-days": "7",
  shards: "",
  "fail-on": "error",
};

export function runAction(
  inputs: Record<string, string>,
  options: { workspace: string; env: NodeJS.ProcessEnv },
): Promise<ActionRun> {
  const step = mkdtempSync(join(tmpdir(), "timely-keys-step-"));
  const outputPath = join(step, "output");
  const summaryPath = join(step, "summary.md");
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const inputEnv = Object.fromEntries(
    Object.entries({ ...DEFAULT_INPUTS, ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: step,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: step,
    ...inputEnv,
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(node24, [actionEntry], { cwd: options.workspace, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const outputFile = readFileSync(outputPath, "utf8");
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseOutputFile(outputFile),
        outputFile,
        summary: readFileSync(summaryPath, "utf8"),
      });
    });
  });
}

/** What the runner shows: stdout without the `::add-mask::` commands it consumes. */
export function visibleLog(stdout: string): string {
  return stdout
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
}

// Shared by the packaging tests: the published packages, packing them with pnpm, and running tools.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/cli.js";

export { repoRoot };

/** Every package published to npm: folder under packages/ and npm name. */
export const publishedPackages = [
  { dir: "contract", name: "@timely-keys/contract", library: true },
  { dir: "sdk", name: "@timely-keys/sdk", library: true },
  { dir: "emulator", name: "@timely-keys/emulator", library: true },
  { dir: "provisioner", name: "@timely-keys/provisioner", library: true },
  { dir: "cli", name: "timely-keys", library: false },
] as const;

export type PublishedPackage = (typeof publishedPackages)[number];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (never through a shell); `code` is its exit code. */
export function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number")
          return reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Throws with the output when the program did not exit 0. */
export async function mustRun(file: string, args: string[], options: Parameters<typeof run>[2]): Promise<Run> {
  const result = await run(file, args, options);
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** pnpm, pinned as the README pins it (pnpm rewrites `workspace:` ranges to versions when it packs): the pnpm
 *  running the tests (`pnpm test`) when there is one, else through npx. */
const runningPnpm =
  process.env.npm_execpath &&
  /pnpm(\.c?js)?$/.test(process.env.npm_execpath) &&
  process.env.npm_config_user_agent?.startsWith("pnpm/10.34.9 ")
    ? process.env.npm_execpath
    : undefined;
export const pnpm = runningPnpm
  ? { file: process.execPath, args: [runningPnpm] }
  : { file: "npx", args: ["-y", "pnpm@10.34.9"] };

/** The package.json of a package as it is in the repository. */
export function manifestOf(pkg: PublishedPackage): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, "packages", pkg.dir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
}

/** The ```ts / ```js blocks of a Markdown file that import `moduleName`: its complete examples. */
export function examplesOf(markdownFile: string, moduleName: string): string[] {
  const text = readFileSync(markdownFile, "utf8");
  const blocks = [...text.matchAll(/^```(?:ts|js|typescript|javascript)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.filter((code) => code.includes(`from "${moduleName}"`));
}

// The plan() of an earlier commit, next to this tree's: its packages/provisioner/src is exported with
// `git archive` into bench/.baseline/<sha>/ (gitignored), inside the repository so that its imports of
// @timely-keys/sdk and its npm dependencies resolve as this tree's do. Both plans then run in one
// process on the same inputs (plan-function-ab-worker.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { plan as planFn } from "@timely-keys/provisioner";

export type PlanFunction = typeof planFn;

/** The source tree of `sha` (full commit id) under bench/.baseline/, exported on first use. */
export async function exportBaseline(root: string, sha: string): Promise<string> {
  const dir = join(root, "bench", ".baseline", sha);
  const entry = join(dir, "packages", "provisioner", "src", "plan.ts");
  if (existsSync(entry)) return entry;
  // Into a fresh directory, renamed when complete: a stopped export never passes for a finished one.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  try {
    await mkdir(partial, { recursive: true });
    await archiveInto(root, sha, partial);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return entry;
}

/** The full commit id of `rev`, or why it cannot be used (no git, not a repository, no such commit). */
export async function resolveCommit(root: string, rev: string): Promise<{ sha: string } | { reason: string }> {
  const run = await capture("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (run.error !== undefined) return { reason: `git is not available (${run.error})` };
  if (run.code !== 0) return { reason: run.stderr.trim().split("\n")[0] || `commit ${rev} is not in this clone` };
  return { sha: run.stdout.trim() };
}

/** The `plan` function of the exported tree. */
export async function loadPlan(entry: string): Promise<PlanFunction> {
  const module = (await import(pathToFileURL(entry).href)) as { plan?: PlanFunction };
  if (typeof module.plan !== "function") throw new Error(`${entry} exports no plan()`);
  return module.plan;
}

async function archiveInto(root: string, sha: string, dir: string): Promise<void> {
  const git = spawn("git", ["-C", root, "archive", sha, "packages/provisioner/src"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
  git.stdout.pipe(tar.stdin);
  const errors: string[] = [];
  git.stderr.on("data", (chunk: Buffer) => errors.push(chunk.toString("utf8")));
  tar.stderr.on("data", (chunk: Buffer) => errors.push(chunk.toString("utf8")));
  const [gitCode, tarCode] = await Promise.all([exitCode(git), exitCode(tar)]);
  if (gitCode !== 0 || tarCode !== 0) throw new Error(`git archive ${sha} | tar -x failed: ${errors.join(" ").trim()}`);
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
}

function capture(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => resolve({ code: null, stdout: "", stderr: "", error: error.message }));
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
  });
}

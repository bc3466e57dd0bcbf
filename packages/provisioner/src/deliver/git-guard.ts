import { stat } from "node:fs/promises";
import { basename, dirname, relative } from "node:path";
import { configFailure } from "./failure.js";

interface GitResult {
  code: number | null;
  stdout: string;
  /** git is not installed: nothing to protect against. */
  missing: boolean;
}

async function git(args: string[], cwd: string): Promise<GitResult> {
  // Loaded here, not at start-up: only a delivery to a file sink needs it.
  const { execFile } = await import("node:child_process");
  return new Promise((resolvePromise) => {
    execFile("git", args, { cwd, timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        resolvePromise({ code: null, stdout: "", missing: true });
        return;
      }
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolvePromise({ code, stdout: String(stdout), missing: false });
    });
  });
}

/** The deepest folder of `path` that exists: git must run somewhere real before mkdir. */
async function nearestExistingFolder(path: string): Promise<string> {
  let folder = dirname(path);
  for (;;) {
    try {
      if ((await stat(folder)).isDirectory()) return folder;
    } catch {
      // not there yet: look further up
    }
    const parent = dirname(folder);
    if (parent === folder) return folder;
    folder = parent;
  }
}

/**
 * Refuses to write a secret where git could pick it up.
 *
 * Policy: a path tracked by git is refused, and so is any path inside a git work tree that is not
 * ignored by git (an untracked, unignored file is one `git add .` away from a commit). Outside a
 * work tree, or where git is not installed, the write is allowed. Git runs in the file's folder
 * (or its nearest existing ancestor) with the path relative to it, so symlinked folders resolve the
 * way git sees them.
 */
export async function assertNotExposedToGit(path: string): Promise<void> {
  const cwd = await nearestExistingFolder(path);
  const inside = await git(["rev-parse", "--is-inside-work-tree"], cwd);
  if (inside.missing || inside.code !== 0 || inside.stdout.trim() !== "true") return;

  const target = relative(cwd, path) || basename(path);
  const tracked = await git(["ls-files", "--error-unmatch", "--", target], cwd);
  if (tracked.code === 0) {
    throw configFailure(
      `refusing to write ${path}: the file is tracked by git; untrack it (git rm --cached) and add it to .gitignore`,
    );
  }
  const ignored = await git(["check-ignore", "-q", "--", target], cwd);
  if (ignored.code === 0) return;
  if (ignored.code === 1) {
    throw configFailure(
      `refusing to write ${path}: it is inside a git work tree and not ignored by git; add it to .gitignore`,
    );
  }
  throw configFailure(
    `refusing to write ${path}: could not ask git whether the path is ignored (exit ${ignored.code})`,
  );
}

import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { FileFormat, FileSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { DOTENV_NAME, dotenvLine, setDotenvVariable } from "./dotenv-edit.js";
import { SinkFailure, configFailure } from "./failure.js";
import { assertNotExposedToGit } from "./git-guard.js";
import { runDelivery } from "./run-delivery.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;
const DEFAULT_VARIABLE = "TIMELY_API_KEY";

/**
 * Writes the secret into a local file (dotenv, JSON or raw), owner-only and atomically: a temp file
 * in the same folder gets the whole content and then replaces the target by rename, so a reader
 * sees the old file or the new one, never half of one. The path resolves against the manifest's
 * folder given here (the same one the destination string names).
 */
export function createFileSink(config: FileSinkConfig, manifestDir: string): Sink {
  const path = resolve(manifestDir, config.path);
  const format: FileFormat = config.format ?? "dotenv";
  const variable = config.variable ?? DEFAULT_VARIABLE;
  const sink: Sink = {
    type: "file",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, log }) => {
        if (format === "dotenv" && !DOTENV_NAME.test(variable)) {
          throw configFailure(`"${variable}" is not a valid dotenv variable name`);
        }
        assertOutsideGitFolder(path);
        await assertNotExposedToGit(path);
        try {
          await mkdir(dirname(path), { recursive: true, mode: FOLDER_MODE });
          await assertPrivateFolder(dirname(path));
          await removeStaleTemps(path);
          const existing = await readExisting(path);
          const content = render(format, variable, clear, existing, path);
          await writeAtomically(path, content);
        } catch (error) {
          throw asFileFailure(error, path);
        }
        log(`file: wrote ${format === "raw" ? "the key" : variable} to ${path} (${format}, mode 0600)`);
      }),
  };
  return sink;
}

/** A target inside a `.git` folder could become a hook or config that git runs: never written. */
function assertOutsideGitFolder(path: string): void {
  if (path.split(sep).includes(".git")) {
    throw configFailure(`refusing to write ${path}: it is inside a .git folder`);
  }
}

/**
 * The folder that receives the secret must be ours alone: writable by group or others, another
 * user could swap the file (or a symlink) in between our checks and the rename; owned by another
 * user, they could change its permissions at any time.
 */
async function assertPrivateFolder(folder: string): Promise<void> {
  if (process.platform === "win32") return;
  const info = await stat(folder);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw configFailure(`refusing to write into ${folder}: it is owned by another user (uid ${info.uid})`);
  }
  if ((info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw configFailure(
      `refusing to write into ${folder}: group or others may write to it (mode ${mode}); chmod go-w it first`,
    );
  }
}

/** The current content, or undefined when the file does not exist. Only regular files are edited. */
async function readExisting(path: string): Promise<string | undefined> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      throw configFailure(`refusing to write ${path}: it is a symbolic link; point the sink at the real file`);
    }
    if (!info.isFile()) throw configFailure(`refusing to write ${path}: it is not a regular file`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return readFile(path, "utf8");
}

function render(
  format: FileFormat,
  variable: string,
  secret: string,
  existing: string | undefined,
  path: string,
): string {
  switch (format) {
    case "raw":
      return `${secret}\n`;
    case "dotenv": {
      const line = dotenvLine(variable, secret);
      if (line === undefined) throw configFailure("the key cannot be written as a dotenv value (it has a newline)");
      return setDotenvVariable(existing ?? "", variable, line);
    }
    case "json":
      return renderJson(variable, secret, existing, path);
  }
}

/** Sets one property and keeps the others; a file that is not a JSON object is never overwritten. */
function renderJson(property: string, secret: string, existing: string | undefined, path: string): string {
  let object: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      throw configFailure(`refusing to overwrite ${path}: it is not valid JSON`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw configFailure(`refusing to overwrite ${path}: it is not a JSON object`);
    }
    object = parsed as Record<string, unknown>;
  }
  object[property] = secret;
  return `${JSON.stringify(object, null, detectIndent(existing))}\n`;
}

function detectIndent(text: string | undefined): string | number {
  const match = text === undefined ? null : /^([ \t]+)"/m.exec(text);
  return match?.[1] ?? 2;
}

/**
 * Temp files of this target that a run left behind when it was killed between writing one and
 * renaming it (each holds a secret) are removed before the next write. One whose process is still
 * alive (another run writing right now) is left alone.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `.${basename(path)}.`;
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "")?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    await unlink(join(folder, name)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Temp file (0600, exclusive create) in the target's folder, fsync, then rename over the target. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, "wx", FILE_MODE);
    try {
      // The mode is set on the open handle before any byte of the secret is written, and never by
      // path after the rename (a path can be a symlink someone swapped in; the handle cannot).
      await handle.chmod(FILE_MODE);
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
  } catch (error) {
    if (!renamed) await unlink(temp).catch(() => undefined);
    throw asFileFailure(error, path, renamed);
  }
}

/** File system errors name the path and the errno code; their own text could quote content. */
function asFileFailure(error: unknown, path: string, written = false): SinkFailure {
  if (error instanceof SinkFailure) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
  return new SinkFailure(`could not write ${path} (${code})`, { retryable: false, maybeDelivered: written });
}

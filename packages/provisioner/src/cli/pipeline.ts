// The CLI's front half: load + validate the manifest (printing findings), then the library's
// read-and-plan (src/pipeline.ts).
import { resolve } from "node:path";
import type { Desired } from "../desired.js";
import { ManifestError } from "../errors.js";
import { checkFilters } from "../pipeline.js";
import { validateFile } from "../validate.js";
import { groupedDiagnosticLines } from "../validate/group.js";
import type { CliIO } from "./io.js";

export { connectionOf, readAndPlan, selectedWorkspaces, serverNowOf } from "../pipeline.js";

export interface ManifestSelection {
  file: string;
  workspaces: string[];
  targets: string[];
  /** Check that the token env vars of the selected workspaces are set. */
  requireEnv: boolean;
  /** How the user gave `targets`, for errors: `--target` (default) or a command's ID argument (`rotate`). */
  targetLabel?: string;
}

/** Loads and validates; prints every finding to stderr; throws when any is an error. */
export async function loadDesired(io: CliIO, selection: ManifestSelection): Promise<Desired> {
  const display = selection.file;
  const result = await validateFile(pathFrom(io, display), {
    env: io.env,
    requireEnv: selection.requireEnv,
    ...(selection.workspaces.length > 0 ? { workspaces: selection.workspaces } : {}),
  });
  for (const line of groupedDiagnosticLines(result.diagnostics)) io.stderr.write(`${line}\n`);
  // The findings printed above are the message: the CLI adds no line for a ManifestError.
  if (!result.desired) throw new ManifestError(display, result.diagnostics);
  checkFilters(result.desired, selection, {
    workspace: "--workspace",
    target: selection.targetLabel ?? "--target",
    manifest: selection.file,
  });
  return result.desired;
}

/** A path the user gave, for this process: relative to the CLI's cwd (which in-process callers may set). */
export function pathFrom(io: CliIO, file: string): string {
  return io.cwd === process.cwd() ? file : resolve(io.cwd, file);
}

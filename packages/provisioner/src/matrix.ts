// The manifest's workspaces as GitHub Actions matrices: one job per workspace, each given only its
// own management token (`secrets[matrix.tokenEnv]`), so adding a workspace needs no workflow edit.
// GitHub runs at most 256 jobs per matrix; more workspaces are split into shards (one matrix each).
import type { Desired } from "./desired.js";
import { UserError } from "./errors.js";

/** GitHub's limit: "A matrix can generate a maximum of 256 jobs per workflow run." */
export const MAX_JOBS_PER_MATRIX = 256;

export interface MatrixJob {
  workspace: string;
  /** The env var the manifest reads the workspace's management token from (a secret of that name). */
  tokenEnv: string;
}

export interface Matrix {
  include: MatrixJob[];
}

/**
 * One matrix of every workspace (`shards` undefined), or exactly `shards` matrices splitting them in
 * manifest order into contiguous runs whose sizes differ by at most one.
 */
export function workspaceMatrix(desired: Desired, shards?: number): Matrix | Matrix[] {
  const jobs: MatrixJob[] = desired.workspaces.map((w) => ({ workspace: w.name, tokenEnv: w.tokenEnv }));
  const needed = Math.max(1, Math.ceil(jobs.length / MAX_JOBS_PER_MATRIX));
  if (shards === undefined) {
    if (needed > 1) {
      throw new UserError(
        `${jobs.length} workspaces do not fit in one matrix (GitHub runs at most ${MAX_JOBS_PER_MATRIX} jobs per ` +
          `matrix): use --shards ${needed} or more`,
      );
    }
    return { include: jobs };
  }
  if (shards < needed) {
    throw new UserError(
      `--shards ${shards} is too few for ${jobs.length} workspaces (at most ${MAX_JOBS_PER_MATRIX} jobs per matrix): ` +
        `use --shards ${needed} or more`,
    );
  }
  const matrices: Matrix[] = [];
  let start = 0;
  for (let shard = 0; shard < shards; shard++) {
    const size = Math.floor(jobs.length / shards) + (shard < jobs.length % shards ? 1 : 0);
    matrices.push({ include: jobs.slice(start, start + size) });
    start += size;
  }
  return matrices;
}

// What every rule of one workspace's plan needs: the clock, the policy, the options and a place to
// put warnings.
import type { Policy } from "../desired.js";
import type { PlanWarning, WarningFacts } from "../model.js";

export interface NormalizedOptions {
  targets: string[] | null;
  workspaces: string[] | null;
  forceRotate: string[];
  rollback: string | null;
  inFlightLeaseSeconds: number;
  compromised: string[];
  revokeFirst: boolean;
}

export interface WorkspaceContext {
  workspace: string;
  /** The workspace's id as its keys report it (for verify), when it has keys. */
  workspaceId: string | null;
  /** The plan's clock, in ms. */
  now: number;
  policy: Policy;
  options: NormalizedOptions;
  warnings: PlanWarning[];
}

export function warn(
  ctx: WorkspaceContext,
  facts: WarningFacts,
  refs: { entryId?: string; keyId?: string } = {},
): void {
  const warning: PlanWarning = { workspace: ctx.workspace, facts };
  if (refs.entryId !== undefined) warning.entryId = refs.entryId;
  if (refs.keyId !== undefined) warning.keyId = refs.keyId;
  ctx.warnings.push(warning);
}

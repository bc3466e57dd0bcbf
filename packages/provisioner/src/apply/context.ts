// What the executor of one workspace's actions works with.
import type { TimelyClient } from "@timely-keys/sdk";
import type { DeliverAllOptions } from "../deliver/index.js";
import type { PlanAction, PlanWorkspace } from "../model.js";
import type { ApplyEvent, ApplyStep } from "./report.js";

export interface WorkspaceExecution {
  workspace: PlanWorkspace;
  /** Authenticated with the workspace's management token. */
  client: TimelyClient;
  /** A client authenticated with a freshly made secret, to verify it with GET /v1/me. */
  probe: (secret: string) => TimelyClient;
  /** The workspace's id, from GET /v1/me with the management token (asked once). */
  workspaceId: () => Promise<string>;
  manifestDir: string;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  deliverOptions?: DeliverAllOptions;
  signal?: AbortSignal;
  emit: (event: ApplyEvent) => void;
  onSecret: (secret: string) => void;
  /** Called after each completed step; the CLI's crash hook for tests lives here. */
  afterStep: (action: PlanAction, step: ApplyStep, keyId: string) => Promise<void> | void;
}

/** The server's clock in unix seconds (the drain clock and markers use it, never the runner's). */
export function serverSeconds(client: TimelyClient): number {
  return Math.floor((client.serverTime() ?? new Date()).getTime() / 1000);
}

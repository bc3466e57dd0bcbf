// A hosted runner's disk is thrown away with the job: a key rotated in CI whose only sinks are
// files reaches no one, and its users break once the previous key drains. Worth a warning.
import type { Plan } from "@timely-keys/provisioner";

export interface SinkWarning {
  workspace: string;
  entryId: string;
  message: string;
}

export function fileOnlyDeliveries(plan: Plan): SinkWarning[] {
  const found: SinkWarning[] = [];
  for (const ws of plan.workspaces) {
    for (const action of ws.actions) {
      if (action.kind !== "create" && action.kind !== "rotate") continue;
      const sinks = action.successor.sinks;
      if (sinks.length === 0 || sinks.some((s) => s.type !== "file")) continue;
      found.push({
        workspace: ws.name,
        entryId: action.entryId,
        message:
          `${ws.name}/${action.entryId}: the new key is delivered only to files ` +
          `(${sinks.map((s) => (s.type === "file" ? s.path : s.type)).join(", ")}); on a GitHub-hosted runner they ` +
          `are deleted with the job, so nothing would receive it. Deliver to githubSecret, awsSecretsManager, ` +
          `vault, onePassword or exec instead, or run on a self-hosted runner that keeps them.`,
      });
    }
  }
  return found;
}

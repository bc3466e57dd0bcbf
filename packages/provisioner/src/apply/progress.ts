// The executor's steps in words, for the CLI's progress lines and the Action's log.
import type { ApplyStep } from "./report.js";

const STEP_TEXT: Record<ApplyStep, string> = {
  create: "created key",
  deliver: "delivered to every sink: key",
  verify: "verified (GET /v1/me answers as the new key, scopes and workspace match): key",
  promote: "promoted to current: key",
  update: "updated key",
  activate: "activated key",
  deactivate: "deactivated key",
  revoke: "revoked key",
};

export function describeStep(step: ApplyStep, keyId: string | undefined): string {
  return `${STEP_TEXT[step]} ${keyId ?? ""}`.trim();
}

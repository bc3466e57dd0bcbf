// The symbol in front of each action, Terraform-like, and the colour it gets on a terminal.
import type { PlanAction } from "../model.js";

export type Tone = "create" | "update" | "replace" | "rotate" | "remove" | "drift" | "info";

/**
 * `+` create, `~` update in place (also enable, disable, adopt, rollback), `-/+` replace (scopes or
 * expiry changed), `↻` rotate (same settings, new secret), `-` deactivate or revoke, `!` drift
 * (unmanaged key), `·` informational (a drain, a quarantine, a successor in flight).
 */
export function toneOf(action: PlanAction): Tone {
  switch (action.kind) {
    case "create":
      return "create";
    case "update":
    case "enable":
    case "disable":
    case "adopt":
    case "rollback":
      return "update";
    case "rotate":
      return action.replace ? "replace" : "rotate";
    case "retire":
    case "deactivate-previous":
    case "revoke-previous":
    case "revoke-abandoned":
      return "remove";
    case "drift":
      return "drift";
    case "drain":
    case "quarantine":
    case "in-flight":
      return "info";
  }
}

export const SYMBOLS: Record<Tone, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  rotate: "↻",
  remove: "-",
  drift: "!",
  info: "·",
};

export function symbolOf(action: PlanAction): string {
  return SYMBOLS[toneOf(action)];
}

// The words around an incident: who was exposed and which keys that means, and the confirmation
// notice of a compromised rotation naming each key, each sink, and the downtime of --revoke-first.
import type { ExposedEntry } from "../exposure.js";
import type { Plan, RotateAction } from "../model.js";
import { sinkRef } from "../plan/describe.js";
import { painter } from "./ansi.js";
import { sinkLabel } from "./attributes.js";
import { redactText } from "./redact.js";

export { exposedEntries } from "../exposure.js";

export function renderExposure(who: readonly string[], found: readonly ExposedEntry[]): string {
  const lines = [`${who.join(", ")} could read ${found.length} key${found.length === 1 ? "" : "s"}; each is rotated:`];
  for (const entry of found)
    lines.push(`  ${entry.workspace}/${entry.entryId} "${entry.name}" (access: ${entry.via.join(", ")})`);
  return redactText(lines.join("\n"));
}

export function renderEmergencyNotice(plan: Plan, options: { color: boolean }): string {
  const paint = painter(options.color);
  const rotations: RotateAction[] = [];
  for (const ws of plan.workspaces)
    for (const a of ws.actions) if (a.kind === "rotate" && a.emergency) rotations.push(a);
  if (rotations.length === 0) return "";
  const revokeFirst = rotations.some((a) => a.emergency?.revokeFirst);
  const lines = [
    paint(
      "bold",
      `! Compromised: ${rotations.length} key${rotations.length === 1 ? "" : "s"} get a new secret now, ` +
        "and the old key is revoked in this run:",
    ),
  ];
  for (const a of rotations) {
    const sinks = a.successor.sinks.map((sink) => sinkLabel(sinkRef(sink))).join(", ") || "no sinks";
    const old = `"${a.keyName ?? a.entryId}" #${a.generation ?? "?"} (${a.keyId})`;
    lines.push(`  ${a.workspace}/${a.entryId}: old key ${old}; new key #${a.successor.generation} goes to ${sinks}`);
  }
  if (revokeFirst) {
    lines.push(
      paint(
        "red",
        "  --revoke-first: each old key is deactivated BEFORE its new key exists: " +
          "whatever uses it fails until the new key reaches it.",
      ),
    );
  } else {
    lines.push(
      "  If a delivery or a check fails, that old key stays active and the run exits 1; " +
        "the next run continues the emergency.",
    );
  }
  return redactText(lines.join("\n"));
}

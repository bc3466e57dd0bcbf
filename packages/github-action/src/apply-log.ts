// The log of an apply: one line per step as it happens, then what was and was not done.
import { countResults, describeStep, type ApplyEvent, type ApplyReport } from "@timely-keys/provisioner";
import { redactTokens } from "./annotations.js";

function label(event: Pick<ApplyEvent, "action">): string {
  const a = event.action;
  return `${a.workspace}/${a.entryId ?? a.keyName ?? a.keyId ?? "?"}`;
}

export function progressLine(event: ApplyEvent): string {
  const text = (() => {
    switch (event.type) {
      case "start":
        return `${label(event)}: ${event.action.kind}...`;
      case "step":
        return `${label(event)}:   ${event.message ?? (event.step ? describeStep(event.step, event.keyId) : "")}`;
      case "done":
        return `${label(event)}: ${event.action.kind} done`;
      case "failed":
        return `${label(event)}: ${event.action.kind} FAILED: ${event.message ?? ""}`;
      case "skipped":
        return `${label(event)}: ${event.action.kind} skipped: ${event.message ?? ""}`;
    }
  })();
  return redactTokens(text);
}

/** The closing lines: counts, then every action that was not done, and why. */
export function closingLines(report: ApplyReport): string[] {
  const counts = countResults(report.results);
  const lines = [
    `${report.ok ? "Apply complete!" : "Apply failed."} ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`,
  ];
  const done = report.results.filter((r) => r.status === "done");
  if (!report.ok && done.length > 0) {
    lines.push("Done:");
    for (const r of done)
      lines.push(
        `  ${r.action.workspace}/${r.action.entryId ?? r.action.keyId ?? "?"} ${r.action.kind}${r.newKeyId ? ` (new key ${r.newKeyId})` : ""}`,
      );
  }
  const notDone = report.results.filter((r) => r.status !== "done");
  for (const e of report.workspaceErrors) lines.push(`  error: ${e.message}`);
  if (notDone.length > 0) {
    lines.push("Not done:");
    for (const r of notDone)
      lines.push(
        `  ${r.status}: ${r.action.workspace}/${r.action.entryId ?? r.action.keyId ?? "?"} ${r.action.kind}: ${r.message ?? ""}`,
      );
    lines.push("Re-run apply to continue: completed steps are not repeated.");
  }
  if (report.rotated.length > 0) lines.push(`Rotation advanced for: ${report.rotated.join(", ")}`);
  return lines.map(redactTokens);
}

/** One error annotation per workspace that could not be worked on and per action that failed. */
export function failures(report: ApplyReport): string[] {
  return [
    ...report.workspaceErrors.map((e) => e.message),
    ...report.results
      .filter((r) => r.status === "failed")
      .map(
        (r) =>
          `${r.action.workspace}/${r.action.entryId ?? r.action.keyId ?? "?"}: ${r.action.kind} failed: ${r.message ?? "unknown error"}`,
      ),
  ].map(redactTokens);
}

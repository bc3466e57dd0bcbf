// Events and message bodies, pure: from an apply report or check findings to what each target is
// sent. Bodies are built field by field from plain data (ids, names, kinds, times, redacted error
// lines), so no secret or token can reach them; every string is passed through redactText as well.
import type { ApplyReport } from "../apply/report.js";
import type { Finding } from "../check/model.js";
import { evidenceText, findingLine, findingTitle, fixText } from "../render/check.js";
import { redactText } from "../render/redact.js";
import type { NotifyEvent, NotifyTarget } from "./model.js";

const RETIRING_KINDS = new Set(["deactivate-previous", "revoke-previous", "retire", "revoke-abandoned"]);

/** rotation.completed / rotation.failed for every rotation, key.retired for every retirement done. */
export function eventsOfApply(report: ApplyReport, at: string): NotifyEvent[] {
  const events: NotifyEvent[] = [];
  for (const result of report.results) {
    const a = result.action;
    const base = {
      workspace: a.workspace,
      ...(a.entryId !== undefined ? { entryId: a.entryId } : {}),
      ...(a.keyName !== undefined ? { keyName: a.keyName } : {}),
      at,
      action: a.kind,
    };
    if (a.kind === "rotate") {
      if (result.status === "done") {
        events.push({
          ...base,
          type: "rotation.completed",
          ...(result.newKeyId ? { keyId: result.newKeyId } : {}),
          generation: a.successor.generation,
        });
      } else {
        events.push({
          ...base,
          type: "rotation.failed",
          keyId: a.keyId,
          ...(a.generation !== undefined ? { generation: a.generation } : {}),
          error: redactText(result.message ?? result.status),
        });
      }
    } else if (RETIRING_KINDS.has(a.kind) && result.status === "done" && a.keyId !== undefined) {
      const operation = a.kind === "retire" && "operation" in a ? a.operation : a.kind;
      events.push({
        ...base,
        type: "key.retired",
        keyId: a.keyId,
        ...(a.generation !== undefined ? { generation: a.generation } : {}),
        action: operation,
      });
    }
  }
  return events;
}

export function eventsOfFindings(findings: readonly Finding[], at: string): NotifyEvent[] {
  return findings.map((finding) => ({
    type: "check.finding",
    workspace: finding.workspace,
    ...(finding.entryId !== undefined ? { entryId: finding.entryId } : {}),
    ...(finding.key ? { keyId: finding.key.id, keyName: finding.key.name } : {}),
    ...(finding.key?.generation !== undefined ? { generation: finding.key.generation } : {}),
    at,
    finding,
  }));
}

export function wants(target: NotifyTarget, event: NotifyEvent): boolean {
  return target.events === undefined || target.events.includes(event.type);
}

/** One line for people: used as the webhook's `text` and the Slack message. */
export function eventText(event: NotifyEvent): string {
  const where = [event.workspace, event.entryId].filter((p) => p !== undefined).join("/");
  const named = event.keyName !== undefined ? `"${event.keyName}"` : "key";
  const generation = event.generation !== undefined ? ` #${event.generation}` : "";
  const key = `${named}${generation}${event.keyId ? ` (${event.keyId})` : ""}`;
  switch (event.type) {
    case "rotation.completed":
      return `timely-keys: ${where}: rotation completed, new key ${key} delivered, verified and current.`;
    case "rotation.failed":
      return (
        `timely-keys: ${where}: rotation of ${key} FAILED: ${event.error ?? "unknown error"}. Re-run apply; ` +
        `completed steps are not repeated.`
      );
    case "key.retired":
      return `timely-keys: ${where}: ${key} retired (${event.action ?? "retired"}).`;
    case "check.finding":
      return event.finding
        ? `timely-keys check: ${event.finding.severity} ${findingTitle(event.finding.kind)}: ` +
            `${findingLine(event.finding)}`
        : `timely-keys check: ${where}`;
  }
}

/** The JSON body of a webhook: the event's fields, a version, and the line for people. */
export function webhookBody(event: NotifyEvent): string {
  const finding = event.finding
    ? {
        ...event.finding,
        title: findingTitle(event.finding.kind),
        evidenceText: evidenceText(event.finding),
        fixText: fixText(event.finding.fix),
      }
    : undefined;
  const body = { format_version: 1, ...event, ...(finding ? { finding } : {}), text: eventText(event) };
  return JSON.stringify(body, (_key, value: unknown) => (typeof value === "string" ? redactText(value) : value));
}

/** Slack's incoming-webhook message: `text` with &, < and > escaped as Slack requires (no mentions, no links). */
export function slackBody(event: NotifyEvent): string {
  const text = redactText(eventText(event)).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return JSON.stringify({ text });
}

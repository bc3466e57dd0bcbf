// check's findings in words: one line per finding for a terminal and for annotations, a table for
// markdown (job summaries, issues), versioned JSON for machines. Every string from outside (key
// names, paths from the usage endpoint) is escaped for where it goes and passed through redactText.
import type { CheckReport, EvidenceValue, Finding, FindingKind, FixKind } from "../check/model.js";
import { markdownCell } from "./markdown.js";
import { redactingReplacer, redactText } from "./redact.js";

const TITLES: Record<FindingKind, string> = {
  expired: "key expired",
  overdue: "rotation overdue",
  expiring: "key expiring soon",
  stuck: "rotation stuck",
  unused: "key unused",
  forbidden: "requests refused (403)",
  "low-success-rate": "low success rate",
  spike: "request spike",
  "new-endpoint": "new endpoint",
  straggler: "previous key still in use",
  "cannot-rotate": "cannot rotate",
  unmanaged: "unmanaged key",
};

const FIXES: Record<FixKind, string> = {
  "run-apply": "run `timely-keys apply` and check that the scheduled rotation workflow runs",
  deactivate: "set `enabled: false` on the entry (or remove it) if nothing needs the key",
  "add-sink": "add a `deliver:` sink to the entry so that a new key can reach its consumers",
  "review-scopes":
    "add the scope the integration needs to the entry (a rotation to a new key), or stop the client calling it",
  "review-client": "look at the integration's failing requests (its client or the endpoints it calls)",
  investigate: "find out who is using the key; if it may have leaked, run `timely-keys rotate --compromised`",
  "update-consumer": "give the consumer still using the previous key its new secret",
  "manage-or-retire": "add it to the manifest (`timely-keys import`) or retire it (`policy.unmanaged`)",
};

/** Short title of a kind: `rotation overdue`. */
export function findingTitle(kind: FindingKind): string {
  return TITLES[kind];
}

export function fixText(fix: FixKind): string {
  return FIXES[fix];
}

function str(value: EvidenceValue | undefined): string {
  if (value === null || value === undefined) return "unknown";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function day(value: EvidenceValue | undefined): string {
  return typeof value === "string" ? value.slice(0, 10) : "an unknown day";
}

function when(value: EvidenceValue | undefined): string {
  return typeof value === "string" ? `${value.slice(0, 10)} ${value.slice(11, 16)} UTC` : "never";
}

function percent(value: EvidenceValue | undefined): string {
  return typeof value === "number" ? `${(value * 100).toFixed(1)}%` : "unknown";
}

function duration(seconds: EvidenceValue | undefined): string {
  if (typeof seconds !== "number") return "an unknown time";
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.round(seconds / 60)}m`;
}

/** What was found, in one sentence (without the key and the fix). */
export function evidenceText(finding: Finding): string {
  const e = finding.evidence;
  switch (finding.kind) {
    case "expired":
      return `expired on ${day(e.expiresAt)}`;
    case "expiring":
      return (
        `expires on ${day(e.expiresAt)}, in ${str(e.daysLeft)} days (rotateBeforeExpiryDays ` +
        `${str(e.rotateBeforeExpiryDays)})`
      );
    case "overdue":
      return (
        `is ${str(e.ageDays)} days old, past maxAgeDays ${str(e.maxAgeDays)} + max-overdue-days ` +
        `${str(e.maxOverdueDays)}: its rotation is overdue`
      );
    case "stuck":
      return (
        `successor is still ` +
        str(e.phase) +
        (typeof e.sinksTotal === "number" ? ` (${str(e.sinksDone)}/${str(e.sinksTotal)} sinks)` : "") +
        ` since ${when(e.lastTouchedAt)}, past its ${duration(e.leaseSeconds)} lease: ` +
        "the run that made it failed or died"
      );
    case "unused":
      return `not used for ${str(e.idleDays)} days (last used ${when(e.lastUsedAt)}; unusedDays ${str(e.unusedDays)})`;
    case "forbidden":
      return (
        `${str(e.forbiddenRequests)} of its ${str(e.recentRequests)} recent requests were refused with 403 ` +
        `(${str(e.paths)}; scopes ${str(e.scopes)})`
      );
    case "low-success-rate":
      return (
        `recent success rate ${percent(e.successRate)} over ${str(e.recentRequests)} requests, under ` +
        `minSuccessRate ${percent(e.minSuccessRate)}`
      );
    case "spike":
      return (
        `${str(e.recentPerHour)} requests/hour since ${when(e.since)}, over ${str(e.spikeFactor)} times its ` +
        `lifetime average of ${str(e.lifetimePerHour)}/hour`
      );
    case "new-endpoint":
      return `recently called ${str(e.endpoints)} for the first time`;
    case "straggler":
      return (
        `is still used (last ${when(e.lastUsedAt)}) more than the ${duration(e.drainWindowSeconds)} drain ` +
        `window after #${str(e.successorGeneration)} was promoted (${when(e.successorPromotedAt)})`
      );
    case "cannot-rotate":
      return e.rotationDue === true
        ? "is due for rotation, but its entry has no deliver sinks, so no run rotates it"
        : "has no deliver sink: it is never created or rotated";
    case "unmanaged":
      return `is not in the manifest (status ${str(e.status)}, last used ${when(e.lastUsedAt)})`;
  }
}

/** `acme-prod/crm: key #2 "CRM" (id)` */
export function findingSubject(finding: Finding): string {
  const where = [finding.workspace, finding.entryId].filter((p) => p !== undefined).join("/");
  const key = finding.key;
  if (key === undefined) return where;
  const generation = key.generation !== undefined ? ` #${key.generation}` : "";
  return `${where}: key${generation} "${key.name}" (${key.id})`;
}

/** One line: subject, evidence, fix. Used by the terminal, annotations and notifications. */
export function findingLine(finding: Finding): string {
  return redactText(
    `${findingSubject(finding)} ${evidenceText(finding)}. Fix: ${fixText(finding.fix)}.`.replace(/[\r\n]+/g, " "),
  );
}

export function renderCheckText(report: CheckReport): string {
  if (report.findings.length === 0)
    return "check: no findings: every key is fresh, used as expected and rotating on time.";
  const lines = report.findings.map((f) => `${f.severity.padEnd(7)} ${findingTitle(f.kind)}: ${findingLine(f)}`);
  const { error, warning, info } = report.counts;
  lines.push(
    "",
    `check: ${error} error${error === 1 ? "" : "s"}, ${warning} warning${warning === 1 ? "" : "s"}, ${info} info.`,
  );
  return lines.join("\n");
}

export function renderCheckJson(report: CheckReport): string {
  const { format_version, now, counts, findings } = report;
  return JSON.stringify({ format_version, now, counts, findings }, redactingReplacer, 2);
}

const SEVERITY_ICONS = { error: ":x:", warning: ":warning:", info: ":information_source:" } as const;

export function renderCheckMarkdown(report: CheckReport): string {
  const { error, warning, info } = report.counts;
  const head = ["## timely-keys check", ""];
  if (report.findings.length === 0)
    return `${[...head, "**No findings: every key is fresh, used as expected and rotating on time.**"].join("\n")}\n`;
  const rows = report.findings.map((f) => {
    const key = f.key
      ? `${markdownCell(f.key.name)}${f.key.generation !== undefined ? ` #${f.key.generation}` : ""}`
      : "";
    return (
      `| ${SEVERITY_ICONS[f.severity]} ${f.severity} | ${markdownCell(f.workspace)} | ` +
      `${f.entryId ? `\`${markdownCell(f.entryId)}\`` : ""} | ${key} | ${markdownCell(findingTitle(f.kind))} | ` +
      `${markdownCell(evidenceText(f))} | ${markdownCell(fixText(f.fix))} |`
    );
  });
  return redactText(
    `${[
      ...head,
      `**${error} error${error === 1 ? "" : "s"}, ${warning} warning${warning === 1 ? "" : "s"}, ${info} info.**`,
      "",
      "| Severity | Workspace | Entry | Key | Finding | Evidence | Fix |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n")}\n`,
  );
}

/** A tracked item's title and markdown body (the Action's GitHub issue), from a finding group. */
export function renderGroupIssue(group: {
  kind: "entry" | "drift";
  workspace: string;
  entryId?: string;
  findings: readonly Finding[];
}): { title: string; body: string } {
  const kinds = [...new Set(group.findings.map((f) => findingTitle(f.kind)))].join(", ");
  const title =
    group.kind === "drift"
      ? `timely-keys: unmanaged keys in workspace ${group.workspace}`
      : `timely-keys: ${group.workspace}/${group.entryId}: ${kinds}`;
  const rows = group.findings.map(
    (f) =>
      `| ${SEVERITY_ICONS[f.severity]} ${f.severity} | ` +
      `${f.key ? markdownCell(`${f.key.name}${f.key.generation !== undefined ? ` #${f.key.generation}` : ""}`) : ""} ` +
      `| ${markdownCell(findingTitle(f.kind))} | ${markdownCell(evidenceText(f))} | ` +
      `${markdownCell(fixText(f.fix))} |`,
  );
  const body = [
    group.kind === "drift"
      ? `Workspace \`${markdownCell(group.workspace)}\` has keys that are not in the manifest.`
      : `\`${markdownCell(group.workspace)}/${markdownCell(group.entryId ?? "")}\` needs attention.`,
    "",
    "| Severity | Key | Finding | Evidence | Fix |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "_timely-keys check opened this issue and keeps it up to date; it closes it once the check passes._",
  ].join("\n");
  return { title: redactText(title.replace(/[\r\n]+/g, " ")), body: redactText(body) };
}

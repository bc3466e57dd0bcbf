// The log of an apply, the same for the CLI and the Action: one line per step of a key (each sink
// once), a `[k/N]` counter on long applies, a line when the SDK's pacing holds requests for the
// rate limit, and closing lines that name each problem once. `quiet` keeps only the changes and
// the errors. Every line is inert: texts that quote API fields or program output are sanitized.
import { sanitize } from "@timely-keys/sdk";
import { summaryLine } from "../render.js";
import type { Plan, PlanAction } from "../model.js";
import { countResults, type ApplyEvent, type ApplyReport } from "./report.js";

/** From this many mutating actions on, every line carries the `[k/N]` counter. */
export const LONG_APPLY_ACTIONS = 10;

/** deliverAll's own lines start with this; the sinks' detail lines are left out (one line per sink). */
const DELIVER_PREFIX = "deliver: ";

export class ApplyLog {
  readonly #quiet: boolean;
  readonly #total: number;
  /** Counter numbers, given in the order the actions start. */
  readonly #numbers = new Map<PlanAction, number>();
  /** Actions that printed at least one step line. */
  readonly #printed = new Set<PlanAction>();
  #started = 0;

  constructor(plan: Plan, options: { quiet?: boolean } = {}) {
    this.#quiet = options.quiet ?? false;
    this.#total = plan.workspaces.reduce((n, w) => n + w.actions.filter((a) => a.mutates).length, 0);
  }

  /** The line an event adds to the log, or null when it adds nothing. */
  line(event: ApplyEvent): string | null {
    const text = this.#textOf(event);
    return text === null ? null : this.#numbered(event.action, text);
  }

  /** The SDK's pacing holds requests until the rate-limit window reopens. */
  pacingLine(hold: { waitMs: number }): string | null {
    if (this.#quiet) return null;
    return `waiting ${Math.max(1, Math.ceil(hold.waitMs / 1000))} s for the API rate limit`;
  }

  #textOf(event: ApplyEvent): string | null {
    switch (event.type) {
      case "start":
        return null;
      case "step":
        return stepText(event);
      case "done":
        // A key whose steps were printed needs no "done"; one whose work another run did says so.
        return this.#printed.has(event.action) ? null : `${event.action.kind} done`;
      case "failed":
        return failedText(event.action, event.message);
      case "skipped":
        // Said once, in the closing lines.
        return null;
    }
  }

  #numbered(action: PlanAction, text: string): string {
    this.#printed.add(action);
    let number = this.#numbers.get(action);
    if (number === undefined) {
      this.#started += 1;
      number = this.#started;
      this.#numbers.set(action, number);
    }
    const counter = this.#total >= LONG_APPLY_ACTIONS ? `[${number}/${this.#total}] ` : "";
    return `${counter}${labelOf(action)}: ${sanitize(text)}`;
  }

  /** The closing lines: counts by outcome, then each problem once. */
  closingLines(report: ApplyReport): string[] {
    const counts = countResults(report.results);
    if (report.ok) return this.#quiet ? [] : [applyCountsLine(report)];
    const lines = [applyCountsLine(report)];
    // A workspace stopped before any change (e.g. its token was refused): one line for all its actions.
    const stopped = new Set(report.workspaceErrors.map((e) => e.workspace));
    for (const error of report.workspaceErrors) {
      const skipped = report.results.filter(
        (r) => r.action.workspace === error.workspace && r.status === "skipped",
      ).length;
      lines.push(`  error: ${sanitize(error.message)} (${skipped} action${skipped === 1 ? "" : "s"} not run)`);
    }
    // Each failure's reason was printed on its FAILED line: here only which ones.
    const failed = report.results
      .filter((r) => r.status === "failed")
      .map((r) => `${labelOf(r.action)} ${r.action.kind}`);
    if (failed.length > 0) lines.push(`  failed (reasons above): ${failed.join(", ")}`);
    const afterFailure = report.results.filter((r) => r.status === "skipped" && !stopped.has(r.action.workspace));
    if (afterFailure.length > 0) {
      const reasons = [...new Set(afterFailure.map((r) => (r.message ?? "").replace(/^skipped: /, "")))];
      lines.push(
        `  skipped: ${afterFailure.length} action${afterFailure.length === 1 ? "" : "s"} ` +
          `(${sanitize(reasons.join("; "))})`,
      );
    }
    // Re-running helps after failed steps; a refused token needs fixing first.
    if (counts.failed > 0) lines.push("Fix the failures above and re-run apply: completed steps are not repeated.");
    else if (stopped.size > 0)
      lines.push("Nothing was changed in those workspaces: fix the problem above, then run apply again.");
    return lines;
  }
}

/** How an apply ended, counted: the first closing line, and the job summary's headline. */
export function applyCountsLine(report: ApplyReport): string {
  const counts = countResults(report.results);
  const outcome = report.ok ? "Apply complete!" : "Apply failed.";
  return `${outcome} ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`;
}

/**
 * One line per workspace that could not be worked on and per action that failed, each the same
 * words as its line in the log (without the counter): the Action's error annotations.
 */
export function applyFailureLines(report: ApplyReport): string[] {
  return [
    ...report.workspaceErrors.map((e) => sanitize(e.message)),
    ...report.results
      .filter((r) => r.status === "failed")
      .map((r) => `${labelOf(r.action)}: ${sanitize(failedText(r.action, r.message))}`),
  ];
}

/** What a failed apply comes to, in one line: how many actions failed or were not run, and the plan. */
export function applyFailureSummary(report: ApplyReport, plan: Plan): string {
  const { failed, skipped } = countResults(report.results);
  const stopped = report.workspaceErrors.length;
  return (
    `apply: ${failed} action${failed === 1 ? "" : "s"} failed, ${skipped} skipped` +
    (stopped > 0 ? `, ${stopped} workspace${stopped === 1 ? "" : "s"} not worked on` : "") +
    ` (${summaryLine(plan)}); see the log for what was and was not done`
  );
}

function failedText(action: PlanAction, message: string | undefined): string {
  return `${action.kind} FAILED: ${message ?? "unknown error"}`;
}

function stepText(event: ApplyEvent): string | null {
  const key = event.keyId ? ` ${event.keyId}` : "";
  // A step event with a message announces work in progress (a probe starting), not a step done.
  if (event.message !== undefined && event.step !== "deliver") return event.message;
  switch (event.step) {
    case "create":
      return `created key${key}`;
    case "deliver": {
      const message = event.message;
      // The executor's "delivering to N sinks" / "delivered to every sink" add nothing to one line per sink.
      if (message === undefined || !message.startsWith(DELIVER_PREFIX)) return null;
      const text = message.slice(DELIVER_PREFIX.length);
      const received = /^(.*) received key .*$/.exec(text);
      return received ? `delivered to ${received[1]}` : text;
    }
    case "verify":
      return `verified key${key} (GET /v1/me: scopes and workspace match)`;
    case "promote":
      return `promoted key${key} to current`;
    case "update":
      return `updated key${key}`;
    case "activate":
      return `activated key${key}`;
    case "deactivate":
      return `deactivated key${key}`;
    case "revoke":
      return `revoked key${key}`;
    default:
      return event.message ?? null;
  }
}

function labelOf(action: PlanAction): string {
  return sanitize(`${action.workspace}/${action.entryId ?? action.keyName ?? action.keyId ?? "?"}`);
}

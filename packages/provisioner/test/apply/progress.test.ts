import { describe, expect, it } from "vitest";
import type { ApplyEvent, ApplyReport } from "../../src/apply.js";
import { ApplyLog, applyFailureLines, applyFailureSummary, LONG_APPLY_ACTIONS } from "../../src/apply/progress.js";
import type { Plan, PlanAction } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { desired, entry, live, NOW } from "../plan/fixtures.js";

/** The log as the CLI and the Action print it: every line the ApplyLog gives, in order. */
function harness(keys: number, quiet = false) {
  const lines: string[] = [];
  const made: Plan = plan(desired(Array.from({ length: keys }, (_, i) => entry(`k${i}`))), live([]), NOW);
  const actions = made.workspaces.flatMap((w) => w.actions);
  const log = new ApplyLog(made, { quiet });
  const keep = (line: string | null) => {
    if (line !== null) lines.push(line);
  };
  const printer = {
    onEvent: (event: ApplyEvent) => keep(log.line(event)),
    onPacingHold: (hold: { waitMs: number }) => keep(log.pacingLine(hold)),
    closing: (report: ApplyReport) => log.closingLines(report),
  };
  return { printer, plan: made, actions, output: () => lines };
}

const step = (action: PlanAction, s: ApplyEvent["step"], message?: string): ApplyEvent => ({
  type: "step",
  action,
  step: s,
  keyId: "00000000-0000-4000-8000-000000000001",
  ...(message ? { message } : {}),
});

describe("ApplyLog", () => {
  it("prints one line per step, each sink once, and no start or done lines", () => {
    const { printer, actions, output } = harness(2);
    const [a] = actions as [PlanAction];
    for (const event of [
      { type: "start", action: a } as ApplyEvent,
      step(a, "create"),
      step(a, "deliver", "delivering to 1 sink"),
      step(a, "deliver", "file: wrote TIMELY_API_KEY to /x/.env (dotenv, mode 0600)"),
      step(a, "deliver", "deliver: file:/x/.env#TIMELY_API_KEY received key K (00000000-0000-4000-8000-000000000001)"),
      step(a, "deliver"),
      step(a, "verify"),
      step(a, "promote"),
      { type: "done", action: a } as ApplyEvent,
    ]) {
      printer.onEvent(event);
    }
    expect(output()).toEqual([
      "acme/k0: created key 00000000-0000-4000-8000-000000000001",
      "acme/k0: delivered to file:/x/.env#TIMELY_API_KEY",
      "acme/k0: verified key 00000000-0000-4000-8000-000000000001 (GET /v1/me: scopes and workspace match)",
      "acme/k0: promoted key 00000000-0000-4000-8000-000000000001 to current",
    ]);
  });

  it(`counts [k/N] from ${LONG_APPLY_ACTIONS} actions on, and says when the rate limit holds requests`, () => {
    const { printer, actions, output } = harness(12);
    printer.onEvent(step(actions[0]!, "create"));
    printer.onEvent(step(actions[1]!, "create"));
    printer.onPacingHold({ waitMs: 41_200 });
    printer.onEvent(step(actions[0]!, "verify"));
    expect(output()).toEqual([
      "[1/12] acme/k0: created key 00000000-0000-4000-8000-000000000001",
      "[2/12] acme/k1: created key 00000000-0000-4000-8000-000000000001",
      "waiting 42 s for the API rate limit",
      "[1/12] acme/k0: verified key 00000000-0000-4000-8000-000000000001 (GET /v1/me: scopes and workspace match)",
    ]);
  });

  it("--quiet: no pacing lines and no closing line when all went well", () => {
    const { printer, actions, output } = harness(1, true);
    printer.onPacingHold({ waitMs: 1000 });
    printer.onEvent(step(actions[0]!, "create"));
    const report: ApplyReport = {
      ok: true,
      results: [{ action: actions[0]!, status: "done" }],
      workspaceErrors: [],
      rotated: [],
    };
    expect(printer.closing(report)).toEqual([]);
    expect(output()).toEqual(["acme/k0: created key 00000000-0000-4000-8000-000000000001"]);
  });

  it("closes a refused workspace with one error line and no advice to re-run", () => {
    const { printer, actions } = harness(3);
    const message = "workspace acme: the token in T belongs to a member with role viewer";
    for (const action of actions) printer.onEvent({ type: "skipped", action, message });
    const report: ApplyReport = {
      ok: false,
      results: actions.map((action) => ({ action, status: "skipped" as const, message: `skipped: ${message}` })),
      workspaceErrors: [{ workspace: "acme", message }],
      rotated: [],
    };
    expect(printer.closing(report)).toEqual([
      "Apply failed. 0 done, 0 failed, 3 skipped.",
      `  error: ${message} (3 actions not run)`,
      "Nothing was changed in those workspaces: fix the problem above, then run apply again.",
    ]);
  });

  it("a probe announced on the verify step says the probe, not that the key was verified", () => {
    const { printer, actions, output } = harness(1);
    printer.onEvent(step(actions[0]!, "verify", "probe (verify) http GET https://app.example/health"));
    printer.onEvent(step(actions[0]!, "verify"));
    expect(output()).toEqual([
      "acme/k0: probe (verify) http GET https://app.example/health",
      "acme/k0: verified key 00000000-0000-4000-8000-000000000001 (GET /v1/me: scopes and workspace match)",
    ]);
  });

  it("closes a failed apply with the counts, which failed, what was skipped and why, and the advice", () => {
    const { printer, plan: made, actions, output } = harness(3);
    const [a, b, c] = actions as [PlanAction, PlanAction, PlanAction];
    const reason = "file sink file:/x/.env did not receive key K: EACCES: permission denied\nline two \x1b[2J";
    printer.onEvent({ type: "failed", action: b, message: reason });
    const report: ApplyReport = {
      ok: false,
      results: [
        { action: a, status: "done", newKeyId: "k-1" },
        { action: b, status: "failed", message: reason },
        { action: c, status: "skipped", message: "skipped: an earlier action of the same key failed" },
      ],
      workspaceErrors: [],
      rotated: [],
    };
    // The reason is inert: its newline shown as \n, the escape sequence gone.
    const failedLine =
      "acme/k1: create FAILED: file sink file:/x/.env did not receive key K: EACCES: permission denied\\nline two ";
    expect(output()).toEqual([failedLine]);
    expect(printer.closing(report)).toEqual([
      "Apply failed. 1 done, 1 failed, 1 skipped.",
      "  failed (reasons above): acme/k1 create",
      "  skipped: 1 action (an earlier action of the same key failed)",
      "Fix the failures above and re-run apply: completed steps are not repeated.",
    ]);
    // The Action's error annotations are the log's FAILED lines, word for word.
    expect(applyFailureLines(report)).toEqual([failedLine]);
    expect(applyFailureSummary(report, made)).toBe(
      "apply: 1 action failed, 1 skipped (Plan: 3 to create, 0 to update, 0 to replace, 0 to retire.); " +
        "see the log for what was and was not done",
    );
  });

  it("names a workspace that was not worked on in the failure lines and the summary", () => {
    const { plan: made, actions } = harness(2);
    const message = "workspace acme: the management token in T was rejected (401 UNAUTHORIZED)";
    const report: ApplyReport = {
      ok: false,
      results: actions.map((action) => ({ action, status: "skipped" as const, message: `skipped: ${message}` })),
      workspaceErrors: [{ workspace: "acme", message }],
      rotated: [],
    };
    expect(applyFailureLines(report)).toEqual([message]);
    expect(applyFailureSummary(report, made)).toMatch(
      /^apply: 0 actions failed, 2 skipped, 1 workspace not worked on \(/,
    );
  });
});

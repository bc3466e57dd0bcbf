import { describe, expect, it } from "vitest";
import type { ApplyEvent, ApplyReport } from "../../src/apply.js";
import { ApplyPrinter, LONG_APPLY_ACTIONS } from "../../src/cli/apply-output.js";
import type { CliIO } from "../../src/cli/io.js";
import type { Plan, PlanAction } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { desired, entry, live, NOW } from "../plan/fixtures.js";

function harness(keys: number, quiet = false) {
  let out = "";
  const io: CliIO = { env: {}, cwd: "/", stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
  const made: Plan = plan(desired(Array.from({ length: keys }, (_, i) => entry(`k${i}`))), live([]), NOW);
  const actions = made.workspaces.flatMap((w) => w.actions);
  return { printer: new ApplyPrinter(io, made, { quiet }), actions, output: () => out };
}

const step = (action: PlanAction, s: ApplyEvent["step"], message?: string): ApplyEvent => ({
  type: "step",
  action,
  step: s,
  keyId: "00000000-0000-4000-8000-000000000001",
  ...(message ? { message } : {}),
});

describe("ApplyPrinter", () => {
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
    expect(output().split("\n").filter(Boolean)).toEqual([
      "acme/k0: created key 00000000-0000-4000-8000-000000000001",
      "acme/k0: delivered to file:/x/.env#TIMELY_API_KEY",
      "acme/k0: verified key 00000000-0000-4000-8000-000000000001 (GET /v1/me: scopes and workspace match)",
      "acme/k0: promoted key 00000000-0000-4000-8000-000000000001 to current",
    ]);
  });

  it(`counts [k/N] on applies of ${LONG_APPLY_ACTIONS} actions or more, and says when the rate limit holds requests`, () => {
    const { printer, actions, output } = harness(12);
    printer.onEvent(step(actions[0]!, "create"));
    printer.onEvent(step(actions[1]!, "create"));
    printer.onPacingHold({ waitMs: 41_200 });
    printer.onEvent(step(actions[0]!, "verify"));
    expect(output().split("\n").filter(Boolean)).toEqual([
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
    expect(printer.closing(report)).toBe("");
    expect(output()).toBe("acme/k0: created key 00000000-0000-4000-8000-000000000001\n");
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
    expect(printer.closing(report).split("\n")).toEqual([
      "Apply failed. 0 done, 0 failed, 3 skipped.",
      `  error: ${message} (3 actions not run)`,
      "Nothing was changed in those workspaces: fix the problem above, then run apply again.",
    ]);
  });
});

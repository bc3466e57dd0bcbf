import type { ApplyReport, PlanAction } from "@timely-keys/provisioner";
import { describe, expect, it } from "vitest";
import { closingLines, failures, progressLine } from "../src/apply-log.js";
import { DAY_MS, desiredOf, liveOf, managedKey, planOf } from "./support/fixtures.js";

const now = new Date("2026-06-01T00:00:00Z");
const plan = planOf(
  desiredOf(`version: 1
workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
    keys:
      - { id: crm, name: CRM, scopes: [read], deliver: [{ type: file, path: ./a.env }] }
      - { id: billing, name: Billing, scopes: [read], deliver: [{ type: file, path: ./b.env }] }
`),
  liveOf({ prod: [managedKey("crm", 1, new Date(now.getTime() - 91 * DAY_MS), { name: "CRM" })] }, now),
  now,
);
const [rotate, create] = plan.workspaces[0]!.actions as [PlanAction, PlanAction];

describe("progressLine", () => {
  it("says which key, what and how it went", () => {
    expect(progressLine({ type: "start", action: rotate })).toBe("prod/crm: rotate...");
    expect(progressLine({ type: "step", action: rotate, step: "verify", keyId: "k2" })).toBe(
      "prod/crm:   verified (GET /v1/me answers as the new key, scopes and workspace match): key k2",
    );
    expect(progressLine({ type: "step", action: rotate, message: "delivering to 1 sink" })).toBe(
      "prod/crm:   delivering to 1 sink",
    );
    expect(progressLine({ type: "done", action: create })).toBe("prod/billing: create done");
    expect(
      progressLine({ type: "failed", action: create, message: "boom tml_0123456789abcdefghijABCDEFGHIJ0123" }),
    ).toBe("prod/billing: create FAILED: boom tml_***");
    expect(progressLine({ type: "skipped", action: create, message: "token rejected" })).toBe(
      "prod/billing: create skipped: token rejected",
    );
  });
});

describe("closingLines / failures", () => {
  it("on success: the counts and the rotated ids", () => {
    const report: ApplyReport = {
      ok: true,
      results: [
        { action: rotate, status: "done", newKeyId: "k2" },
        { action: create, status: "done" },
      ],
      workspaceErrors: [],
      rotated: ["crm"],
    };
    expect(closingLines(report)).toEqual([
      "Apply complete! 2 done, 0 failed, 0 skipped.",
      "Rotation advanced for: crm",
    ]);
    expect(failures(report)).toEqual([]);
  });

  it("on failure: what was done and what was not, and why", () => {
    const report: ApplyReport = {
      ok: false,
      results: [
        { action: rotate, status: "done", newKeyId: "k2" },
        { action: create, status: "failed", message: "deliver: file ./b.env: permission denied" },
      ],
      workspaceErrors: [],
      rotated: ["crm"],
    };
    expect(closingLines(report)).toEqual([
      "Apply failed. 1 done, 1 failed, 0 skipped.",
      "Done:",
      "  prod/crm rotate (new key k2)",
      "Not done:",
      "  failed: prod/billing create: deliver: file ./b.env: permission denied",
      "Re-run apply to continue: completed steps are not repeated.",
      "Rotation advanced for: crm",
    ]);
    expect(failures(report)).toEqual(["prod/billing: create failed: deliver: file ./b.env: permission denied"]);
  });

  it("a workspace that could not be worked on: its error, and every action skipped", () => {
    const message = "workspace prod: the management token in PROD_TOKEN was rejected (401 UNAUTHORIZED)";
    const report: ApplyReport = {
      ok: false,
      results: [
        { action: rotate, status: "skipped", message: `skipped: ${message}` },
        { action: create, status: "skipped", message: `skipped: ${message}` },
      ],
      workspaceErrors: [{ workspace: "prod", message }],
      rotated: [],
    };
    expect(closingLines(report)).toEqual([
      "Apply failed. 0 done, 0 failed, 2 skipped.",
      `  error: ${message}`,
      "Not done:",
      `  skipped: prod/crm rotate: skipped: ${message}`,
      `  skipped: prod/billing create: skipped: ${message}`,
      "Re-run apply to continue: completed steps are not repeated.",
    ]);
    expect(failures(report)).toEqual([message]);
  });
});

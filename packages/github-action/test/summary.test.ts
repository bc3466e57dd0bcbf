import { entryDetail, type ApplyReport, type Plan } from "@timely-keys/provisioner";
import { describe, expect, it } from "vitest";
import { bytes } from "../src/markdown.js";
import type { CheckReport, Finding } from "@timely-keys/provisioner";
import { applySection, buildSummary, checkSection, rotationSection, SUMMARY_MAX_BYTES } from "../src/summary.js";
import { DAY_MS, desiredOf, liveOf, managedKey, planOf } from "./support/fixtures.js";

const now = new Date("2026-06-01T00:00:00Z");
const manifest = `version: 1
workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
    keys:
      - { id: crm, name: CRM, scopes: [read], deliver: [{ type: file, path: ./a.env }] }
      - { id: billing, name: Billing, scopes: [read], deliver: [{ type: file, path: ./b.env }] }
`;

function smallPlan(): Plan {
  const desired = desiredOf(manifest);
  return planOf(
    desired,
    liveOf({ prod: [managedKey("crm", 1, new Date(now.getTime() - 91 * DAY_MS), { name: "CRM" })] }, now),
    now,
  );
}

/** The small plan with `n` copies of its entries and actions (distinct ids): a very large organisation. */
function hugePlan(n: number): Plan {
  const plan = smallPlan();
  const ws = plan.workspaces[0];
  if (!ws) throw new Error("no workspace");
  const entries = Array.from({ length: n }, (_, i) =>
    ws.entries.map((e) => ({
      ...e,
      entryId: `${e.entryId}-${i}`,
      facts: { say: "saved" as const, detail: `${entryDetail(e, ws.actions)} ${"x".repeat(300)}` },
    })),
  ).flat();
  const actions = Array.from({ length: n }, (_, i) =>
    ws.actions.map((a) => ({ ...a, entryId: `${a.entryId}-${i}` })),
  ).flat();
  return { ...plan, workspaces: [{ ...ws, entries, actions }] };
}

function reportOf(plan: Plan, failed = false): ApplyReport {
  const results = plan.workspaces
    .flatMap((w) => w.actions.filter((a) => a.mutates))
    .map((action, i) => ({
      action,
      status: failed && i === 0 ? ("failed" as const) : ("done" as const),
      ...(failed && i === 0 ? { message: "409 CONFLICT: something | odd" } : {}),
    }));
  return {
    ok: !failed,
    results,
    workspaceErrors: [],
    rotated: results
      .filter((r) => r.status === "done" && r.action.kind === "rotate")
      .map((r) => r.action.entryId as string),
  };
}

describe("buildSummary", () => {
  it("shows the plan table with each key's rotation phase, unfolded when short", () => {
    const text = buildSummary({ plan: smallPlan() });
    expect(text).toContain("## Rotation status\n");
    expect(text).toMatch(/\| prod \| `crm` \| rotating 1\/6 \| {2}\| rotation 1\/6: rotate "CRM" #1 -&gt; #2/);
    expect(text).toMatch(/\| prod \| `billing` \| new 1\/6 \|/);
    expect(text).toContain("## timely-keys plan");
    expect(text).toContain("| prod | `crm` | ↻ rotate | max_age | rotating 1/6 |");
    expect(text).not.toContain("<details>");
  });

  it("puts what apply did first, and the rotation status after the run when given", () => {
    const plan = smallPlan();
    const text = buildSummary({ plan, apply: reportOf(plan, true), after: plan });
    expect(text.indexOf("## timely-keys apply")).toBe(0);
    expect(text).toContain("**Apply failed. 1 done, 1 failed, 0 skipped.**");
    expect(text).toContain("| prod | `crm` | rotate | **failed** | 409 CONFLICT: something \\| odd |");
    expect(text).toContain("## Rotation status after this run");
    expect(text.indexOf("## Rotation status")).toBeLessThan(text.indexOf("## timely-keys plan"));
  });

  it("folds long tables and stays under GitHub's 1 MiB limit however large the organisation", () => {
    // renderMarkdown matches actions to entries pairwise: a few thousand entries keep this test quick.
    const plan = hugePlan(2_000);
    // Uncut, the rotation table alone would be over the limit.
    expect(bytes(rotationSection(plan, "Rotation status", Number.MAX_SAFE_INTEGER))).toBeGreaterThan(1024 * 1024);
    const found: Finding[] = plan.workspaces[0]!.entries.map((e) => ({
      kind: "overdue",
      severity: "error",
      workspace: "prod",
      entryId: e.entryId,
      key: { id: "k", name: "x".repeat(100), generation: 1 },
      evidence: { ageDays: 200, maxAgeDays: 90, maxOverdueDays: 7 },
      fix: "run-apply",
    }));
    const check: CheckReport = {
      format_version: 1,
      now: "2026-06-01T00:00:00Z",
      findings: found,
      counts: { error: found.length, warning: 0, info: 0 },
    };
    for (const input of [{ plan }, { plan, apply: reportOf(plan), after: plan }, { plan, check }]) {
      const text = buildSummary(input);
      expect(bytes(text)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
      expect(SUMMARY_MAX_BYTES).toBeLessThan(1024 * 1024);
      expect(text).toContain("<details><summary>4000 keys</summary>");
      expect(text).toMatch(/more keys not shown/);
      expect(text).toContain("<details><summary>4000 rows: every managed key and action</summary>");
    }
  });

  it("respects a smaller budget exactly", () => {
    const plan = hugePlan(500);
    for (const maxBytes of [4_000, 20_000, 100_000])
      expect(bytes(buildSummary({ plan, apply: reportOf(plan), maxBytes }))).toBeLessThanOrEqual(maxBytes);
  });
});

describe("sections", () => {
  it("check: says all is well, or lists every finding with its evidence and fix", () => {
    const none: CheckReport = {
      format_version: 1,
      now: "2026-06-01T00:00:00Z",
      findings: [],
      counts: { error: 0, warning: 0, info: 0 },
    };
    expect(checkSection(none, 10_000)).toContain(
      "**No findings: every key is fresh, used as expected and rotating on time.**",
    );
    const expired: Finding = {
      kind: "expired",
      severity: "error",
      workspace: "prod",
      entryId: "crm",
      key: { id: "k1", name: "CRM", generation: 1 },
      evidence: { expiresAt: "2026-05-01T00:00:00Z" },
      fix: "run-apply",
    };
    const text = checkSection({ ...none, findings: [expired], counts: { error: 1, warning: 0, info: 0 } }, 10_000);
    expect(text).toContain("**1 error, 0 warnings, 0 info.**");
    expect(text).toContain(
      "| error | prod | `crm` | key expired | expired on 2026-05-01 | run `timely-keys apply` and check that the " +
        "scheduled rotation workflow runs |",
    );
  });

  it("apply: no table when nothing was to do", () => {
    expect(applySection({ ok: true, results: [], workspaceErrors: [], rotated: [] }, 10_000)).toBe(
      "## timely-keys apply\n\n**Apply complete! 0 done, 0 failed, 0 skipped.**\n",
    );
  });

  it("rotation: says so when no key is selected", () => {
    expect(rotationSection({ ...smallPlan(), workspaces: [] }, "Rotation status", 1000)).toContain(
      "No managed keys selected.",
    );
  });
});

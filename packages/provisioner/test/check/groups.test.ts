// The check's verdicts the Action turns into outputs and failures: which entries are overdue, and
// which keys drifted from the manifest. Library logic, shared with anything that schedules rotations.
import { describe, expect, it } from "vitest";
import { driftLines, overdueEntryIds } from "../../src/check/groups.js";
import type { Finding } from "../../src/check/model.js";
import { plan } from "../../src/plan.js";
import { apiKey, desired, entry, live, managed, NOW } from "../plan/fixtures.js";

function finding(kind: Finding["kind"], entryId: string | undefined, evidence: Finding["evidence"] = {}): Finding {
  return {
    kind,
    severity: "error",
    workspace: "acme",
    ...(entryId === undefined ? {} : { entryId }),
    evidence,
    fix: "run-apply",
  } as Finding;
}

describe("overdueEntryIds", () => {
  it("keeps expired, expiring and overdue entries, and those due that cannot rotate; each once, in order", () => {
    const report = {
      findings: [
        finding("overdue", "crm"),
        finding("expired", "billing"),
        finding("unused", "idle"),
        finding("expiring", "crm"),
        finding("cannot-rotate", "no-sink", { rotationDue: true }),
        finding("cannot-rotate", "not-yet", { rotationDue: false }),
        finding("unmanaged", undefined),
      ],
    };
    expect(overdueEntryIds(report)).toEqual(["crm", "billing", "no-sink"]);
  });
});

describe("driftLines", () => {
  const crm = entry("crm", { name: "Salesforce sync", description: "Salesforce sync" });

  it("names unmanaged keys and keys changed outside the manifest", () => {
    const key = managed(crm, 1);
    const edited = { ...key, description: `Someone's note ${key.description.slice("Salesforce sync ".length)}` };
    const handMade = apiKey({ name: "Hand Made", description: "made by hand" });
    const lines = driftLines(plan(desired([crm]), live([edited, handMade]), NOW));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^acme\/crm: changed outside the manifest \(.+\)$/);
    expect(lines[1]).toBe("acme: unmanaged key Hand Made");
  });

  it("is empty for a plan that only creates", () => {
    expect(driftLines(plan(desired([crm]), live([]), NOW))).toEqual([]);
  });
});

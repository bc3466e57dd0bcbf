import { describe, expect, it } from "vitest";
import { fileOnlyDeliveries } from "../src/runner-sinks.js";
import { DAY_MS, desiredOf, liveOf, managedKey, planOf } from "./support/fixtures.js";

const now = new Date("2026-06-01T00:00:00Z");
const manifest = `version: 1
workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
    keys:
      - { id: local, name: Local, scopes: [read],
          deliver: [{ type: file, path: ./a.env }, { type: file, path: ./b.json, format: json }] }
      - { id: remote, name: Remote, scopes: [read],
          deliver: [{ type: file, path: ./c.env }, { type: githubSecret, repository: acme/app, secretName: KEY }] }
      - { id: steady, name: Steady, scopes: [read], deliver: [{ type: file, path: ./d.env }] }
`;

describe("fileOnlyDeliveries", () => {
  it("warns about new keys that only files would receive, not about keys with a remote sink or no new key", () => {
    const desired = desiredOf(manifest);
    const live = liveOf({ prod: [managedKey("steady", 1, new Date(now.getTime() - DAY_MS), { name: "Steady" })] }, now);
    const warnings = fileOnlyDeliveries(planOf(desired, live, now));
    expect(warnings.map((w) => w.entryId)).toEqual(["local"]);
    expect(warnings[0]?.message).toMatch(
      /^prod\/local: the new key is delivered only to files \(\.\/a\.env, \.\/b\.json\); on a GitHub-hosted runner/,
    );
  });

  it("covers rotations too", () => {
    const desired = desiredOf(manifest);
    const live = liveOf(
      { prod: [managedKey("steady", 1, new Date(now.getTime() - 95 * DAY_MS), { name: "Steady" })] },
      now,
    );
    expect(fileOnlyDeliveries(planOf(desired, live, now, { targets: ["steady"] })).map((w) => w.entryId)).toEqual([
      "steady",
    ]);
  });
});

// policy.monitor and notify: in the manifest: defaults, overrides, and one clear error for bad values.
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/load.js";
import { checkNotifyTargets } from "../../src/notify/send.js";
import { validate } from "../../src/validate.js";

const manifest = (extra: string, workspaceExtra = "") => `version: 1
${extra}workspaces:
  - name: prod
    tokenEnv: PROD_TOKEN
${workspaceExtra}    keys:
      - { id: crm, name: CRM, scopes: [read], deliver: [{ type: file, path: ./a.env }] }
`;

const run = (yaml: string) => validate(parseManifest(yaml, "/repo/timely-keys.yaml"));

describe("policy.monitor and notify", () => {
  it("fills the monitor defaults and keeps what the manifest sets", () => {
    expect(run(manifest("")).desired?.policy.monitor).toEqual({ unusedDays: 30, minSuccessRate: 0.9, spikeFactor: 10 });
    expect(run(manifest("policy:\n  monitor: { unusedDays: 7, spikeFactor: 4 }\n")).desired?.policy.monitor).toEqual({
      unusedDays: 7,
      minSuccessRate: 0.9,
      spikeFactor: 4,
    });
  });

  it("rejects a success rate outside 0..1 and a spike factor of 1 or less", () => {
    for (const bad of ["minSuccessRate: 1.5", "spikeFactor: 1", "unusedDays: 0", "since: 3"]) {
      const result = run(manifest(`policy:\n  monitor: { ${bad} }\n`));
      expect(result.desired, bad).toBeUndefined();
      expect(result.diagnostics.filter((d) => d.severity === "error")).toHaveLength(1);
    }
  });

  it("reads notify targets at the top and per workspace", () => {
    const desired = run(
      manifest(
        "notify:\n  - { type: webhook, url: https://hooks.example.com/tk, events: [rotation.failed] }\n",
        "    notify:\n      - { type: slack, urlEnv: SLACK_URL }\n",
      ),
    ).desired;
    expect(desired?.notify).toEqual([
      { type: "webhook", url: "https://hooks.example.com/tk", events: ["rotation.failed"] },
    ]);
    expect(desired?.workspaces[0]?.notify).toEqual([{ type: "slack", urlEnv: "SLACK_URL" }]);
    expect(() => checkNotifyTargets(desired!, { SLACK_URL: "https://hooks.slack.com/services/x" })).not.toThrow();
    expect(() => checkNotifyTargets(desired!, {})).toThrow(
      "notify slack: urlEnv SLACK_URL is not set (nothing was read or changed)",
    );
    expect(() => checkNotifyTargets(desired!, { SLACK_URL: "http://hooks.slack.com/services/x" })).toThrow(
      "notify slack: urlEnv SLACK_URL must be https:// (plain http:// only to a loopback address)",
    );
  });

  it("rejects an unknown event, an unknown type, and a target with both url and urlEnv (or neither)", () => {
    for (const bad of [
      "{ type: webhook, url: https://a.example, events: [key.created] }",
      "{ type: email, url: https://a.example }",
      "{ type: webhook, url: https://a.example, urlEnv: HOOK }",
      "{ type: webhook }",
    ]) {
      const result = run(manifest(`notify:\n  - ${bad}\n`));
      expect(result.desired, bad).toBeUndefined();
      expect(result.diagnostics.filter((d) => d.severity === "error").length, bad).toBeGreaterThan(0);
    }
  });
});

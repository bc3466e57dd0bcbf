import { describe, expect, it } from "vitest";
import { UsageError } from "@timely-keys/provisioner";
import { displayPath, parseInputs, splitList } from "../src/inputs.js";

const WS = "/home/runner/work/app/app";
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? "";

describe("splitList", () => {
  it("splits on commas and newlines, trims, drops empties and duplicates, keeps order", () => {
    expect(splitList("acme-prod, acme-staging")).toEqual(["acme-prod", "acme-staging"]);
    expect(splitList("crm\n  billing\r\n\n crm ,")).toEqual(["crm", "billing"]);
    expect(splitList("")).toEqual([]);
    expect(splitList(" , \n ")).toEqual([]);
  });
});

describe("parseInputs", () => {
  it("applies action.yml's defaults and resolves the manifest against GITHUB_WORKSPACE", () => {
    expect(parseInputs(reader({}), WS)).toEqual({
      command: "plan",
      manifest: `${WS}/timely-keys.yaml`,
      manifestDisplay: "timely-keys.yaml",
      workspaces: [],
      targets: [],
      failOnDrift: false,
      maxOverdueDays: 7,
      failOn: "error",
      issues: false,
      prComment: false,
      githubToken: "",
      compromised: false,
      revokeFirst: false,
      exposedTo: [],
    });
  });

  it("reads every input", () => {
    const inputs = parseInputs(
      reader({
        command: "check",
        manifest: "infra/keys.yaml",
        workspace: "a,b",
        target: "x\ny",
        "fail-on-drift": "TRUE",
        "max-overdue-days": "0",
        shards: "3",
        "fail-on": "warning",
        issues: "true",
        "pr-comment": "true",
        "github-token": "ghs_x",
      }),
      WS,
    );
    expect(inputs).toEqual({
      command: "check",
      manifest: `${WS}/infra/keys.yaml`,
      manifestDisplay: "infra/keys.yaml",
      workspaces: ["a", "b"],
      targets: ["x", "y"],
      failOnDrift: true,
      maxOverdueDays: 0,
      shards: 3,
      failOn: "warning",
      issues: true,
      prComment: true,
      githubToken: "ghs_x",
      compromised: false,
      revokeFirst: false,
      exposedTo: [],
    });
  });

  it("reads the inputs of command rotate", () => {
    const inputs = parseInputs(
      reader({
        command: "rotate",
        "exposed-to": "alice@acme.com, team:payments",
        compromised: "true",
        "revoke-first": "true",
      }),
      WS,
    );
    expect(inputs).toMatchObject({
      command: "rotate",
      targets: [],
      compromised: true,
      revokeFirst: true,
      exposedTo: ["alice@acme.com", "team:payments"],
    });
    expect(parseInputs(reader({ command: "rotate", target: "crm" }), WS)).toMatchObject({
      targets: ["crm"],
      compromised: false,
    });
  });

  it("keeps an absolute manifest path outside the workspace as it is", () => {
    expect(parseInputs(reader({ manifest: "/etc/keys.yaml" }), WS).manifestDisplay).toBe("/etc/keys.yaml");
  });

  it.each([
    [{ command: "destroy" }, 'input command: "destroy" is not a command; use plan, apply, check, rotate or matrix'],
    [{ shards: "0" }, 'input shards: "0" is not a whole number from 1 to 9999'],
    [
      { command: "apply", compromised: "true" },
      "inputs compromised, revoke-first and exposed-to only apply to command: rotate",
    ],
    [
      { command: "rotate", target: "crm", "revoke-first": "true" },
      "input revoke-first only applies with compromised: true",
    ],
    [
      { command: "rotate", target: "crm", "exposed-to": "a@b.c" },
      "command rotate: give target or exposed-to, not both",
    ],
    [{ command: "rotate" }, "command rotate: name the keys to rotate in target, or who was exposed in exposed-to"],
    [{ "fail-on-drift": "yes" }, 'input fail-on-drift: "yes" is not a boolean; use true or false'],
    [{ "max-overdue-days": "-1" }, 'input max-overdue-days: "-1" is not a whole number of days (0 or more)'],
    [{ "max-overdue-days": "1.5" }, 'input max-overdue-days: "1.5" is not a whole number of days (0 or more)'],
    [{ "fail-on": "fatal" }, 'input fail-on: "fatal" is not a level; use error, warning, info or never'],
  ])("rejects %j with one clear message", (values, message) => {
    expect(() => parseInputs(reader(values), WS)).toThrow(new UsageError(message));
  });
});

describe("displayPath", () => {
  it("is relative inside the workspace, absolute outside", () => {
    expect(displayPath(`${WS}/a/b.yaml`, WS)).toBe("a/b.yaml");
    expect(displayPath("/tmp/b.yaml", WS)).toBe("/tmp/b.yaml");
    expect(displayPath(WS, WS)).toBe(WS);
  });
});

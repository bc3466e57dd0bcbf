import { describe, expect, it } from "vitest";
import { UserError } from "../src/errors.js";
import { parseManifest } from "../src/load.js";
import { checkFilters, connectionOf, selectedWorkspaces, serverNowOf } from "../src/pipeline.js";
import { validate } from "../src/validate.js";
import { entry, fileSink, manifestYaml, workspace } from "./support/manifest.js";

const desired = validate(
  parseManifest(
    manifestYaml({
      workspaces: [
        workspace({
          name: "prod",
          apiUrl: "https://api.example.test",
          keys: [entry("crm", { name: "CRM", deliver: [fileSink("./a.env")] })],
        }),
        workspace({
          name: "staging",
          tokenEnv: "STAGING_TOKEN",
          keys: [entry("qa", { name: "QA", deliver: [fileSink("./b.env")] })],
        }),
      ],
    }),
    "/work/timely-keys.yaml",
  ),
).desired!;
const labels = { workspace: "--workspace", target: "--target", manifest: "timely-keys.yaml" };

describe("checkFilters", () => {
  it("accepts known workspaces and key ids", () => {
    expect(() => checkFilters(desired, { workspaces: ["prod"], targets: ["crm", "qa"] }, labels)).not.toThrow();
  });

  it("names an unknown workspace and lists the known ones", () => {
    expect(() => checkFilters(desired, { workspaces: ["prod", "nope"], targets: [] }, labels)).toThrow(
      new UserError("--workspace nope: no such workspace in timely-keys.yaml (it has: prod, staging)"),
    );
  });

  it("names an unknown key id", () => {
    expect(() => checkFilters(desired, { workspaces: [], targets: ["crm", "ghost"] }, labels)).toThrow(
      new UserError("--target ghost: no key with this id in timely-keys.yaml"),
    );
  });
});

describe("selectedWorkspaces and connectionOf", () => {
  it("give every workspace, or the selected ones, with the token's variable name only", () => {
    expect(selectedWorkspaces(desired, []).map(connectionOf)).toEqual([
      { name: "prod", tokenEnv: "PROD_TOKEN", apiUrl: "https://api.example.test" },
      { name: "staging", tokenEnv: "STAGING_TOKEN" },
    ]);
    expect(selectedWorkspaces(desired, ["staging"]).map(connectionOf)).toEqual([
      { name: "staging", tokenEnv: "STAGING_TOKEN" },
    ]);
  });
});

describe("serverNowOf", () => {
  it("is the latest server clock read, not the runner's", () => {
    const live = {
      workspaces: [
        { name: "a", keys: [], serverNow: "2027-01-01T00:00:00.000Z" },
        { name: "b", keys: [], serverNow: "2027-01-01T00:00:05.000Z" },
        { name: "c", keys: [], serverNow: "garbage" },
      ],
    };
    expect(serverNowOf(live).toISOString()).toBe("2027-01-01T00:00:05.000Z");
  });
});

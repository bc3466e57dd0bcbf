// What `rotate` rotates, the same for the CLI (`--exposed-to`) and the Action (`exposed-to`).
import { describe, expect, it } from "vitest";
import { UserError } from "../src/errors.js";
import { rotationRequest } from "../src/exposure.js";
import { desired, entry } from "./plan/fixtures.js";

const manifest = {
  ...desired([
    entry("crm", { access: ["alice@acme.com"] }),
    entry("billing", { access: ["team:payments"] }),
    entry("reports", { access: ["carol@acme.com"] }),
  ]),
  teams: [{ name: "payments", members: ["Alice@Acme.com"] }],
};
const plain = { targets: [], workspaces: [], exposedTo: [], compromised: false, revokeFirst: false };
const named = { exposedTo: "--exposed-to", manifest: "timely-keys.yaml" };

describe("rotationRequest", () => {
  it("the keys named, forced", () => {
    expect(rotationRequest(undefined, { ...plain, targets: ["crm"] }, named)).toEqual({
      targets: ["crm"],
      options: { forceRotate: ["crm"] },
      exposed: [],
    });
  });

  it("every key someone could read, directly or through a team, as an emergency", () => {
    const request = rotationRequest(
      manifest,
      { ...plain, exposedTo: ["alice@acme.com"], compromised: true, revokeFirst: true },
      named,
    );
    const force = ["acme/crm", "acme/billing"];
    expect(request.targets).toEqual(["crm", "billing"]);
    expect(request.options).toEqual({ forceRotate: force, compromised: force, revokeFirst: true });
    expect(request.exposed.map((e) => e.via)).toEqual([["alice@acme.com"], ["team:payments"]]);
  });

  it("nobody exposed in the selected workspaces: one clear error in the caller's words", () => {
    const call = () => rotationRequest(manifest, { ...plain, exposedTo: ["dave@acme.com"] }, named);
    expect(call).toThrow(UserError);
    expect(call).toThrow(
      "--exposed-to dave@acme.com: no key in timely-keys.yaml lists them (or their teams) in access: nothing to rotate",
    );
    expect(() =>
      rotationRequest(manifest, { ...plain, workspaces: ["other"], exposedTo: ["alice@acme.com"] }, named),
    ).toThrow(/^--exposed-to alice@acme.com: no key/);
  });
});

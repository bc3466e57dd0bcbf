// The words of an attribute change: plan() gives each attribute's values as data, render/attributes.ts
// writes the strings the terminal and JSON plans show. These are the strings the plan tests used to
// match, moved here word for word (the golden JSON plans in plan-json-golden.test.ts cover the rest).
import { describe, expect, it } from "vitest";
import type { AttributeChange, Plan, PlanAction } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { renderJson, renderText } from "../../src/render.js";
import { attributeWords, expiryLabel, keyLabel, sinkLabel, sinksLabel } from "../../src/render/attributes.js";
import { parseSavedPlan, serializeSavedPlan } from "../../src/saved-plan.js";
import { apiKey, at, CRM, DAY, desired, live, managed, NOW, only, unix } from "../plan/fixtures.js";

const crm = CRM;

function words(action: PlanAction): [string, string | null, string | null][] {
  return action.attributes.map(attributeWords).map((a) => [a.name, a.before, a.after]);
}

describe("attribute words", () => {
  it("a create: the name and description quoted, scopes, lifetime and sinks", () => {
    const create = only(plan(desired([crm]), live([]), NOW), "create");
    expect(words(create)).toEqual([
      ["name", null, '"CRM sync"'],
      ["description", null, '"Salesforce sync"'],
      ["scopes", null, "read, write"],
      ["expires", null, "90 days"],
      ["deliver", null, "file .env, githubSecret acme/app TIMELY_API_KEY"],
    ]);
  });

  it("a rotation: the live key by generation, prefix and id, its lifetime until its end, the next rotation", () => {
    const e = { ...crm, scopes: ["read"] as "read"[], expiresInDays: 30 };
    const key = managed(crm, 1, {}, { created_at: at(-200 * DAY) });
    const rotate = only(plan(desired([e]), live([key]), NOW), "rotate");
    const nextRotation = new Date(NOW.getTime() + 90 * DAY).toISOString();
    expect(words(rotate)).toEqual([
      ["key", `#1 ${key.prefix} (${key.id})`, "#2 (new key)"],
      ["scopes", "read, write", "read"],
      ["expires", `90 days (until ${key.expires_at!.slice(0, 10)})`, "30 days"],
      ["deliver", null, "file .env, githubSecret acme/app TIMELY_API_KEY"],
      ["next rotation", null, `${nextRotation.slice(0, 10)} ${nextRotation.slice(11, 16)} UTC`],
    ]);
    expect(rotate.attributes.filter((a) => attributeWords(a).forcesReplacement).map((a) => a.name)).toEqual([
      "scopes",
      "expires",
    ]);
  });

  it("an unchanged lifetime reads as the manifest's on both sides; a rename and a new text are quoted", () => {
    const key = managed(crm, 1, {}, { created_at: at(-100 * DAY) });
    const renamed = { ...crm, name: "CRM v2", description: "Salesforce nightly sync" };
    const rotate = only(plan(desired([renamed]), live([key]), NOW), "rotate");
    const shown = new Map(words(rotate).map(([name, before, after]) => [name, [before, after]]));
    expect(shown.get("expires")).toEqual(["90 days", "90 days"]);
    expect(shown.get("name")).toEqual(['"CRM sync"', '"CRM v2"']);
    expect(shown.get("description")).toEqual(['"Salesforce sync"', '"Salesforce nightly sync"']);
  });

  it("a compromised rotation names the old key and what becomes of it", () => {
    const key = managed(crm, 1);
    const after = only(plan(desired([crm]), live([key]), NOW, { compromised: ["crm"] }), "rotate");
    expect(words(after)[0]).toEqual(["old key", "#1 active", "revoked once the new key is verified"]);
    const first = only(plan(desired([crm]), live([key]), NOW, { compromised: ["crm"], revokeFirst: true }), "rotate");
    expect(words(first)[0]).toEqual(["old key", "#1 active", "deactivated first, then revoked"]);
  });

  it("a rollback holds the previous key until a newer one is current", () => {
    const previous = managed(crm, 2, { promotedAt: unix(-40 * DAY) }, { created_at: at(-40 * DAY) });
    const current = managed(crm, 3, { promotedAt: unix(-3 * DAY) }, { created_at: at(-3 * DAY) });
    const rollback = only(plan(desired([crm]), live([previous, current]), NOW, { rollback: "crm" }), "rollback");
    expect(words(rollback)).toEqual([
      ["status", "active", "active"],
      ["hold", null, "until a key newer than #3 is current"],
    ]);
  });

  it("every sink by where it puts the secret, never a credential", () => {
    expect(sinkLabel({ type: "file", path: "./secrets/crm.env" })).toBe("file ./secrets/crm.env");
    expect(sinkLabel({ type: "exec", program: "./reload" })).toBe("exec ./reload");
    expect(sinkLabel({ type: "githubSecret", repository: "acme/app", secretName: "K" })).toBe(
      "githubSecret acme/app K",
    );
    expect(sinkLabel({ type: "githubSecret", organization: "acme", environment: "prod", secretName: "K" })).toBe(
      "githubSecret org acme env prod K",
    );
    expect(sinkLabel({ type: "awsSecretsManager", secretId: "prod/crm", key: "api_key" })).toBe(
      "awsSecretsManager prod/crm#api_key",
    );
    expect(sinkLabel({ type: "vault", path: "crm", field: "key" })).toBe("vault secret/crm#key");
    expect(sinkLabel({ type: "vault", mount: "kv", path: "crm" })).toBe("vault kv/crm");
    expect(sinkLabel({ type: "onePassword", vault: "v1", item: "i1" })).toBe("onePassword v1/i1");
    expect(sinksLabel([])).toBe("(no sinks)");
  });

  it("a plan's sinks carry no credential, setting or argument", () => {
    const e = {
      ...crm,
      deliver: [
        { type: "exec" as const, command: ["./reload", "--token=abc"], env: "KEY" },
        { type: "onePassword" as const, vault: "v1", item: "i1", tokenEnv: "OP_TOKEN", connectUrl: "https://op" },
        { type: "githubSecret" as const, repository: "acme/app", secretName: "K", tokenEnv: "GH" },
      ],
    };
    const create = only(plan(desired([e]), live([]), NOW), "create");
    expect(create.attributes.find((a) => a.name === "deliver")?.after).toStrictEqual([
      { type: "exec", program: "./reload" },
      { type: "onePassword", vault: "v1", item: "i1" },
      { type: "githubSecret", repository: "acme/app", secretName: "K" },
    ]);
    expect(words(create).at(-1)).toEqual([
      "deliver",
      null,
      "exec ./reload, onePassword v1/i1, githubSecret acme/app K",
    ]);
  });

  it("lifetimes and keys", () => {
    expect(expiryLabel({ days: null })).toBe("never");
    expect(expiryLabel({ days: 90 })).toBe("90 days");
    expect(expiryLabel({ days: 90, until: "2027-03-01T10:00:00.000Z" })).toBe("90 days (until 2027-03-01)");
    expect(expiryLabel({ days: "unknown", until: "not a time" })).toBe("unknown (until not a time)");
    expect(expiryLabel({ days: "unknown" })).toBe("unknown");
    expect(keyLabel({ generation: 3, prefix: "tml_ab12", id: "k-1" })).toBe("#3 tml_ab12 (k-1)");
    expect(keyLabel({ generation: 4, new: true })).toBe("#4 (new key)");
  });

  it("a live key whose times cannot be read has an unknown lifetime", () => {
    const key = managed(crm, 1, {}, { expires_at: "2027-01-01T00:00:00.000Z" });
    key.created_at = "garbage";
    const rotate = only(plan(desired([crm]), live([key]), NOW, { forceRotate: ["crm"] }), "rotate");
    expect(rotate.attributes.find((a) => a.name === "expires")).toMatchObject({
      before: { days: "unknown", until: "2027-01-01T00:00:00.000Z" },
    });
    expect(words(rotate).find(([name]) => name === "expires")).toEqual([
      "expires",
      "unknown (until 2027-01-01)",
      "90 days",
    ]);
  });
});

describe("attribute words are inert and secret-free", () => {
  it("a hostile name is one inert line: escapes visible, bidi controls escaped", () => {
    const hostile = "CRM\n::stop-commands::\u001b[2J\u202egnp.exe";
    const key = managed(crm, 1, {}, { name: hostile });
    const update = only(plan(desired([crm]), live([key]), NOW), "update");
    // The plan holds the name as it is; its words show it quoted, escapes visible.
    expect(update.attributes[0]).toMatchObject({ name: "name", before: hostile, after: "CRM sync" });
    expect(attributeWords(update.attributes[0]!).before).toBe(
      String.raw`"CRM\n::stop-commands::\u001b[2J\u202egnp.exe"`,
    );
  });

  it("a secret pasted into a live description is masked in the plan's values and in its words", () => {
    const secret = `tml_${"Zx9".repeat(12)}`;
    const key = managed(crm, 1);
    key.description = key.description.replace("Salesforce sync", `paste ${secret}`);
    const result = plan(desired([crm]), live([key]), NOW);
    const update = only(result, "update");
    expect(update.attributes[0]).toMatchObject({ name: "description", before: "paste tml_***" });
    expect(JSON.stringify(update.attributes)).not.toContain("Zx9");
    expect(attributeWords(update.attributes[0]!).before).toBe('"paste tml_***"');
    expect(renderJson(result)).not.toContain("Zx9");
    expect(renderText(result, { color: false })).toContain('description: "paste tml_***" -> "Salesforce sync"');
  });

  it("a saved plan's attributes are the words it was approved with, written again unchanged", () => {
    const result: Plan = plan(desired([crm]), live([apiKey({ name: "stray" })]), NOW);
    const saved = parseSavedPlan(serializeSavedPlan(result), "saved.json");
    const savedCreate = saved.workspaces[0]!.actions.find((a) => a.kind === "create")!;
    const attribute: AttributeChange = savedCreate.attributes[0]!;
    expect(attribute).toEqual({ name: "name", saved: true, before: null, after: '"CRM sync"' });
    expect(attributeWords(attribute)).toEqual({ name: "name", before: null, after: '"CRM sync"' });
    expect(renderJson(saved)).toBe(renderJson(result));
    expect(renderText(saved, { color: false })).toBe(renderText(result, { color: false }));
  });
});

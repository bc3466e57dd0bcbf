import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { actionKinds, reasons, type Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { renderJson, renderMarkdown, renderText } from "../../src/render.js";
import { actionSummary } from "../../src/render/words.js";
import { parseSavedPlan, serializeSavedPlan } from "../../src/saved-plan.js";
import { apiKey, desired, entry, live, managed, NOW } from "../plan/fixtures.js";
import { scenarios } from "../plan/scenarios.js";

/** The documented shape (docs/plan-format.md), checked on every scenario's plan. */
const attribute = {
  type: "object",
  required: ["name", "before", "after"],
  additionalProperties: false,
  properties: {
    name: { type: "string" },
    before: { type: ["string", "null"] },
    after: { type: ["string", "null"] },
    forcesReplacement: { type: "boolean" },
  },
};
const operation = {
  type: "object",
  required: ["op", "keyId"],
  additionalProperties: false,
  properties: {
    op: { enum: ["update", "activate", "deactivate", "revoke"] },
    keyId: { type: "string" },
    body: {
      type: "object",
      additionalProperties: false,
      properties: { name: { type: "string" }, description: { type: "string" } },
    },
  },
};
const marker = { type: "object", required: ["entryId", "generation", "phase"] };
const successor = {
  type: "object",
  additionalProperties: false,
  required: ["generation", "idempotencyKey", "create", "userDescription", "markers", "descriptions", "sinks", "verify"],
  properties: {
    generation: { type: "integer", minimum: 1 },
    idempotencyKey: { type: "string", minLength: 1, maxLength: 255 },
    create: {
      type: "object",
      additionalProperties: false,
      required: ["name", "description", "scopes", "expires_in_days"],
      properties: {
        name: { type: "string" },
        description: { type: "string", maxLength: 500 },
        scopes: { type: "array" },
        expires_in_days: { type: ["integer", "null"] },
      },
    },
    userDescription: { type: "string" },
    markers: {
      type: "object",
      required: ["delivering", "current"],
      properties: { delivering: marker, current: marker },
    },
    descriptions: { type: "object", required: ["delivering", "current"] },
    sinks: { type: "array" },
    verify: { type: "object", required: ["keyName", "scopes", "workspaceId"] },
    probes: {
      type: "object",
      additionalProperties: false,
      required: ["afterDeliver", "verify"],
      properties: { afterDeliver: { type: "array" }, verify: { type: "array" } },
    },
  },
};
const action = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "workspace", "reason", "reasons", "summary", "mutates", "attributes", "operations"],
  properties: {
    kind: { enum: [...actionKinds] },
    workspace: { type: "string" },
    entryId: { type: "string" },
    keyId: { type: "string" },
    keyName: { type: "string" },
    generation: { type: "integer" },
    reason: { enum: [...reasons] },
    reasons: { type: "array", minItems: 1, items: { enum: [...reasons] } },
    summary: { type: "string", minLength: 1 },
    mutates: { type: "boolean" },
    attributes: { type: "array", items: attribute },
    operations: { type: "array", items: operation },
    successor,
    replace: { type: "boolean" },
    currentKeyId: { type: "string" },
    operation: { enum: ["report", "deactivate", "revoke"] },
    until: { type: "string", format: "date-time" },
    warning: { type: "string" },
    emergency: {
      type: "object",
      additionalProperties: false,
      required: ["keyId", "revokeFirst"],
      properties: { keyId: { type: "string" }, revokeFirst: { type: "boolean" } },
    },
    dueAt: { type: "string", format: "date-time" },
  },
};
const planSchema = {
  type: "object",
  additionalProperties: false,
  required: ["format_version", "generated_at", "manifest", "options", "changes", "summary", "warnings", "workspaces"],
  properties: {
    format_version: { const: 2 },
    generated_at: { type: "string" },
    manifest: { type: "string" },
    options: {
      type: "object",
      additionalProperties: false,
      required: ["targets", "workspaces", "forceRotate", "rollback", "inFlightLeaseSeconds"],
      properties: {
        targets: { type: ["array", "null"], items: { type: "string" } },
        workspaces: { type: ["array", "null"], items: { type: "string" } },
        forceRotate: { type: "array", items: { type: "string" } },
        rollback: { type: ["string", "null"] },
        inFlightLeaseSeconds: { type: "number", minimum: 0 },
        compromised: { type: "array", items: { type: "string" } },
        revokeFirst: { type: "boolean" },
      },
    },
    changes: { type: "boolean" },
    summary: {
      type: "object",
      additionalProperties: false,
      required: ["create", "update", "replace", "rotate", "retire", "drift", "noop"],
      properties: Object.fromEntries(
        ["create", "update", "replace", "rotate", "retire", "drift", "noop"].map((k) => [
          k,
          { type: "integer", minimum: 0 },
        ]),
      ),
    },
    warnings: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["workspace", "message"],
        properties: {
          workspace: { type: "string" },
          entryId: { type: "string" },
          keyId: { type: "string" },
          message: { type: "string" },
        },
      },
    },
    workspaces: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "tokenEnv", "serverNow", "fingerprint", "actions", "entries"],
        properties: {
          name: { type: "string" },
          tokenEnv: { type: "string" },
          apiUrl: { type: "string" },
          serverNow: { type: ["string", "null"] },
          fingerprint: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
          actions: { type: "array", items: action },
          entries: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["entryId", "name", "phase", "detail"],
              properties: {
                entryId: { type: "string" },
                name: { type: "string" },
                phase: { enum: ["new", "steady", "rotating", "draining", "quarantine", "held", "disabled"] },
                step: { type: "string", pattern: "^[1-6]/6$" },
                nextAt: { type: "string" },
                nextRotationAt: { type: "string" },
                generation: { type: "integer" },
                currentKeyId: { type: "string" },
                detail: { type: "string" },
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, validateFormats: false });
const validate = ajv.compile(planSchema);

function scenarioPlans(): Plan[] {
  return scenarios.map((s) => plan(s.desired, s.live, NOW, s.options));
}

describe("renderJson", () => {
  it("round-trips: the plan is plain data, and a saved plan read back renders the same JSON", () => {
    for (const p of scenarioPlans()) {
      expect(JSON.parse(JSON.stringify(p))).toEqual(p);
      expect(renderJson(parseSavedPlan(serializeSavedPlan(p), "plan.json"))).toBe(renderJson(p));
    }
  });

  it("matches the documented shape for every kind of action", () => {
    for (const p of scenarioPlans()) {
      const ok = validate(JSON.parse(renderJson(p)));
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("has a stable key order: the same plan built twice renders byte for byte the same", () => {
    const s = scenarios[0]!;
    const built = plan(s.desired, s.live, NOW);
    const a = renderJson(built);
    const reordered = Object.fromEntries(Object.entries(built).reverse()) as unknown as Plan;
    expect(renderJson(reordered)).toBe(a);
    expect(Object.keys(JSON.parse(a))).toEqual([
      "format_version",
      "generated_at",
      "manifest",
      "options",
      "changes",
      "summary",
      "warnings",
      "workspaces",
    ]);
    const firstAction = (JSON.parse(a) as Plan).workspaces[0]!.actions[0]!;
    expect(Object.keys(firstAction).slice(0, 4)).toEqual(["kind", "workspace", "entryId", "keyName"]);
    const parsed = JSON.parse(a) as Plan;
    expect(Object.keys(parsed.summary)).toEqual(["create", "update", "replace", "rotate", "retire", "drift", "noop"]);
    expect(Object.keys(parsed.options)).toEqual([
      "targets",
      "workspaces",
      "forceRotate",
      "rollback",
      "inFlightLeaseSeconds",
    ]);
    expect(Object.keys(firstAction.attributes[0]!)).toEqual(["name", "before", "after"]);
  });
});

describe("no secret ever appears in a plan or its renderings", () => {
  const SECRET = `tml_${"Zx9".repeat(12)}`;
  const TOKEN = `tkm_${"Qw7".repeat(12)}`;

  it("even when live keys carry one (an extra secret field, or one pasted into a name or description)", () => {
    const e = entry("crm", { name: "CRM sync" });
    const key = { ...managed(e, 1), name: `pasted ${SECRET}`, secret: SECRET } as unknown as ReturnType<typeof managed>;
    const stray = apiKey({ name: "stray", description: `token ${TOKEN} here` });
    const previous = managed(
      e,
      0 + 2,
      {},
      { description: `old ${SECRET} [tk:crm#2]`, status: "inactive", deactivated_at: NOW.toISOString() },
    );
    const p = plan(desired([e, entry("new")]), live([key, stray, previous]), NOW, { rollback: "crm" });
    const outputs = [renderJson(p), renderText(p, { color: false }), renderText(p, { color: true }), renderMarkdown(p)];
    for (const out of outputs) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(TOKEN);
      expect(out).not.toMatch(/\b(?:tml|tkm)_[A-Za-z0-9]{16,}/);
    }
    expect(renderText(p, { color: false })).toContain("tml_***");
    // The plan object itself shows none in what it displays.
    const shown = p.workspaces.flatMap((w) =>
      w.actions.map((a) => [actionSummary(a), a.keyName, ...a.attributes.flatMap((x) => [x.before, x.after])]),
    );
    expect(JSON.stringify(shown)).not.toContain("tml_Zx9");
  });

  it("names the token's environment variable, never a token", () => {
    const p = plan(desired([entry("a")]), live([]), NOW);
    expect(p.workspaces[0]!.tokenEnv).toBe("TOKEN_ACME");
    expect(renderJson(p)).not.toMatch(/tkm_/);
  });
});

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { limits, scopeValues } from "../src/contract-types.js";
import { ContractValidator, defaultContractPath, startEmulator } from "../src/index.js";
import { routes } from "../src/routes.js";
import { call, testSeed, tokens, useEmulator } from "./helpers.js";

// The parsed OpenAPI document, read loosely.
type Doc = Record<string, any>;
const doc = parse(await readFile(defaultContractPath(), "utf8")) as Doc;
const validator = await ContractValidator.load();

const rateHeaders = {
  "x-request-id": "r",
  date: "Mon, 01 Jan 2030 00:00:00 GMT",
  "x-ratelimit-limit": "100",
  "x-ratelimit-remaining": "99",
  "x-ratelimit-reset": "1893456000",
  "content-type": "application/json; charset=utf-8",
};
const apiKey = {
  id: "4c3e0f6e-8a41-4f0c-9d8b-1f2e3d4c5b6a",
  workspace_id: "5d4e1f7f-9b52-4a1d-8e9c-2a3f4e5d6c7b",
  name: "CRM",
  description: "",
  prefix: "tml_abcd...",
  scopes: ["read"],
  status: "active",
  created_at: "2030-01-01T00:00:00.000Z",
  updated_at: "2030-01-01T00:00:00.000Z",
  expires_at: null,
  last_used_at: null,
  deactivated_at: null,
  request_count: 0,
};

describe("the route table and the document", () => {
  it("implement the same operations", () => {
    const documented: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Doc)) {
      for (const method of ["get", "post", "patch", "delete", "put"]) {
        if (item[method]) documented.push(`${method.toUpperCase()} ${path} ${item[method].operationId}`);
      }
    }
    expect(routes.map((r) => `${r.method} ${r.template} ${r.operationId}`).sort()).toEqual(documented.sort());
    expect(validator.operationIds().sort()).toEqual(routes.map((r) => r.operationId).sort());
  });

  it("share the limits and the scope list", () => {
    const s = doc.components.schemas;
    const p = doc.components.parameters;
    expect(limits.nameMaxLength).toBe(s.KeyName.maxLength);
    expect(limits.descriptionMaxLength).toBe(s.KeyDescription.maxLength);
    expect(limits.expiresInDaysMin).toBe(s.ExpiresInDays.minimum);
    expect(limits.expiresInDaysMax).toBe(s.ExpiresInDays.maximum);
    expect(limits.perPageDefault).toBe(p.PerPage.schema.default);
    expect(limits.perPageMax).toBe(p.PerPage.schema.maximum);
    expect(limits.idempotencyKeyMaxLength).toBe(p.IdempotencyKey.schema.maxLength);
    expect([...scopeValues]).toEqual(s.Scope.enum);
  });
});

describe("ContractValidator.checkResponse", () => {
  const body = (data: unknown) => JSON.stringify({ data });

  it("accepts a documented answer", () => {
    expect(validator.checkResponse("getApiKey", { status: 200, headers: rateHeaders, bodyText: body(apiKey) })).toEqual(
      [],
    );
    expect(
      validator.checkResponse("createApiKey", {
        status: 201,
        headers: { ...rateHeaders, "idempotent-replayed": "false" },
        bodyText: body({ ...apiKey, secret: `tml_${"a".repeat(40)}` }),
      }),
    ).toEqual([]);
  });

  it("flags a secret in a key that is not a creation answer", () => {
    const problems = validator.checkResponse("getApiKey", {
      status: 200,
      headers: rateHeaders,
      bodyText: body({ ...apiKey, secret: `tml_${"a".repeat(40)}` }),
    });
    expect(problems.join()).toContain("secret");
  });

  it("flags a creation answer without its secret, or with extra fields", () => {
    const headers = { ...rateHeaders, "idempotent-replayed": "false" };
    expect(validator.checkResponse("createApiKey", { status: 201, headers, bodyText: body(apiKey) }).join()).toContain(
      "secret",
    );
    const extra = { ...apiKey, secret: `tml_${"a".repeat(40)}`, secret_hash: "x" };
    expect(validator.checkResponse("createApiKey", { status: 201, headers, bodyText: body(extra) }).join()).toContain(
      "secret_hash",
    );
  });

  it("flags undocumented statuses, missing headers, bodies on 204 and broken JSON", () => {
    expect(validator.checkResponse("getHealth", { status: 500, headers: rateHeaders, bodyText: "{}" })[0]).toContain(
      "status 500",
    );
    const { "x-ratelimit-remaining": _dropped, ...missing } = rateHeaders;
    expect(validator.checkResponse("getApiKey", { status: 200, headers: missing, bodyText: body(apiKey) })).toEqual([
      "header x-ratelimit-remaining: missing",
    ]);
    const errorText = JSON.stringify({ error: { code: "RATE_LIMIT_EXCEEDED", message: "m", status: 429 } });
    expect(validator.checkResponse("getMe", { status: 429, headers: rateHeaders, bodyText: errorText })).toEqual([
      "header retry-after: missing",
    ]);
    expect(validator.checkResponse("revokeApiKey", { status: 204, headers: rateHeaders, bodyText: "{}" })[0]).toContain(
      "no body",
    );
    expect(validator.checkResponse("getApiKey", { status: 200, headers: rateHeaders, bodyText: "{" })).toContain(
      "body: not valid JSON",
    );
    const wrongCode = JSON.stringify({ error: { code: "TEAPOT", message: "m", status: 404 } });
    expect(
      validator.checkResponse("getApiKey", { status: 404, headers: rateHeaders, bodyText: wrongCode }).join(),
    ).toContain("/error/code");
  });
});

describe("ContractValidator.checkRequest", () => {
  const request = (over: Partial<Parameters<ContractValidator["checkRequest"]>[1]>) => ({
    params: {},
    query: new URLSearchParams(),
    headers: { "x-api-key": "k" },
    bodyText: "",
    ...over,
  });

  it("flags what the document forbids in parameters, headers and bodies", () => {
    expect(
      validator.checkRequest("listApiKeys", request({ query: new URLSearchParams("per_page=500&status=gone") })),
    ).toHaveLength(2);
    expect(validator.checkRequest("getApiKey", request({ params: { key_id: "nope" } }))[0]).toContain("key_id");
    expect(validator.checkRequest("getMe", request({ headers: {} }))[0]).toContain("x-api-key");
    expect(validator.checkRequest("getHealth", request({ headers: {} }))).toEqual([]);
    expect(validator.checkRequest("createApiKey", request({ bodyText: "" }))).toEqual(["body: required"]);
    expect(
      validator.checkRequest("createApiKey", request({ bodyText: JSON.stringify({ name: "a", scopes: ["root"] }) }))[0],
    ).toContain("/scopes/0");
    expect(
      validator.checkRequest(
        "updateApiKey",
        request({ params: { key_id: apiKey.id }, bodyText: JSON.stringify({ scopes: ["read"] }) }),
      )[0],
    ).toContain("scopes");
    expect(
      validator.checkRequest(
        "createApiKey",
        request({
          headers: { "x-api-key": "k", "idempotency-key": "x".repeat(300) },
          bodyText: JSON.stringify({ name: "a", scopes: ["read"] }),
        }),
      )[0],
    ).toContain("Idempotency-Key");
  });
});

describe("the emulator under validation", () => {
  const env = useEmulator();

  it("records invalid requests as information and still answers them within the contract", async () => {
    const reply = await env.call("GET", "/v1/api-keys?per_page=500", { token: tokens.owner });
    expect(reply.status).toBe(400);
    const violations = env.em.contractViolations();
    expect(violations).toContainEqual(expect.objectContaining({ kind: "request", operation_id: "listApiKeys" }));
    expect(violations.filter((v) => v.kind === "response")).toEqual([]);
    const served = await env.call("GET", "/_emulator/contract-violations");
    expect(served.body.data).toEqual(JSON.parse(JSON.stringify(violations)));
  });

  it("records a response violation when its answer departs from the document", async () => {
    // A copy of the contract whose Health demands a field the emulator does not send.
    const dir = await mkdtemp(join(tmpdir(), "emulator-contract-"));
    try {
      const changed = structuredClone(doc);
      changed.components.schemas.Health.required.push("region");
      changed.components.schemas.Health.properties.region = { type: "string" };
      const path = join(dir, "contract.json");
      await writeFile(path, JSON.stringify(changed));
      const em = await startEmulator({ seed: testSeed, validateContract: true, contractPath: path });
      try {
        await call(em.url, "GET", "/v1/health");
        const [violation, ...rest] = em.contractViolations();
        expect(rest).toEqual([]);
        expect(violation).toMatchObject({ kind: "response", operation_id: "getHealth", status: 200 });
        expect(violation!.problems.join()).toContain("region");
      } finally {
        await em.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as ajv2020Module from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import * as ajvFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";

// CommonJS modules seen through NodeNext: the class and the plugin are the `.default` exports.
const Ajv2020 = ajv2020Module.Ajv2020;
const addFormats = ajvFormatsModule.default.default;

/** A place where a request or an answer of a /v1 route departs from the OpenAPI document. */
export interface Violation {
  /** `request`: the client sent what the contract forbids (information; the emulator answers 400/404).
   *  `response`: the emulator answered what the contract forbids (a bug). */
  kind: "request" | "response";
  at: string;
  request_id: string;
  operation_id: string;
  method: string;
  path: string;
  status?: number;
  problems: string[];
}

type JsonObject = Record<string, unknown>;

interface HeaderRule {
  name: string;
  validate: ValidateFunction;
}

interface ResponseRule {
  validate?: ValidateFunction;
  headers: HeaderRule[];
}

interface ParameterRule {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  integer: boolean;
  validate: ValidateFunction;
}

interface OperationRule {
  operationId: string;
  security: boolean;
  parameters: ParameterRule[];
  body?: { required: boolean; validate: ValidateFunction };
  responses: Map<string, ResponseRule>;
}

/** Headers the emulator promises on every /v1 answer, whatever the document lists. */
const ALWAYS_PRESENT = ["x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "date"];

const loaded = new Map<string, Promise<ContractValidator>>();

/** Default location of the contract: the OpenAPI document shipped by @timely-keys/contract. */
export function defaultContractPath(): string {
  return fileURLToPath(import.meta.resolve("@timely-keys/contract/openapi/timely-api-keys.yaml"));
}

/** Validates requests and answers of the /v1 routes against the OpenAPI 3.1 document, with ajv. */
export class ContractValidator {
  private readonly operations = new Map<string, OperationRule>();

  private constructor(document: JsonObject) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    addFormats(ajv);
    const components = (document.components ?? {}) as JsonObject;
    ajv.addSchema({ $id: "contract", $defs: rewriteRefs(components.schemas ?? {}) });
    const compile = (schema: unknown): ValidateFunction => ajv.compile(rewriteRefs(schema) as JsonObject);
    const resolve = (node: unknown): JsonObject => {
      const ref = (node as JsonObject)?.$ref;
      if (typeof ref !== "string") return node as JsonObject;
      const target = ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<unknown>((at, part) => (at as JsonObject)?.[part], document);
      if (!target) throw new Error(`contract: unresolved ${ref}`);
      return resolve(target);
    };

    for (const [, pathItemRaw] of Object.entries((document.paths ?? {}) as JsonObject)) {
      const pathItem = pathItemRaw as JsonObject;
      const shared = ((pathItem.parameters ?? []) as unknown[]).map(resolve);
      for (const method of ["get", "post", "patch", "delete", "put"]) {
        const op = pathItem[method] as JsonObject | undefined;
        if (!op) continue;
        const parameters = [...shared, ...((op.parameters ?? []) as unknown[]).map(resolve)].map((p): ParameterRule => {
          const schema = p.schema as JsonObject;
          return {
            name: String(p.name),
            in: p.in as ParameterRule["in"],
            required: p.required === true,
            integer: schema.type === "integer",
            validate: compile(schema),
          };
        });
        const bodySpec = op.requestBody ? resolve(op.requestBody) : undefined;
        const bodySchema = (bodySpec?.content as JsonObject | undefined)?.["application/json"] as
          | JsonObject
          | undefined;
        const responses = new Map<string, ResponseRule>();
        for (const [status, responseRaw] of Object.entries((op.responses ?? {}) as JsonObject)) {
          const response = resolve(responseRaw);
          const json = (response.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined;
          const headers = Object.entries((response.headers ?? {}) as JsonObject).map(([name, header]) => ({
            name: name.toLowerCase(),
            validate: compile(resolve(header).schema),
          }));
          responses.set(status, { headers, ...(json ? { validate: compile(json.schema) } : {}) });
        }
        const operationId = String(op.operationId);
        this.operations.set(operationId, {
          operationId,
          security: !(Array.isArray(op.security) && op.security.length === 0),
          parameters,
          ...(bodySchema
            ? { body: { required: bodySpec?.required === true, validate: compile(bodySchema.schema) } }
            : {}),
          responses,
        });
      }
    }
  }

  /** Loads (once per path and process: compiling takes a while) the validator of a document. */
  static load(path = defaultContractPath()): Promise<ContractValidator> {
    let loading = loaded.get(path);
    if (!loading) {
      loading = readFile(path, "utf8").then((text) => new ContractValidator(parseYaml(text) as JsonObject));
      loading.catch(() => loaded.delete(path));
      loaded.set(path, loading);
    }
    return loading;
  }

  static fromDocument(document: JsonObject): ContractValidator {
    return new ContractValidator(document);
  }

  operationIds(): string[] {
    return [...this.operations.keys()];
  }

  /** Problems with a request; empty when the contract allows it. */
  checkRequest(
    operationId: string,
    request: {
      params: Record<string, string>;
      query: URLSearchParams;
      headers: Record<string, string | string[] | undefined>;
      bodyText: string;
    },
  ): string[] {
    const op = this.requireOperation(operationId);
    const problems: string[] = [];
    if (op.security && !request.headers["x-api-key"])
      problems.push("header x-api-key: required by the security scheme");
    for (const p of op.parameters) {
      const raw =
        p.in === "path"
          ? request.params[p.name]
          : p.in === "query"
            ? (request.query.get(p.name) ?? undefined)
            : first(request.headers[p.name.toLowerCase()]);
      if (raw === undefined) {
        if (p.required) problems.push(`${p.in} ${p.name}: required`);
        continue;
      }
      const value = p.integer && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (!p.validate(value)) problems.push(`${p.in} ${p.name}: ${describe(p.validate.errors)}`);
    }
    if (op.body) {
      if (request.bodyText === "") {
        if (op.body.required) problems.push("body: required");
      } else {
        const parsed = parseJson(request.bodyText);
        if (!parsed.ok) problems.push("body: not valid JSON");
        else if (!op.body.validate(parsed.value)) problems.push(`body: ${describe(op.body.validate.errors)}`);
      }
    }
    return problems;
  }

  /** Problems with an answer; empty when the contract allows it. */
  checkResponse(
    operationId: string,
    response: { status: number; headers: Record<string, string>; bodyText: string },
  ): string[] {
    const op = this.requireOperation(operationId);
    const rule = op.responses.get(String(response.status)) ?? op.responses.get("default");
    if (!rule) return [`status ${response.status} is not a documented response of ${operationId}`];
    const problems: string[] = [];
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const required = new Set([
      ...ALWAYS_PRESENT,
      ...rule.headers.map((h) => h.name),
      ...(response.status === 429 ? ["retry-after"] : []),
    ]);
    for (const name of required) if (headers[name] === undefined) problems.push(`header ${name}: missing`);
    for (const header of rule.headers) {
      const raw = headers[header.name];
      if (raw === undefined) continue;
      const value = /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (!header.validate(value) && !header.validate(raw))
        problems.push(`header ${header.name}: ${describe(header.validate.errors)}`);
    }
    if (!rule.validate) {
      if (response.bodyText !== "") problems.push(`status ${response.status} must have no body`);
      return problems;
    }
    if (!/^application\/json\b/.test(headers["content-type"] ?? ""))
      problems.push("header content-type: must be application/json");
    const parsed = parseJson(response.bodyText);
    if (!parsed.ok) problems.push("body: not valid JSON");
    else if (!rule.validate(parsed.value)) problems.push(`body: ${describe(rule.validate.errors)}`);
    return problems;
  }

  private requireOperation(operationId: string): OperationRule {
    const op = this.operations.get(operationId);
    if (!op) throw new Error(`contract: no operation ${operationId}`);
    return op;
  }
}

/** Points `#/components/schemas/X` at the shared `contract#/$defs/X`. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string"
        ? value.replace("#/components/schemas/", "contract#/$defs/")
        : rewriteRefs(value),
    ]),
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** ajv's messages, with the property they are about (never a value: values may be secrets). */
function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const params = e.params as Record<string, unknown>;
      const property = params.additionalProperty ?? params.unevaluatedProperty;
      return (
        `${e.instancePath || "/"} ` +
        `${e.message ?? e.keyword}${property === undefined ? "" : ` (${String(property)})`}`
      );
    })
    .join("; ");
}

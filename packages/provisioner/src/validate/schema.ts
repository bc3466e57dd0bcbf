// Checks the manifest against its JSON Schema (schema/manifest.schema.json, generated) and turns
// ajv's errors into one clear diagnostic per location, at the offending node's line:col.
import type { ErrorObject } from "ajv";
import manifestSchemaJson from "../../schema/manifest.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { DURATION_PATTERN } from "./duration.js";
// Compiled ahead of time from schema/manifest.schema.json (scripts/generate-validator.ts).
import validateManifest from "./generated/manifest-validator.cjs";
import { formatPath, pointerToPath, type PathSegment } from "./path.js";
import { configurableRuleNames, isFixedRule } from "./rules.js";
import { quoteValue } from "./secret-shapes.js";

type SchemaObject = Record<string, unknown>;

/** The generated manifest schema. */
export const manifestSchema: SchemaObject = manifestSchemaJson;

/** The scopes the API has, as the generated schema took them from the OpenAPI document. */
export const manifestScopes: readonly string[] = manifestSchemaJson.$defs.scope.enum;

interface Finding {
  rule: string;
  message: string;
  path: PathSegment[];
  /** Point at the key of the entry rather than its value (unknown fields). */
  atKey?: boolean;
  /** Lower wins when several errors share a location. */
  priority: number;
  /** A required field that is absent (merged per object into one message). */
  missing?: string;
  /** For an unknown field: the allowed field it is probably a misspelling of. */
  suggestion?: string;
}

export function checkSchema(loaded: LoadedDocument): Diagnostic[] {
  if (validateManifest(loaded.value)) return [];
  const findings: Finding[] = (validateManifest.errors ?? [])
    // Errors inside a oneOf branch only explain why the branch failed; the oneOf error itself
    // carries the message.
    .filter((error) => !/\/(?:oneOf|anyOf)\/\d+\//.test(error.schemaPath))
    .map((error) => describe(error, pointerToPath(error.instancePath, loaded.value)));

  const byLocation = new Map<string, Finding>();
  for (const finding of mergeRequired(withoutMisspeltRequired(findings))) {
    const key = `${finding.atKey ? "key:" : ""}${formatPath(finding.path)}`;
    const current = byLocation.get(key);
    if (!current || finding.priority < current.priority) byLocation.set(key, finding);
  }
  return [...byLocation.values()].map((finding) => {
    const at = finding.atKey ? loaded.positionOfKey(finding.path) : loaded.positionOf(finding.path);
    return {
      severity: "error",
      rule: finding.rule,
      message: finding.message,
      file: loaded.displayPath,
      line: at.line,
      col: at.col,
      path: formatPath(finding.path),
    };
  });
}

/**
 * `workspace:` instead of `workspaces:` is one mistake, not two: the unknown field's "did you
 * mean" already says what is missing.
 */
function withoutMisspeltRequired(findings: Finding[]): Finding[] {
  const suggested = new Set(
    findings.filter((f) => f.suggestion !== undefined).map((f) => `${formatPath(f.path.slice(0, -1))}#${f.suggestion}`),
  );
  return findings.filter((f) => f.missing === undefined || !suggested.has(`${formatPath(f.path)}#${f.missing}`));
}

/** Several missing fields of one object become one message. */
function mergeRequired(findings: Finding[]): Finding[] {
  const missing = new Map<string, { finding: Finding; names: string[] }>();
  const out: Finding[] = [];
  for (const finding of findings) {
    const name = finding.missing;
    if (name === undefined) {
      out.push(finding);
      continue;
    }
    const key = formatPath(finding.path);
    const entry = missing.get(key);
    if (entry) entry.names.push(name);
    else {
      const merged = { finding, names: [name] };
      missing.set(key, merged);
      out.push(finding);
    }
  }
  for (const { finding, names } of missing.values()) {
    const quoted = names.map((n) => `"${n}"`).join(", ");
    finding.message = `${subject(finding.path)} is missing the required field${names.length > 1 ? "s" : ""} ${quoted}`;
  }
  return out;
}

/** How the offending node is named in a message: its key, with an index for list items. */
function subject(path: readonly PathSegment[]): string {
  if (path.length === 0) return "the manifest";
  const last = path[path.length - 1]!;
  if (typeof last === "string") return formatPath([last]);
  const owner = path[path.length - 2];
  return typeof owner === "string" ? `${formatPath([owner])}[${last}]` : `item [${last}]`;
}

function describe(error: ErrorObject, path: PathSegment[]): Finding {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaObject;
  const data = error.data;
  const hint = typeof parent.errorMessage === "string" ? parent.errorMessage : undefined;
  const what = subject(path);
  const schema = (message: string, priority = 5): Finding => ({ rule: "schema", message, path, priority });

  switch (error.keyword) {
    case "type":
      return schema(`${what} must be ${typeNames(params.type)}, not ${kindOf(data)}`, 0);
    case "discriminator": {
      const tag = String(params.tag);
      const allowed = discriminatorValues(parent, tag).join(", ");
      if (params.error === "mapping") {
        return {
          ...schema(`unknown ${tag} ${quoteValue(params.tagValue)}; expected one of: ${allowed}`, 1),
          path: [...path, tag],
        };
      }
      return schema(`${what} needs a "${tag}": one of ${allowed}`, 1);
    }
    case "required":
      return { ...schema("", 2), missing: String(params.missingProperty) };
    case "additionalProperties":
      return {
        ...unknownField(String(params.additionalProperty), path, parent),
        path: [...path, String(params.additionalProperty)],
        atKey: true,
        priority: 2,
      };
    case "not":
      // A field the schema names only to refuse it here (a key's rotation.maxPerRun).
      return { ...schema(`${what} ${hint ?? "is not allowed here"}`, 2), atKey: true };
    case "oneOf":
    case "anyOf":
      return schema(`${what} ${hint ?? "does not match any of the allowed shapes"}`, 3);
    case "const":
      if (path.length === 1 && path[0] === "version") {
        return schema(
          `unsupported manifest version ${quoteValue(data)}; this timely-keys reads version ` +
            `${String(params.allowedValue)}`,
        );
      }
      return schema(`${what} must be ${JSON.stringify(params.allowedValue)}, not ${quoteValue(data)}`);
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      if (sameList(allowed, manifestScopes)) {
        return {
          rule: "unknown-scope",
          message: `unknown scope ${quoteValue(data)}; valid scopes: ${manifestScopes.join(", ")}`,
          path,
          priority: 4,
        };
      }
      return schema(`${what} must be one of: ${allowed.map(String).join(", ")}; not ${quoteValue(data)}`, 4);
    }
    case "pattern":
      if (params.pattern === DURATION_PATTERN) {
        return {
          rule: "invalid-duration",
          message: `${what} ${quoteValue(data)} is not a duration; use <n>(s|m|h|d), such as 90m, 24h or 7d`,
          path,
          priority: 4,
        };
      }
      return schema(`${what} ${quoteValue(data)} ${hint ?? `must match ${String(params.pattern)}`}`);
    case "format":
      return schema(`${what} ${quoteValue(data)} ${hint ?? `must be a valid ${String(params.format)}`}`);
    case "minLength":
      return schema(
        Number(params.limit) === 1
          ? `${what} must not be empty`
          : `${what} must be at least ${String(params.limit)} characters`,
      );
    case "maxLength":
      return schema(
        `${what} must be at most ${String(params.limit)} characters (it has ${String((data as string).length)})`,
      );
    case "minimum":
    case "maximum":
      return schema(`${what} must be ${range(parent)}, not ${quoteValue(data)}`);
    case "minItems":
      return schema(
        Number(params.limit) === 1
          ? `${what} must not be empty`
          : `${what} must have at least ${String(params.limit)} items`,
      );
    default:
      return schema(`${what} ${error.message ?? "is not valid"}`);
  }
}

function unknownField(
  name: string,
  path: PathSegment[],
  parent: SchemaObject,
): Pick<Finding, "rule" | "message" | "suggestion"> {
  const field = quoteValue(name);
  const inRules = path.length === 2 && path[0] === "policy" && path[1] === "rules";
  if (inRules) {
    const message = isFixedRule(name)
      ? `rule ${field} is always an error and cannot be configured`
      : `unknown rule ${field}; configurable rules: ${configurableRuleNames.join(", ")}`;
    return { rule: "schema", message };
  }
  const allowed = Object.keys((parent.properties ?? {}) as SchemaObject);
  const suggestion = closest(name, allowed);
  const where = path.length === 0 ? "at the top level" : `in ${subject(path)}`;
  if (suggestion)
    return { rule: "schema", message: `unknown field ${field} ${where}; did you mean "${suggestion}"?`, suggestion };
  return { rule: "schema", message: `unknown field ${field} ${where}; allowed fields: ${allowed.join(", ")}` };
}

/** The allowed values of a discriminator tag, read from its oneOf branches. */
function discriminatorValues(parent: SchemaObject, tag: string): string[] {
  const branches = (parent.oneOf ?? []) as SchemaObject[];
  return branches.map((branch) => {
    const ref = typeof branch.$ref === "string" ? branch.$ref : undefined;
    const target = (ref ? resolveRef(ref) : branch) as { properties?: Record<string, { const?: unknown }> };
    return String(target.properties?.[tag]?.const);
  });
}

function resolveRef(ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((node, key) => (node as SchemaObject | undefined)?.[key], manifestSchema);
}

function range(parent: SchemaObject): string {
  const { minimum, maximum } = parent as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined) return `between ${minimum} and ${maximum}`;
  if (minimum !== undefined) return `at least ${minimum}`;
  return `at most ${String(maximum)}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  null: "null",
};

function typeNames(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_NAMES[String(t)] ?? String(t)).join(" or ");
}

function kindOf(data: unknown): string {
  if (data === null || data === undefined) return "empty";
  if (Array.isArray(data)) return "a list";
  if (typeof data === "object") return "a mapping";
  if (typeof data === "number" && !Number.isInteger(data)) return `the number ${data}`;
  return `${typeof data === "string" ? "the string" : "the value"} ${quoteValue(data)}`;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** The allowed name closest to a misspelt one, when it is close enough to be a typo. */
function closest(name: string, allowed: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(best.candidate.length / 4)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

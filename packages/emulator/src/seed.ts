import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { parseDate } from "./clock.js";
import {
  keyStatusValues,
  limits,
  roleValues,
  scopeValues,
  type KeyStatus,
  type Role,
  type Scope,
} from "./contract-types.js";
import { uuidPattern } from "./ids.js";
import { secretPattern, tokenPattern } from "./secrets.js";

/** A seed: the world the emulator starts from (YAML file or object of the same shape). */
export interface Seed {
  /** The company every workspace belongs to; a fixed UUID when absent. */
  company_id?: string;
  /** Requests per 60-second window per credential (default 100); `rateLimit` option wins. */
  rate_limit?: number;
  workspaces?: SeedWorkspace[];
}

export interface SeedWorkspace {
  /** UUID; derived from the name when absent, so it is stable across restarts. */
  id?: string;
  name: string;
  members?: SeedMember[];
  keys?: SeedKey[];
  /** Extra keys made quickly (e.g. 10,000 for benchmarks); their secrets are never revealed. */
  generated_keys?: number;
  agents?: number;
  conversations?: number;
}

export interface SeedMember {
  name: string;
  role: Role;
  /** The management token, `tkm_` + 32 or more base62 characters. */
  token: string;
}

export interface SeedKey {
  id?: string;
  name: string;
  description?: string;
  scopes: Scope[];
  expires_in_days?: number | null;
  status?: KeyStatus;
  /** A known secret for the key (`tml_` + 32+ base62); a random one when absent. */
  secret?: string;
  created_at?: string;
  last_used_at?: string | null;
  deactivated_at?: string | null;
  request_count?: number;
}

export class SeedError extends Error {
  override name = "SeedError";
}

type PathPart = string | number;
type Locate = (path: PathPart[]) => string;

/** Reads and validates a YAML seed; errors name the file, line, column and field. */
export async function loadSeed(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeedError(`${path}: cannot read the seed file (${code ?? String(error)})`);
  }
  return parseSeed(text, path);
}

export function parseSeed(text: string, source = "seed"): Seed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    const where = `${source}:${pos.line}:${pos.col}`;
    throw new SeedError(`${where}: invalid YAML: ${firstError.message.split("\n")[0]}`);
  }
  const locate: Locate = (path) => locateInDocument(doc, lineCounter, source, path);
  return validateSeed(doc.toJS() ?? {}, locate);
}

function locateInDocument(doc: Document, lineCounter: LineCounter, source: string, path: PathPart[]): string {
  // Walk up until a node exists (a missing field is reported at its parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return `${source}:${line}:${col}`;
    }
  }
  return source;
}

function formatPath(path: PathPart[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    "",
  );
}

/** Validates a seed object. Error messages never repeat a token's or secret's value. */
export function validateSeed(value: unknown, locate: Locate = () => "seed"): Seed {
  const fail = (path: PathPart[], problem: string): never => {
    const field = formatPath(path);
    throw new SeedError(`${locate(path)}: ${field ? `${field}: ` : ""}${problem}`);
  };
  const v = new SeedValidator(fail);
  return v.seed(value);
}

class SeedValidator {
  private readonly workspaceNames = new Set<string>();
  private readonly ids = new Set<string>();
  private readonly credentials = new Set<string>();

  constructor(private readonly fail: (path: PathPart[], problem: string) => never) {}

  seed(value: unknown): Seed {
    const obj = this.object(value, [], ["company_id", "rate_limit", "workspaces"]);
    const seed: Seed = {};
    if (obj.company_id !== undefined) seed.company_id = this.uuid(obj.company_id, ["company_id"]);
    if (obj.rate_limit !== undefined) seed.rate_limit = this.integer(obj.rate_limit, ["rate_limit"], 1, 1_000_000);
    if (obj.workspaces !== undefined) {
      seed.workspaces = this.array(obj.workspaces, ["workspaces"]).map((w, i) => this.workspace(w, ["workspaces", i]));
    }
    return seed;
  }

  private workspace(value: unknown, path: PathPart[]): SeedWorkspace {
    const obj = this.object(value, path, [
      "id",
      "name",
      "members",
      "keys",
      "generated_keys",
      "agents",
      "conversations",
    ]);
    const name = this.text(obj.name, [...path, "name"], 1, 100);
    if (this.workspaceNames.has(name)) this.fail([...path, "name"], `duplicate workspace name "${name}"`);
    this.workspaceNames.add(name);
    const ws: SeedWorkspace = { name };
    if (obj.id !== undefined) ws.id = this.uniqueId(obj.id, [...path, "id"]);
    if (obj.members !== undefined) {
      ws.members = this.array(obj.members, [...path, "members"]).map((m, i) => this.member(m, [...path, "members", i]));
    }
    if (obj.keys !== undefined) {
      ws.keys = this.array(obj.keys, [...path, "keys"]).map((k, i) => this.key(k, [...path, "keys", i]));
    }
    if (obj.generated_keys !== undefined)
      ws.generated_keys = this.integer(obj.generated_keys, [...path, "generated_keys"], 0, 1_000_000);
    if (obj.agents !== undefined) ws.agents = this.integer(obj.agents, [...path, "agents"], 0, 100_000);
    if (obj.conversations !== undefined)
      ws.conversations = this.integer(obj.conversations, [...path, "conversations"], 0, 1_000_000);
    if ((ws.conversations ?? 0) > 0 && (ws.agents ?? 0) === 0) {
      this.fail([...path, "conversations"], "conversations need at least one agent (set agents)");
    }
    return ws;
  }

  private member(value: unknown, path: PathPart[]): SeedMember {
    const obj = this.object(value, path, ["name", "role", "token"]);
    const name = this.text(obj.name, [...path, "name"], 1, 100);
    const role = this.oneOf(obj.role, [...path, "role"], roleValues);
    const token = this.credential(obj.token, [...path, "token"], tokenPattern, "tkm_");
    return { name, role, token };
  }

  private key(value: unknown, path: PathPart[]): SeedKey {
    const obj = this.object(value, path, [
      "id",
      "name",
      "description",
      "scopes",
      "expires_in_days",
      "status",
      "secret",
      "created_at",
      "last_used_at",
      "deactivated_at",
      "request_count",
    ]);
    const key: SeedKey = {
      name: this.text(obj.name, [...path, "name"], 1, limits.nameMaxLength),
      scopes: this.scopes(obj.scopes, [...path, "scopes"]),
    };
    if (!/\S/.test(key.name)) this.fail([...path, "name"], "must not be blank");
    if (obj.id !== undefined) key.id = this.uniqueId(obj.id, [...path, "id"]);
    if (obj.description !== undefined)
      key.description = this.text(obj.description, [...path, "description"], 0, limits.descriptionMaxLength);
    if (obj.expires_in_days !== undefined && obj.expires_in_days !== null) {
      key.expires_in_days = this.integer(
        obj.expires_in_days,
        [...path, "expires_in_days"],
        limits.expiresInDaysMin,
        limits.expiresInDaysMax,
      );
    }
    if (obj.status !== undefined) key.status = this.oneOf(obj.status, [...path, "status"], keyStatusValues);
    if (obj.secret !== undefined) key.secret = this.credential(obj.secret, [...path, "secret"], secretPattern, "tml_");
    for (const field of ["created_at", "last_used_at", "deactivated_at"] as const) {
      const raw = obj[field];
      if (raw === undefined || (raw === null && field !== "created_at")) continue;
      key[field] = this.dateTime(raw, [...path, field]);
    }
    if (obj.request_count !== undefined)
      key.request_count = this.integer(obj.request_count, [...path, "request_count"], 0, Number.MAX_SAFE_INTEGER);
    return key;
  }

  private object(value: unknown, path: PathPart[], allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(path, "must be a mapping");
    const obj = value as Record<string, unknown>;
    for (const field of Object.keys(obj)) {
      if (!allowed.includes(field)) this.fail([...path, field], `unknown field (allowed: ${allowed.join(", ")})`);
    }
    return obj;
  }

  private array(value: unknown, path: PathPart[]): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "must be a list");
    return value as unknown[];
  }

  private text(value: unknown, path: PathPart[], min: number, max: number): string {
    if (value === undefined) this.fail(path, "is required");
    if (typeof value !== "string") this.fail(path, "must be a string");
    const s = value as string;
    if (s.length < min) this.fail(path, min === 1 ? "must not be empty" : `must be at least ${min} characters`);
    if (s.length > max) this.fail(path, `must be at most ${max} characters`);
    return s;
  }

  private integer(value: unknown, path: PathPart[], min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value)) this.fail(path, "must be an integer");
    const n = value as number;
    if (n < min || n > max) this.fail(path, `must be between ${min} and ${max}`);
    return n;
  }

  private oneOf<T extends string>(value: unknown, path: PathPart[], allowed: readonly T[]): T {
    if (value === undefined) this.fail(path, "is required");
    if (typeof value !== "string" || !allowed.includes(value as T))
      this.fail(path, `must be one of ${allowed.join(", ")}`);
    return value as T;
  }

  private uuid(value: unknown, path: PathPart[]): string {
    if (typeof value !== "string" || !uuidPattern.test(value)) this.fail(path, "must be a UUID");
    return (value as string).toLowerCase();
  }

  private uniqueId(value: unknown, path: PathPart[]): string {
    const id = this.uuid(value, path);
    if (this.ids.has(id)) this.fail(path, `duplicate id ${id}`);
    this.ids.add(id);
    return id;
  }

  private dateTime(value: unknown, path: PathPart[]): string {
    // YAML turns unquoted timestamps into Date objects only with the yaml-1.1 schema; accept both.
    const raw = value instanceof Date ? value : typeof value === "string" ? value : undefined;
    if (raw === undefined) this.fail(path, "must be an ISO 8601 date-time");
    try {
      return parseDate(raw!, formatPath(path)).toISOString();
    } catch {
      return this.fail(path, "must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z");
    }
  }

  private scopes(value: unknown, path: PathPart[]): Scope[] {
    if (value === undefined) this.fail(path, "is required");
    const list = this.array(value, path);
    if (list.length === 0) this.fail(path, "must list at least one scope");
    const seen = new Set<Scope>();
    list.forEach((s, i) => {
      const scope = this.oneOf(s, [...path, i], scopeValues);
      if (seen.has(scope)) this.fail([...path, i], `duplicate scope ${scope}`);
      seen.add(scope);
    });
    return [...seen];
  }

  /** Checks shape and uniqueness; the value itself never appears in a message. */
  private credential(value: unknown, path: PathPart[], pattern: RegExp, prefix: string): string {
    if (value === undefined) this.fail(path, "is required");
    if (typeof value !== "string" || !pattern.test(value)) {
      this.fail(path, `must be ${prefix} followed by at least 32 base62 characters (value not shown)`);
    }
    const credential = value as string;
    if (this.credentials.has(credential)) this.fail(path, "is used twice in the seed (value not shown)");
    this.credentials.add(credential);
    return credential;
  }
}

// A loopback stand-in for the GitHub REST API's issue and comment endpoints. Every request the
// Action makes is validated against the official OpenAPI description (@octokit/openapi: only the
// operations used here are compiled), and every answer it gives is too, so the Action is tested
// against the real shapes. Violations are collected for the test to assert on.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { repoRoot } from "../support/cli.js";

const SPEC_ID = "https://octokit.invalid/api.github.com.json";

interface Operation {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  query: Map<string, ValidateFunction>;
  body?: ValidateFunction;
  responses: Map<number, ValidateFunction>;
}

type Json = Record<string, unknown>;

function loadOperations(): Operation[] {
  const require = createRequire(join(repoRoot, "packages", "github-action", "package.json"));
  const spec = JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8")) as {
    paths: Record<string, Record<string, Json>>;
    components: Json;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Only the components: ajv compiles what each operation's schemas reference, nothing more.
  ajv.addSchema({ $id: SPEC_ID, components: fromOpenApi30(spec.components) });
  const compile = (schema: unknown) =>
    ajv.compile(JSON.parse(JSON.stringify(fromOpenApi30(schema)).replace(/"\$ref":"#/g, `"$ref":"${SPEC_ID}#`)));
  const wanted: Array<[string, string]> = [
    ["get", "/repos/{owner}/{repo}/issues"],
    ["post", "/repos/{owner}/{repo}/issues"],
    ["patch", "/repos/{owner}/{repo}/issues/{issue_number}"],
    ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
    ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
    ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ];
  return wanted.map(([method, template]) => {
    const op = spec.paths[template]![method] as Json;
    const query = new Map<string, ValidateFunction>();
    for (const raw of (op.parameters as Json[]) ?? []) {
      const param = (typeof raw.$ref === "string" ? resolvePointer(spec, raw.$ref) : raw) as Json;
      if (param.in === "query") query.set(String(param.name), compile(param.schema));
    }
    const bodySchema = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as
      | Json
      | undefined;
    const responses = new Map<number, ValidateFunction>();
    for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
      const schema = ((response.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
      if (schema && /^2\d\d$/.test(status)) responses.set(Number(status), compile(schema));
    }
    return {
      method: method.toUpperCase(),
      template,
      operationId: String(op.operationId),
      pattern: new RegExp(`^${template.replace(/\{[a-z_]+\}/g, "([^/]+)")}$`),
      query,
      ...(bodySchema?.schema ? { body: compile(bodySchema.schema) } : {}),
      responses,
    };
  });
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]`, or anyOf with null. */
function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node))
    out[key] = key === "example" || key === "examples" ? value : fromOpenApi30(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    } else return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((node, part) => (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
}

const user = (login: string) => ({
  login,
  id: 41898282,
  node_id: "MDM6Qm90NDE4OTgyODI=",
  avatar_url: "https://avatars.githubusercontent.com/in/15368?v=4",
  gravatar_id: "",
  url: `https://api.github.com/users/${encodeURIComponent(login)}`,
  html_url: `https://github.com/apps/${encodeURIComponent(login.replace("[bot]", ""))}`,
  followers_url: "https://api.github.com/users/x/followers",
  following_url: "https://api.github.com/users/x/following{/other_user}",
  gists_url: "https://api.github.com/users/x/gists{/gist_id}",
  starred_url: "https://api.github.com/users/x/starred{/owner}{/repo}",
  subscriptions_url: "https://api.github.com/users/x/subscriptions",
  organizations_url: "https://api.github.com/users/x/orgs",
  repos_url: "https://api.github.com/users/x/repos",
  events_url: "https://api.github.com/users/x/events{/privacy}",
  received_events_url: "https://api.github.com/users/x/received_events",
  type: "Bot",
  site_admin: false,
});

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  comments: FakeComment[];
  /** A pull request shares the issue number space. */
  pull?: boolean;
}

export interface FakeComment {
  id: number;
  body: string;
  issue: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  body: unknown;
  raw: string;
}

export class FakeGitHub {
  readonly issues: FakeIssue[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private server!: Server;
  private nextId = 1000;
  url = "";

  constructor(
    readonly token: string,
    private readonly operations = loadOperations(),
    /** Small pages, so that the Action must follow the Link header. */
    private readonly pageSize = 2,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  addIssue(issue: Omit<FakeIssue, "number" | "comments" | "state_reason">): FakeIssue {
    const created: FakeIssue = { ...issue, number: this.issues.length + 1, comments: [], state_reason: null };
    this.issues.push(created);
    return created;
  }

  issue(number: number): FakeIssue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  private issueJson(issue: FakeIssue) {
    const url = `https://api.github.com/repos/acme/app/issues/${issue.number}`;
    return {
      id: 100_000 + issue.number,
      node_id: `I_kwDO${issue.number}`,
      url,
      repository_url: "https://api.github.com/repos/acme/app",
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `https://github.com/acme/app/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.state_reason,
      title: issue.title,
      body: issue.body,
      user: user("github-actions[bot]"),
      labels: issue.labels.map((name, i) => ({
        id: i + 1,
        node_id: `LA_${i}`,
        url: `https://api.github.com/repos/acme/app/labels/${name}`,
        name,
        description: null,
        color: "ededed",
        default: false,
      })),
      assignee: null,
      milestone: null,
      locked: false,
      comments: issue.comments.length,
      ...(issue.pull
        ? {
            pull_request: {
              url: `https://api.github.com/repos/acme/app/pulls/${issue.number}`,
              html_url: null,
              diff_url: null,
              patch_url: null,
            },
          }
        : {}),
      closed_at: issue.state === "closed" ? "2026-06-01T12:00:00Z" : null,
      created_at: "2026-06-01T12:00:00Z",
      updated_at: "2026-06-01T12:00:00Z",
      author_association: "NONE",
    };
  }

  private commentJson(comment: FakeComment) {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `https://api.github.com/repos/acme/app/issues/comments/${comment.id}`,
      html_url: `https://github.com/acme/app/issues/${comment.issue}#issuecomment-${comment.id}`,
      body: comment.body,
      user: user("github-actions[bot]"),
      created_at: "2026-06-01T12:00:00Z",
      updated_at: "2026-06-01T12:00:00Z",
      issue_url: `https://api.github.com/repos/acme/app/issues/${comment.issue}`,
      author_association: "NONE",
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const op = this.operations.find((o) => o.method === method && o.pattern.test(url.pathname));
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      const validate = op?.responses.get(status);
      if (validate && !validate(data)) this.violations.push(`answer of ${op?.operationId}: ${ajvText(validate)}`);
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(data));
    };
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: no such operation in the GitHub description`);
      return send(404, { message: "Not Found" });
    }
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      this.violations.push(`${op.operationId}: body is not JSON`);
    }
    this.requests.push({ method, path: url.pathname + url.search, operationId: op.operationId, body, raw });
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { message: "Bad credentials" });
    if (req.headers["x-github-api-version"] !== "2022-11-28")
      this.violations.push(`${op.operationId}: no X-GitHub-Api-Version 2022-11-28`);
    for (const [name, value] of url.searchParams) {
      const validate = op.query.get(name);
      if (!validate) this.violations.push(`${op.operationId}: unknown query parameter ${name}`);
      else if (!validate(/^\d+$/.test(value) ? Number(value) : value))
        this.violations.push(`${op.operationId}: query ${name}=${value}: ${ajvText(validate)}`);
    }
    if (op.body && body !== undefined && !op.body(body))
      this.violations.push(`${op.operationId}: body: ${ajvText(op.body)}`);
    if (op.body === undefined && body !== undefined) this.violations.push(`${op.operationId}: takes no body`);
    const [, , , ...params] = op.pattern.exec(url.pathname) ?? [];
    const b = (body ?? {}) as Json;
    switch (op.operationId) {
      case "issues/list-for-repo": {
        const state = url.searchParams.get("state") ?? "open";
        const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
        const all = this.issues.filter(
          (i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)),
        );
        return this.page(
          url,
          all.map((i) => this.issueJson(i)),
          send,
        );
      }
      case "issues/create": {
        const issue = this.addIssue({
          title: String(b.title),
          body: String(b.body ?? ""),
          state: "open",
          labels: (b.labels as string[]) ?? [],
        });
        return send(201, this.issueJson(issue));
      }
      case "issues/update": {
        const issue = this.issue(Number(params[0]));
        if (!issue) return send(404, { message: "Not Found" });
        if (typeof b.title === "string") issue.title = b.title;
        if (typeof b.body === "string") issue.body = b.body;
        if (b.state === "open" || b.state === "closed") issue.state = b.state;
        if (typeof b.state_reason === "string") issue.state_reason = b.state_reason;
        return send(200, this.issueJson(issue));
      }
      case "issues/list-comments": {
        const issue = this.issue(Number(params[0]));
        if (!issue) return send(404, { message: "Not Found" });
        return this.page(
          url,
          issue.comments.map((c) => this.commentJson(c)),
          send,
        );
      }
      case "issues/create-comment": {
        const issue = this.issue(Number(params[0]));
        if (!issue) return send(404, { message: "Not Found" });
        if (typeof b.body === "string" && b.body.length > 65_536)
          return send(422, { message: "Validation Failed: body is too long (maximum is 65536 characters)" });
        const comment = { id: this.nextId++, body: String(b.body), issue: issue.number };
        issue.comments.push(comment);
        return send(201, this.commentJson(comment));
      }
      case "issues/update-comment": {
        const comment = this.issues.flatMap((i) => i.comments).find((c) => c.id === Number(params[0]));
        if (!comment) return send(404, { message: "Not Found" });
        if (typeof b.body === "string" && b.body.length > 65_536)
          return send(422, { message: "Validation Failed: body is too long (maximum is 65536 characters)" });
        comment.body = String(b.body);
        return send(200, this.commentJson(comment));
      }
    }
    return send(404, { message: "Not Found" });
  }

  private page(
    url: URL,
    items: unknown[],
    send: (status: number, data: unknown, headers?: Record<string, string>) => void,
  ): void {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), this.pageSize);
    const page = Number(url.searchParams.get("page") ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      headers.link = `<${next.href}>; rel="next"`;
    }
    send(200, slice, headers);
  }
}

function ajvText(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
}

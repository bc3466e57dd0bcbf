// The bad-input corpus: every way a user, a file or an API can hand the CLI something wrong. Each
// case must end in exit 1 with one clear message (one `error:` line, or file:line:col diagnostics),
// no stack trace, no mutating request, and none of the secrets it planted echoed back.
// bad-input.test.ts runs them; the manifest fixtures of packages/provisioner/test/fixtures/manifests/bad
// are run through the CLI there as well.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { FaultConfig } from "@timely-keys/emulator";
import { fakeSecrets } from "../../packages/provisioner/test/fixtures/manifests/fake-secrets.js";
import { OWNER_TOKEN } from "../support/emulator.js";
import {
  crmEntry,
  type EntryFields,
  entry,
  fileSink,
  type ManifestSpec,
  type ManifestWorkspace,
  manifestYaml,
  workspace,
} from "../support/manifest.js";

/** Where the CLI's TIMELY_API_URL points. */
export type Api =
  /** The file's shared, well-behaved emulator. */
  | { kind: "emulator" }
  /** An emulator of its own, with these faults on from the start. */
  | { kind: "faulty"; faults: FaultConfig }
  /** A tiny node:http server answering this way. */
  | { kind: "http"; answer: (req: IncomingMessage, res: ServerResponse) => void }
  /** A TCP server that answers with raw bytes (not HTTP). */
  | { kind: "raw"; answer: (socket: Socket) => void }
  /** A fixed URL (nothing listening, not a URL at all...). */
  | { kind: "url"; url: string };

export interface CaseContext {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI in `dir` with `env` (for setups that need a saved plan, ...). */
  cli: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export interface BadInputCase {
  name: string;
  args: string[];
  /** Files in the case's folder; `timely-keys.yaml` defaults to a valid manifest. */
  files?: Record<string, string | Buffer>;
  setup?: (ctx: CaseContext) => Promise<void> | void;
  /** Environment changes; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  api?: Api;
  /** What the message must say. */
  message: RegExp;
  /** Values planted in the input that must never be echoed. */
  secrets?: string[];
}

/** The valid manifest's entry: crm, CRM Integration, read and conversations, 90 days, ./secrets/crm.env. */
const crm = (fields: EntryFields = {}) => crmEntry({ expiresInDays: 90, ...fields });
/** The valid manifest's workspace: acme-prod, PROD_TOKEN, holding crm. */
const prod = (fields: Partial<ManifestWorkspace> = {}) => workspace({ keys: [crm()], ...fields });
/** The valid manifest, with what a case changes in its meaning: crm's `keys`, the `workspaces`, the policy... */
const valid = (spec: ManifestSpec = {}) => manifestYaml(spec.workspaces ? spec : { keys: [crm()], ...spec });

export const VALID_MANIFEST = valid();

/** The valid manifest's text with one part replaced (it must be there): what a YAML or type case breaks. */
function edit(from: string, to: string): string {
  if (!VALID_MANIFEST.includes(from)) throw new Error(`no ${JSON.stringify(from)} in the valid manifest`);
  return VALID_MANIFEST.replace(from, to);
}

const manifest = (text: string | Buffer): Record<string, string | Buffer> => ({ "timely-keys.yaml": text });
const apply = ["apply", "--auto-approve"];

/** A JSON answer with the contract's headers. */
function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", date: new Date().toUTCString() });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

const deepNesting = `version: 1\nworkspaces: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
const aliasFlood =
  `version: 1\nx: &x [${Array.from({ length: 50 }, () => '"lol"').join(",")}]\nworkspaces: ` +
  `[${Array.from({ length: 120 }, () => "*x").join(", ")}]\n`;
const binaryGarbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
const PADDING_LINE = "# padding padding padding padding padding padding padding padding\n";
const hugeManifest = `${VALID_MANIFEST}${PADDING_LINE.repeat(140_000)}`;

export const cases: BadInputCase[] = [
  // ---- commands and flags -------------------------------------------------------------------
  { name: "unknown command", args: ["frobnicate"], message: /^error: unknown command 'frobnicate'/ },
  { name: "unknown flag", args: ["plan", "--bogus"], message: /^error: Unknown option '--bogus'/ },
  {
    name: "flag without its value",
    args: ["plan", "-f"],
    message: /^error: Option '-f, --file <value>' argument missing/,
  },
  {
    name: "--concurrency 0",
    args: ["apply", "--auto-approve", "--concurrency", "0"],
    message: /--concurrency must be a whole number from 1 to 9999, got '0'/,
  },
  {
    name: "--concurrency not a number",
    args: ["apply", "--auto-approve", "--concurrency", "many"],
    message: /--concurrency must be a whole number/,
  },
  {
    name: "--concurrency too large",
    args: ["apply", "--auto-approve", "--concurrency", "100000"],
    message: /--concurrency must be a whole number/,
  },
  {
    name: "apply without --auto-approve off a terminal",
    args: ["apply"],
    message: /^error: apply needs --auto-approve when not run in a terminal \(nothing was changed\)/,
  },
  {
    name: "rotate without --auto-approve off a terminal",
    args: ["rotate", "crm"],
    message: /^error: rotate needs --auto-approve/,
  },
  {
    name: "rollback without an id",
    args: ["rollback", "--auto-approve"],
    message: /^error: which key\? Give the id of the key to roll back/,
  },
  {
    name: "rollback with two ids",
    args: ["rollback", "crm", "other", "--auto-approve"],
    message: /^error: unexpected argument 'other'/,
  },
  {
    name: "rotate without an id",
    args: ["rotate", "--auto-approve"],
    message: /^error: which key\? Give the id of each key to rotate/,
  },
  {
    name: "rotate --revoke-first without --compromised",
    args: ["rotate", "crm", "--revoke-first", "--auto-approve"],
    message: /^error: --revoke-first only applies to --compromised/,
  },
  {
    name: "rotate with ids and --exposed-to",
    args: ["rotate", "crm", "--exposed-to", "a@b.co", "--auto-approve"],
    message: /^error: give key ids or --exposed-to, not both/,
  },
  {
    name: "validate with a stray argument",
    args: ["validate", "extra"],
    message: /^error: unexpected argument 'extra'/,
  },
  { name: "usage with an unknown flag", args: ["usage", "--since", "1d"], message: /^error: Unknown option '--since'/ },
  { name: "import without --workspace", args: ["import"], message: /^error: .*--workspace/ },
  {
    name: "YAML nested 100 levels deep",
    args: ["plan"],
    files: { "timely-keys.yaml": `version: 1\nworkspaces: ${"[".repeat(100)}${"]".repeat(100)}\n` },
    message: /^timely-keys\.yaml:2:\d+: error\[yaml-syntax\]: YAML: nested more than 64 levels deep/,
  },
  {
    name: "rotate of an entry without sinks",
    args: ["rotate", "crm", "--auto-approve"],
    files: manifest(valid({ keys: [crm({ deliver: undefined })] })),
    message: new RegExp(
      String.raw`^error: rotate crm: the entry has no deliver sinks, so a new secret would ` +
        String.raw`reach no one; add a deliver: sink to it first \(nothing was changed\)$`,
    ),
  },
  { name: "usage of an unknown id", args: ["usage", "nope"], message: /^error: usage nope: no key with this id/ },
  {
    name: "rollback of an unknown id",
    args: ["rollback", "nope", "--auto-approve"],
    message: /^error: rollback nope: no key with this id/,
  },
  {
    name: "--target naming no entry",
    args: ["plan", "--target", "nope"],
    message: /^error: --target nope: no key with this id/,
  },
  {
    name: "--workspace naming no workspace",
    args: ["plan", "--workspace", "nope"],
    message: /^error: --workspace nope: no such workspace/,
  },
  {
    name: "rotate of an unknown entry",
    args: ["rotate", "nope", "--auto-approve"],
    message: /^error: rotate nope: no key with this id/,
  },
  {
    name: "saved plan combined with -f",
    args: ["apply", "saved.json", "-f", "timely-keys.yaml"],
    files: { "saved.json": "{}" },
    message: /cannot be combined with PLAN\.json/,
  },

  // ---- the manifest file itself ---------------------------------------------------------------
  {
    name: "manifest missing",
    args: ["plan", "-f", "nope.yaml"],
    message: /^nope\.yaml: error\[file-unreadable\]: .*(no such file|does not exist|not found)/i,
  },
  {
    name: "manifest is a directory",
    args: [...apply, "-f", "folder"],
    setup: ({ dir }) => mkdir(dir, "folder"),
    message: /error\[file-unreadable\]: is a directory/,
  },
  {
    name: "manifest path through a file",
    args: [...apply, "-f", "timely-keys.yaml/inner.yaml"],
    message: /error\[file-unreadable\]/,
  },
  {
    name: "manifest is a FIFO",
    args: [...apply, "-f", "pipe.yaml"],
    setup: ({ dir }) => fifo(dir, "pipe.yaml"),
    message: /error\[file-unreadable\]: is not a regular file/,
  },
  {
    name: "manifest is a dangling symlink",
    args: [...apply, "-f", "link.yaml"],
    setup: ({ dir }) => symlink(dir, "missing.yaml", "link.yaml"),
    message: /error\[file-unreadable\]/,
  },
  {
    name: "manifest is a symlink loop",
    args: [...apply, "-f", "loop.yaml"],
    setup: ({ dir }) => symlink(dir, "loop.yaml", "loop.yaml"),
    message: /error\[file-unreadable\]/,
  },
  { name: "manifest over 8 MiB", args: apply, files: manifest(hugeManifest), message: /error\[file-too-large\]/ },
  {
    name: "manifest over a lowered TIMELY_MANIFEST_MAX_MIB",
    args: apply,
    env: { TIMELY_MANIFEST_MAX_MIB: "0.0001" },
    message: /error\[file-too-large\]: is 0\.0 MiB; a manifest may be at most 0\.0 MiB \(TIMELY_MANIFEST_MAX_MIB/,
  },
  {
    name: "env: TIMELY_MANIFEST_MAX_MIB is not a number",
    args: apply,
    env: { TIMELY_MANIFEST_MAX_MIB: "lots" },
    message: /^error: TIMELY_MANIFEST_MAX_MIB must be a number of MiB/,
  },
  {
    name: "binary garbage",
    args: apply,
    files: manifest(binaryGarbage),
    message: /error\[(file-encoding|yaml-syntax)\]/,
  },
  {
    name: "empty manifest",
    args: apply,
    files: manifest(""),
    message: /error\[root-not-mapping\]: the manifest is empty/,
  },
  {
    name: "only comments",
    args: apply,
    files: manifest("# nothing here\n# at all\n"),
    message: /error\[root-not-mapping\]/,
  },

  // ---- YAML -----------------------------------------------------------------------------------
  {
    name: "YAML: unclosed quote",
    args: apply,
    files: manifest(edit("name: CRM Integration", 'name: "CRM Integration')),
    message: /error\[yaml-syntax\]/,
  },
  {
    name: "YAML: bad indentation",
    args: apply,
    files: manifest(edit("      - id: crm", "     - id: crm")),
    message: /error\[yaml-syntax\]/,
  },
  {
    name: "YAML: 20,000 nested brackets",
    args: apply,
    files: manifest(deepNesting),
    message: /error\[yaml-syntax\]: YAML: nested more than 64 levels deep/,
  },
  {
    name: "YAML bomb: aliases expanding a list",
    args: apply,
    files: manifest(aliasFlood),
    message: /error\[yaml-aliases\]/,
  },
  {
    name: "YAML: a custom tag",
    args: apply,
    files: manifest(edit("expiresInDays: 90", "expiresInDays: !!js/function 'return 1'")),
    message: /error\[yaml-syntax\]/,
  },
  {
    name: "YAML: a merge key pulling in a scalar",
    args: apply,
    files: manifest(edit("      - id: crm", "      - <<: 5\n        id: crm")),
    message: /error\[[a-z-]+\]/,
  },

  // ---- wrong types and unknown fields ------------------------------------------------------------
  {
    name: "version as a string",
    args: apply,
    files: manifest(edit("version: 1", 'version: "1"')),
    message: /error\[schema\]: .*version/,
  },
  {
    name: "workspaces as a mapping",
    args: apply,
    files: manifest("version: 1\nworkspaces: { acme-prod: {} }\n"),
    message: /error\[schema\]: .*workspaces must be a list/,
  },
  {
    name: "keys as a string",
    args: apply,
    files: manifest("version: 1\nworkspaces:\n  - name: acme-prod\n    tokenEnv: PROD_TOKEN\n    keys: crm\n"),
    message: /error\[schema\]: .*keys/,
  },
  {
    name: "a scope that is a number",
    args: apply,
    files: manifest(edit("          - conversations\n", "          - 42\n")),
    message: /error\[(schema|unknown-scope)\]/,
  },
  {
    name: "negative expiresInDays",
    args: apply,
    files: manifest(edit("expiresInDays: 90", "expiresInDays: -5")),
    message: /error\[schema\]: .*expiresInDays/,
  },
  {
    name: "fractional expiresInDays",
    args: apply,
    files: manifest(edit("expiresInDays: 90", "expiresInDays: 1.5")),
    message: /error\[schema\]: .*expiresInDays must be a whole number/,
  },
  {
    name: "a name that is a list",
    args: apply,
    files: manifest(edit("name: CRM Integration", "name: [CRM]")),
    message: /error\[schema\]: .*name/,
  },
  {
    name: "a file sink path that is a number",
    args: apply,
    files: manifest(edit("path: ./secrets/crm.env", "path: 42")),
    message: /error\[schema\]: .*path/,
  },
  {
    name: "an exec command as one string",
    args: apply,
    files: manifest(
      edit("- type: file\n            path: ./secrets/crm.env", '- type: exec\n            command: "node push.js"'),
    ),
    message: /error\[schema\]: .*command/,
  },
  {
    name: "a duration that is not one",
    args: apply,
    files: manifest(valid({ policy: { rotation: { drainWindow: "forever" } } })),
    message: /error\[invalid-duration\]/,
  },
  {
    name: "policy as a list",
    args: apply,
    files: manifest(`policy: []\n${VALID_MANIFEST}`),
    message: /error\[schema\]: .*policy/,
  },
  {
    name: "unknown top-level field",
    args: apply,
    files: manifest(`${VALID_MANIFEST}extra: 1\n`),
    message: /error\[schema\]: unknown field "extra"/,
  },
  {
    name: "unknown workspace field",
    args: apply,
    files: manifest(edit("    tokenEnv: PROD_TOKEN", "    tokenEnv: PROD_TOKEN\n    region: eu")),
    message: /error\[schema\]: unknown field "region"/,
  },
  {
    name: "unknown sink field",
    args: apply,
    files: manifest(edit("path: ./secrets/crm.env\n", "path: ./secrets/crm.env\n            mode: 600\n")),
    message: /error\[schema\]: unknown field "mode"/,
  },

  // ---- policy ---------------------------------------------------------------------------------
  {
    name: "write scope without expiry",
    args: apply,
    files: manifest(valid({ keys: [crm({ scopes: ["read", "write"], expiresInDays: undefined })] })),
    message: /error\[write-without-expiry\]/,
  },
  {
    name: "expiry over the policy's maximum",
    args: apply,
    files: manifest(valid({ policy: { maxExpiresInDays: 30 } })),
    message: /error\[expiry-over-max\]/,
  },
  {
    name: "two entries with one id",
    args: apply,
    files: manifest(
      valid({ keys: [crm(), entry("crm", { name: "Other", deliver: [fileSink("./secrets/other.env")] })] }),
    ),
    message: /error\[duplicate-id\]/,
  },
  {
    name: "two entries writing one file",
    args: apply,
    files: manifest(
      valid({ keys: [crm(), entry("other", { name: "Other", deliver: [fileSink("./secrets/crm.env")] })] }),
    ),
    message: /error\[shared-destination\]/,
  },
  {
    name: "grace shorter than the drain window",
    args: apply,
    files: manifest(valid({ policy: { rotation: { drainWindow: "2d", maxGrace: "1d" } } })),
    message: /error\[grace-shorter-than-drain\]/,
  },
  {
    name: "a key's own rotation.maxPerRun (a policy.rotation setting)",
    args: apply,
    files: manifest(valid({ keys: [crm({ rotation: { maxPerRun: 5 } })] })),
    message: /error\[schema\]: maxPerRun is set in policy\.rotation only/,
  },
  {
    name: "an unknown scope",
    args: apply,
    files: manifest(edit("          - conversations\n", "          - admin\n")),
    message: /error\[unknown-scope\]: unknown scope "admin"/,
  },

  // ---- secrets in the manifest ------------------------------------------------------------------
  {
    name: "an API key in the description",
    args: apply,
    files: manifest(valid({ keys: [crm({ description: `use ${fakeSecrets.timelyKey}` })] })),
    message: /error\[secret-in-manifest\]/,
    secrets: [fakeSecrets.timelyKey],
  },
  {
    name: "a management token as tokenEnv",
    args: apply,
    files: manifest(valid({ workspaces: [prod({ tokenEnv: fakeSecrets.managementToken })] })),
    message: /error\[secret-in-manifest\]/,
    secrets: [fakeSecrets.managementToken],
  },
  {
    name: "a token in a comment",
    args: apply,
    files: manifest(`# old key: ${fakeSecrets.timelyKey}\n${VALID_MANIFEST}`),
    message: /error\[secret-in-manifest\]/,
    secrets: [fakeSecrets.timelyKey],
  },
  {
    name: "a GitHub token in an exec argv",
    args: apply,
    files: manifest(
      valid({ keys: [crm({ deliver: [{ type: "exec", command: ["push", "--token", fakeSecrets.githubToken] }] })] }),
    ),
    message: /error\[secret-in-manifest\]/,
    secrets: [fakeSecrets.githubToken],
  },
  {
    name: "the real management token pasted in",
    args: apply,
    files: manifest(valid({ keys: [crm({ name: OWNER_TOKEN })] })),
    message: /error\[secret-in-manifest\]/,
    secrets: [OWNER_TOKEN],
  },
  {
    name: "a secret in broken YAML",
    args: apply,
    files: manifest(`version: 1\nworkspaces: [ { name: "${fakeSecrets.timelyKey}"\n`),
    message: /error\[(secret-in-manifest|yaml-syntax)\]/,
    secrets: [fakeSecrets.timelyKey],
  },

  // ---- environment ------------------------------------------------------------------------------
  {
    name: "token variable unset",
    args: apply,
    env: { PROD_TOKEN: undefined },
    message: /error\[missing-env\]: environment variable PROD_TOKEN is not set/,
  },
  {
    name: "token variable empty",
    args: apply,
    env: { PROD_TOKEN: "" },
    message: /error\[missing-env\]: environment variable PROD_TOKEN is empty/,
  },
  {
    name: "token variable blank",
    args: ["plan"],
    env: { PROD_TOKEN: "   " },
    message: /(error\[missing-env\]|^error: .*PROD_TOKEN)/,
  },
  {
    name: "token unknown to the API",
    args: apply,
    env: { PROD_TOKEN: `tkm_${"Z".repeat(40)}` },
    message: /^error: workspace acme-prod: the management token in PROD_TOKEN was rejected \(401/,
    secrets: [`tkm_${"Z".repeat(40)}`],
  },
  {
    name: "TIMELY_API_URL not a URL",
    args: apply,
    api: { kind: "url", url: "not a url" },
    message: /^error: invalid API setting: baseUrl is not a URL: .*\(check TIMELY_API_URL/,
  },
  {
    name: "TIMELY_API_URL not http",
    args: apply,
    api: { kind: "url", url: "ftp://127.0.0.1/" },
    message: /^error: .*http\(s\)/,
  },
  {
    name: "TIMELY_API_URL where nothing listens",
    args: apply,
    api: { kind: "url", url: "http://127.0.0.1:9" },
    message: /^error: could not reach the API: GET \/v1\/(?:me|api-keys).* failed: .*Check the API URL/,
  },

  // ---- saved plans ------------------------------------------------------------------------------
  {
    name: "saved plan: not JSON",
    args: ["apply", "saved.json"],
    files: { "saved.json": "this is not json {" },
    message: /^error: saved\.json: not a saved plan \(invalid JSON\)/,
  },
  {
    name: "saved plan: empty file",
    args: ["apply", "saved.json"],
    files: { "saved.json": "" },
    message: /^error: saved\.json: not a saved plan/,
  },
  {
    name: "saved plan: JSON of another kind",
    args: ["apply", "saved.json"],
    files: { "saved.json": '{"plan": {}, "digest": 1}' },
    message: /^error: saved\.json: not a saved plan/,
  },
  {
    name: "saved plan: missing",
    args: ["apply", "nope.json"],
    message: /^error: nope\.json: cannot read the saved plan \(no such file\)/,
  },
  {
    name: "saved plan: a directory",
    args: ["apply", "plans"],
    setup: ({ dir }) => mkdir(dir, "plans"),
    message: /^error: plans: cannot read the saved plan \(is a directory\)/,
  },
  {
    name: "saved plan: over 16 MiB",
    args: ["apply", "saved.json"],
    setup: ({ dir }) => write(dir, "saved.json", `{"pad": "${"x".repeat(17 * 1024 * 1024)}"}`),
    message: /^error: saved\.json: too large for a saved plan/,
  },
  {
    name: "saved plan: an action edited",
    args: ["apply", "saved.json"],
    setup: async (ctx) => {
      await savePlan(ctx);
      rewrite(ctx.dir, "saved.json", (text) => text.replace('"CRM Integration"', '"CRM Integration (edited)"'));
    },
    message: /^error: saved\.json: the saved plan was modified after it was written/,
  },
  {
    name: "saved plan: digest recomputed for an edited plan, but the live state moved",
    args: ["apply", "saved.json"],
    setup: async (ctx) => {
      await savePlan(ctx);
      rewrite(ctx.dir, "saved.json", (text) =>
        text.replace(/"fingerprint": ?"sha256:[0-9a-f]+"/, `"fingerprint": "sha256:${"0".repeat(64)}"`),
      );
      await redigest(ctx.dir, "saved.json");
    },
    message: /^error: saved\.json: the live state of workspace acme-prod changed since this plan was made; it is stale/,
  },
  {
    name: "saved plan: format_version 3",
    args: ["apply", "saved.json"],
    setup: async (ctx) => {
      await savePlan(ctx);
      rewrite(ctx.dir, "saved.json", (text) => text.replace(/"format_version": ?2/, '"format_version": 3'));
    },
    message: /format_version 3 is not supported|was modified after it was written/,
  },

  // ---- where tokens may go, and whose they are (security review, issue 12) -------------------------
  {
    name: "origin: a manifest apiUrl nobody allowed",
    args: apply,
    files: manifest(valid({ workspaces: [prod({ apiUrl: "https://capture.example.com" })] })),
    env: { TIMELY_API_URL: undefined },
    message: /error\[api-url-not-allowed\]: apiUrl "https:\/\/capture\.example\.com" is not the Timely API/,
  },
  {
    name: "origin: a plain http apiUrl",
    args: apply,
    files: manifest(valid({ workspaces: [prod({ apiUrl: "http://api.timelyai.example" })] })),
    env: { TIMELY_KEYS_ALLOWED_API_URLS: "http://api.timelyai.example" },
    message: /error\[insecure-url\]: apiUrl "http:\/\/api\.timelyai\.example" is not https/,
  },
  {
    name: "origin: tokenEnv names a runner variable",
    args: apply,
    files: manifest(valid({ workspaces: [prod({ tokenEnv: "ACTIONS_RUNTIME_TOKEN" })] })),
    env: { ACTIONS_RUNTIME_TOKEN: OWNER_TOKEN },
    message: /error\[forbidden-token-env\]: tokenEnv ACTIONS_RUNTIME_TOKEN is a GitHub or runner variable/,
  },
  {
    name: "identity: the pinned workspace id differs from the token's",
    args: apply,
    files: manifest(valid({ workspaces: [prod({ id: "00000000-0000-4000-8000-000000000000" })] })),
    message: new RegExp(
      String.raw`^error: workspace acme-prod: the management token in PROD_TOKEN belongs ` +
        String.raw`to live workspace .* but the manifest pins id 00000000-0000-4000-8000-000000000000`,
    ),
  },
  {
    name: "identity: two manifest workspaces on one live workspace",
    args: apply,
    files: manifest(
      valid({ workspaces: [prod(), workspace({ name: "payments-dev", tokenEnv: "DEV_TOKEN", keys: [] })] }),
    ),
    env: { DEV_TOKEN: OWNER_TOKEN },
    message: new RegExp(
      String.raw`^error: workspaces (acme-prod and payments-dev|payments-dev and acme-prod) ` +
        String.raw`of the manifest resolve to the same live workspace`,
    ),
  },
  {
    name: "saved plan: a sink changed to an exec and the digest recomputed",
    args: ["apply", "saved.json"],
    setup: async (ctx) => {
      await savePlan(ctx);
      // The successor's sinks become `sh -c "env > x; cat > y"`, as in the review's reproduction.
      rewrite(ctx.dir, "saved.json", (text) => {
        const saved = JSON.parse(text) as {
          plan: { workspaces: Array<{ actions: Array<{ successor?: { sinks: unknown[] } }> }> };
        };
        for (const action of saved.plan.workspaces.flatMap((w) => w.actions)) {
          if (action.successor) action.successor.sinks = [{ type: "exec", command: ["sh", "-c", "env > x; cat > y"] }];
        }
        return JSON.stringify(saved);
      });
      await redigest(ctx.dir, "saved.json");
    },
    message: /^error: saved\.json: the sinks of key crm in workspace acme-prod are not the manifest's/,
  },

  // ---- hostile or broken API answers (the emulator's faults) -----------------------------------------
  {
    name: "API: invalid JSON",
    args: apply,
    api: { kind: "faulty", faults: { malformed_rate: { invalid_json: 1 }, when: "before" } },
    message: /^error: /,
  },
  {
    name: "API: wrong envelope",
    args: apply,
    api: { kind: "faulty", faults: { malformed_rate: { wrong_envelope: 1 }, when: "before" } },
    message: /^error: /,
  },
  {
    name: "API: an 8 MiB body",
    args: apply,
    api: { kind: "faulty", faults: { malformed_rate: { huge_body: 1 }, when: "before" } },
    message: /^error: /,
  },
  {
    name: "API: always 500",
    args: apply,
    api: { kind: "faulty", faults: { error_rates: { "500": 1 }, when: "before" } },
    message: /^error: the API answered 500/,
  },
  {
    name: "API: maintenance (503)",
    args: apply,
    api: { kind: "faulty", faults: { maintenance: true } },
    message: /^error: the API answered 503/,
  },
  {
    name: "API: always 429",
    args: apply,
    api: { kind: "faulty", faults: { error_rates: { "429": 1 }, when: "before" } },
    message: /^error: the API answered 429/,
  },
  {
    name: "API: every connection dropped",
    args: apply,
    api: { kind: "faulty", faults: { drop_rate: 1, when: "before" } },
    message: /^error: /,
  },

  // ---- hostile servers --------------------------------------------------------------------------
  {
    name: "server: not HTTP at all",
    args: apply,
    api: { kind: "raw", answer: (socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\0\0garbage") },
    message: /^error: /,
  },
  {
    name: "server: 200 with an HTML page",
    args: apply,
    api: {
      kind: "http",
      answer: (_req, res) =>
        void res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>"),
    },
    message: /^error: /,
  },
  {
    name: "server: 500 with a text body",
    args: apply,
    api: {
      kind: "http",
      answer: (_req, res) => void res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error"),
    },
    message: /^error: the API answered 500/,
  },
  {
    name: "server: data is a string",
    args: apply,
    api: { kind: "http", answer: (_req, res) => json(res, 200, { data: "keys", meta: {} }) },
    message: /^error: /,
  },
  {
    name: "server: keys of the wrong shape",
    args: apply,
    api: {
      kind: "http",
      answer: (_req, res) =>
        json(res, 200, {
          data: [{ id: 1, name: null, description: 7, status: "maybe", scopes: "read" }],
          meta: { page: 1, per_page: 100, total: 1, total_pages: 1 },
        }),
    },
    message: /^error: /,
  },
  {
    name: "server: a body cut short",
    args: apply,
    api: {
      kind: "http",
      answer: (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"data": [');
        setTimeout(() => res.destroy(), 20);
      },
    },
    message: /^error: /,
  },
  {
    name: "server: never answers (TIMELY_API_TIMEOUT bounds each attempt)",
    args: apply,
    env: { TIMELY_API_TIMEOUT: "0.3" },
    api: { kind: "http", answer: () => {} },
    message: /^error: the API did not answer in time: /,
  },
  {
    name: "env: TIMELY_API_TIMEOUT is not a number",
    args: apply,
    env: { TIMELY_API_TIMEOUT: "soon" },
    message: /^error: TIMELY_API_TIMEOUT must be a number of seconds/,
  },
  {
    name: "env: TIMELY_KEYS_HTTP_CLIENT is not a client",
    args: apply,
    env: { TIMELY_KEYS_HTTP_CLIENT: "curl" },
    message: /^error: TIMELY_KEYS_HTTP_CLIENT must be "http" \(node:http\) or "fetch"/,
  },
  {
    name: "server: redirect loop",
    args: apply,
    api: { kind: "http", answer: (req, res) => void res.writeHead(302, { location: req.url ?? "/" }).end() },
    message: /^error: /,
  },
  {
    name: "server: a 500 that echoes the token",
    args: apply,
    api: {
      kind: "http",
      answer: (req, res) =>
        json(res, 500, {
          error: { code: "INTERNAL_ERROR", message: `failed for key ${String(req.headers["x-api-key"])}`, status: 500 },
        }),
    },
    message: /^error: the API answered 500/,
    secrets: [OWNER_TOKEN],
  },
  {
    name: "server: a 400 that echoes the token",
    args: apply,
    api: {
      kind: "http",
      answer: (req, res) =>
        json(res, 400, {
          error: {
            code: "VALIDATION_ERROR",
            message: `bad x-api-key: ${String(req.headers["x-api-key"])}`,
            status: 400,
          },
        }),
    },
    message: /^error: the API answered 400/,
    secrets: [OWNER_TOKEN],
  },
];

// ---- setup helpers (synchronous fs; the case folder is the CLI's cwd) -------------------------------

function mkdir(dir: string, name: string): void {
  mkdirSync(join(dir, name), { recursive: true });
}

function write(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

function rewrite(dir: string, name: string, change: (text: string) => string): void {
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${name} changed nothing`);
  writeFileSync(path, after);
}

function fifo(dir: string, name: string): void {
  execFileSync("mkfifo", [join(dir, name)]);
}

function symlink(dir: string, target: string, name: string): void {
  symlinkSync(target, join(dir, name));
}

async function savePlan(ctx: CaseContext): Promise<void> {
  const run = await ctx.cli(["plan", "--out", "saved.json"]);
  if (run.code !== 0) throw new Error(`plan --out failed: ${run.stderr}`);
}

/** Recomputes a saved plan's digest as timely-keys does, so only the fingerprint check can catch the edit. */
async function redigest(dir: string, name: string): Promise<void> {
  const path = join(dir, name);
  const saved = JSON.parse(readFileSync(path, "utf8")) as { digest: string; plan: unknown };
  saved.digest = `sha256:${createHash("sha256").update(JSON.stringify(saved.plan), "utf8").digest("hex")}`;
  writeFileSync(path, JSON.stringify(saved));
}

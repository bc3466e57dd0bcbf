// Shared pieces of the security suite: hostile names, capture servers on loopback that record
// everything sent to them, and checks that output is inert.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@timely-keys/emulator";
import { OWNER_TOKEN, startTestEmulator } from "../support/emulator.js";
import {
  crmEntry,
  fileSink,
  type ManifestWorkspace,
  manifestYaml,
  type SinkConfig,
  workspace,
} from "../support/manifest.js";

/**
 * The suites' manifests, with the token variables each uses: acme-prod (`fields` such as apiUrl or
 * id) holding crm, "CRM Integration", read, delivered to `sink`; payments-dev is a second, empty one.
 */
export function securityManifests(prodTokenEnv: string, devTokenEnv: string) {
  const prod = (fields: Partial<ManifestWorkspace> = {}, sink: SinkConfig = fileSink("./secrets/crm.env")) =>
    workspace({
      tokenEnv: prodTokenEnv,
      keys: [crmEntry({ scopes: ["read"], expiresInDays: undefined, deliver: [sink] })],
      ...fields,
    });
  return {
    prod,
    manifest: (fields?: Partial<ManifestWorkspace>, sink?: SinkConfig) =>
      manifestYaml({ workspaces: [prod(fields, sink)] }),
    paymentsDev: workspace({ name: "payments-dev", tokenEnv: devTokenEnv, keys: [] }),
  };
}

/** Key names an attacker with workspace access can give a key (issue 12, reproduction 1). */
export const HOSTILE_NAMES = [
  "x\n::stop-commands::zz",
  "x%0A::stop-commands::zz",
  "x\r::add-mask::zz",
  "title\x1b]0;pwned\x07after",
  "clear\x1b[2Jscreen",
  "evil\u202Etxt.exe",
  "::warning::injected by a key name",
];

export interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CaptureServer {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

/** A loopback server that records every request and answers as `answer` says (default 200 `{}`). */
export async function captureServer(
  answer: (
    request: Captured,
    respond: (status: number, headers?: Record<string, string>, body?: string) => void,
  ) => void = (_r, respond) => respond(200, { "content-type": "application/json" }, "{}"),
): Promise<CaptureServer> {
  const requests: Captured[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const captured = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(captured);
      answer(captured, (status, headers = {}, text = "") => res.writeHead(status, headers).end(text));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Creates an unmanaged key with this name in the token's workspace, straight through the API. */
export async function createKey(apiUrl: string, token: string, name: string, description = ""): Promise<void> {
  const response = await fetch(`${apiUrl}/v1/api-keys`, {
    method: "POST",
    headers: { "x-api-key": token, "content-type": "application/json", "idempotency-key": randomUUID() },
    body: JSON.stringify({ name, description, scopes: ["read"] }),
  });
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`create ${JSON.stringify(name)}: HTTP ${response.status} ${await response.text()}`);
}

export async function workspaceIdOf(apiUrl: string, token: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/me`, { headers: { "x-api-key": token } });
  return ((await response.json()) as { data: { workspace_id: string } }).data.workspace_id;
}

/**
 * Problems with output that reached a terminal or a runner log: escape sequences, control
 * characters, bidi overrides, and lines that a runner would read as a workflow command (other than
 * the ones listed as ours). The hostile names' tails (`zz`, `pwned`) must never start a line.
 */
export function outputProblems(text: string, ownCommands: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (/\x1b/.test(text)) problems.push("an escape character (ESC) reached the output");
  if (/[\x00-\x08\x0b-\x1f\x7f\x9b\x9d]/.test(text)) problems.push("a control character reached the output");
  if (/[\u202a-\u202e\u2066-\u2069]/.test(text)) problems.push("a bidi override reached the output");
  for (const line of text.split("\n")) {
    const command = /^\s*::([a-z-]+)::/.exec(line)?.[1];
    if (command !== undefined && !ownCommands.includes(command))
      problems.push(`a line is a workflow command: ${JSON.stringify(line.slice(0, 80))}`);
    if (/^\s*(::stop-commands::|##\[)/.test(line))
      problems.push(`a line stops or injects commands: ${JSON.stringify(line.slice(0, 80))}`);
  }
  return problems;
}

/**
 * A fresh emulator whose owner workspace holds every hostile name, plus a secret pasted into a name
 * glued to a word (printed whole before the secret shapes matched inside words).
 */
export async function startHostileEmulator(): Promise<Emulator> {
  const emulator = await startTestEmulator();
  for (const name of HOSTILE_NAMES) await createKey(emulator.url, OWNER_TOKEN, name);
  await createKey(emulator.url, OWNER_TOKEN, "KEY_tml_PastedSecretInAKeyName000000000000001");
  return emulator;
}

// Notifications end to end: the CLI's apply (a subprocess) against the emulator, a loopback receiver
// standing in for a webhook endpoint and a Slack incoming webhook. A full rotation and a failed one
// are told; nothing sent holds a secret or token; a receiver that is down never fails the rotation.
import { writeFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, transcript } from "../support/cli.js";
import { OWNER_TOKEN, mutations, secretsOf, startTestEmulator } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { entry, fileSink, manifestYaml, workspace } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";

const DAY = 86_400;

interface Received {
  path: string;
  body: string;
  idempotencyKey: string | undefined;
}

let emulator: Emulator;
let receiver: Server;
let base: string;
let work: Workdir;
let env: NodeJS.ProcessEnv;
const received: Received[] = [];
const cli = (...args: string[]) => runCli(args, { env, cwd: work.dir });

/** A secret-looking path: Slack's webhook URLs are credentials and must never be printed. */
const SLACK_PATH = "/services/T0000/B0000/SlackPathIsACredential0001";

function manifest(): string {
  const failFlag = join(work.dir, "fail-delivery");
  // The bot's sink fails while the flag file exists, printing the secret it got (which must stay out
  // of every message and notification).
  const failing =
    `const fs = require('node:fs'); if (fs.existsSync(${JSON.stringify(failFlag)})) { ` +
    `console.error('refused ' + process.env.TIMELY_API_KEY); process.exit(3); }`;
  return manifestYaml({
    notify: [
      { type: "webhook", url: `${base}/hook` },
      { type: "slack", urlEnv: "SLACK_WEBHOOK_URL", events: ["rotation.completed", "rotation.failed"] },
    ],
    workspaces: [
      workspace({
        notify: [{ type: "webhook", url: `${base}/down`, events: ["rotation.failed"] }],
        keys: [
          entry("crm", { name: "CRM <Integration>" }),
          entry("bot", {
            name: "Support Bot",
            deliver: [
              fileSink("./secrets/bot.env"),
              { type: "exec", command: [process.execPath, "-e", failing], input: "env" },
            ],
          }),
        ],
      }),
    ],
  });
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  receiver = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (d: string) => (body += d));
    request.on("end", () => {
      const idempotencyKey = request.headers["idempotency-key"];
      received.push({
        path: request.url ?? "",
        body,
        idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
      });
      response.statusCode = request.url === "/down" ? 503 : 200;
      response.end(request.url === "/down" ? "down" : "ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  work = makeWorkdir("");
  work.write(manifest());
  env = { TIMELY_API_URL: emulator.url, PROD_TOKEN: OWNER_TOKEN, SLACK_WEBHOOK_URL: `${base}${SLACK_PATH}` };
});

afterAll(async () => {
  await emulator?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  work?.cleanup();
});

const events = (path: string, since = 0) =>
  received
    .slice(since)
    .filter((r) => r.path === path)
    .map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe("notifications", () => {
  it("creating keys is not a rotation: nothing is sent", async () => {
    const run = await cli("apply", "--auto-approve");
    expect(run.code, run.stderr).toBe(0);
    expect(received).toEqual([]);
  });

  it(
    "a completed and a failed rotation are sent to every target that wants them; a target that is down is a " +
      "warning",
    async () => {
      emulator.clock.advance(91 * DAY);
      writeFileSync(join(work.dir, "fail-delivery"), "");
      const run = await cli("apply", "--auto-approve");
      // The bot's rotation failed: apply says so with its exit code, whatever the notifications did.
      expect(run.code).toBe(1);
      const hook = events("/hook");
      expect(hook.map((e) => [e.type, e.entryId])).toEqual([
        ["rotation.completed", "crm"],
        ["rotation.failed", "bot"],
      ]);
      expect(hook[0]).toMatchObject({
        format_version: 1,
        workspace: "acme-prod",
        keyName: "CRM <Integration>",
        generation: 2,
        action: "rotate",
      });
      expect(hook[0]?.text).toMatch(
        new RegExp(
          String.raw`^timely-keys: acme-prod\/crm: rotation completed, new key "CRM <Integration>" ` +
            String.raw`#2 \([0-9a-f-]+\) delivered, verified and current\.$`,
        ),
      );
      expect(hook[1]?.error).toMatch(/exit/i);
      // Slack: a message whose text escapes <, > and & as Slack requires.
      const slack = received.filter((r) => r.path === SLACK_PATH).map((r) => JSON.parse(r.body) as { text: string });
      expect(slack.map((m) => Object.keys(m))).toEqual([["text"], ["text"]]);
      expect(slack[0]?.text).toContain("CRM &lt;Integration&gt;");
      expect(slack[1]?.text).toMatch(/acme-prod\/bot: rotation of "Support Bot" #1 .* FAILED/);
      // The receiver that answers 503 got the failure, retried with the same idempotency key (the SDK's policy).
      const down = received.filter((r) => r.path === "/down");
      expect(down.length).toBe(4);
      expect(new Set(down.map((r) => r.idempotencyKey)).size).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          String.raw`^warning: notification rotation\.failed to webhook http:\/\/127\.0\.0\.1:\d+ ` +
            String.raw`not sent: HTTP 503 after 4 attempts$`,
          "m",
        ),
      );
    },
  );

  it(
    "the old keys' retirement is sent as key.retired, and the bot's rotation completes once its sink " + "works",
    async () => {
      rmSync(join(work.dir, "fail-delivery"));
      const since = received.length;
      // The partly delivered successor blocks a new attempt for its lease (another run may own it).
      emulator.clock.advance(11 * 60);
      const retry = await cli("apply", "--auto-approve");
      expect(retry.code, retry.stdout).toBe(0);
      expect(events("/hook", since).map((e) => [e.type, e.entryId])).toEqual([["rotation.completed", "bot"]]);
      emulator.clock.advance(DAY + 60);
      expect((await cli("apply", "--auto-approve")).code).toBe(0);
      emulator.clock.advance(7 * DAY + 60);
      expect((await cli("apply", "--auto-approve")).code).toBe(0);
      const retired = events("/hook", since).filter((e) => e.type === "key.retired");
      expect(retired.map((e) => [e.entryId, e.action, e.generation])).toEqual([
        ["crm", "deactivate-previous", 1],
        ["bot", "deactivate-previous", 1],
        // The partly delivered #2 of the failed rotation retires like a previous key.
        ["bot", "deactivate-previous", 2],
        ["crm", "revoke-previous", 1],
        ["bot", "revoke-previous", 1],
        ["bot", "revoke-previous", 2],
      ]);
    },
  );

  it("no notification body, and nothing the CLI printed, holds a secret, a token or the Slack URL", () => {
    expect(received.length).toBeGreaterThan(0);
    const secrets = [...secretsOf(emulator), SLACK_PATH];
    expectNoLeaks(
      Object.fromEntries(
        received.map((r, i) => [`notification ${i} to ${r.path === SLACK_PATH ? "slack" : r.path}`, r.body]),
      ),
      secrets,
    );
    expectNoLeaks({ transcript: transcript.join("\n") }, secrets);
  });

  it(
    "a target that breaks the origin rule, or an unset urlEnv, is one clear error before anything is read or " +
      "changed",
    async () => {
      const before = mutations(emulator);
      const requests = emulator.requests().length;
      work.write(manifest().replace(`url: ${base}/hook`, "url: http://hooks.example.com/hook"));
      const insecure = await cli("apply", "--auto-approve");
      expect(insecure.code).toBe(1);
      expect(insecure.stderr).toBe(
        "error: notify webhook: url must be https:// (plain http:// only to a loopback address) (nothing was read or " +
          "changed)\n",
      );
      work.write(manifest());
      const unset = await runCli(["check"], { env: { ...env, SLACK_WEBHOOK_URL: "" }, cwd: work.dir });
      expect(unset.code).toBe(1);
      expect(unset.stderr).toContain("notify slack: urlEnv SLACK_WEBHOOK_URL is not set");
      expect(mutations(emulator)).toBe(before);
      expect(emulator.requests().length).toBe(requests);
    },
  );
});

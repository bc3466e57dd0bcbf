import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExecSinkConfig } from "../../src/deliver/config.js";
import { createExecSink } from "../../src/deliver/exec.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { DeliveryError, deliverAll } from "../../src/deliver/index.js";
import { expectNoLeak, makeContext, makeSecret, recordingSleep, rejectionOf } from "./helpers.js";

const node = process.execPath;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tk-exec-sink-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function execSink(config: Omit<ExecSinkConfig, "type">, killGraceMs = 200) {
  return createExecSink({ type: "exec", ...config }, dir, { killGraceMs });
}

/** A node one-liner as argv (no shell involved anywhere). */
function script(code: string, ...args: string[]): string[] {
  return [node, "-e", code, ...args];
}

/** Running, as opposed to gone or a zombie waiting for whoever adopted it to reap it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true;
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition never became true");
}

describe("exec sink", () => {
  it("passes the secret on stdin, exactly and then closed", async () => {
    const { value, secret } = makeSecret();
    const out = join(dir, "received");
    const command = script(
      "let s='';process.stdin.on('data',d=>s+=d)" +
        ".on('end',()=>require('fs').writeFileSync(process.argv[1],JSON.stringify(s)))",
      out,
    );
    const config: ExecSinkConfig = { type: "exec", command };
    const sink = createExecSink(config, dir);
    expect(sink.destination).toBe(sinkDestination(config, dir));
    const ctx = makeContext();
    await sink.deliver(secret, ctx);
    expect(JSON.parse(await readFile(out, "utf8"))).toBe(value);
    expectNoLeak([value], ctx.logs);
  });

  it("passes the secret in the named env var, with the key's identity, in the manifest's folder", async () => {
    const { value, secret } = makeSecret();
    const command = script(
      "require('fs').writeFileSync('seen.json',JSON.stringify({v:process.env.BILLING_KEY," +
        "id:process.env.TIMELY_KEYS_KEY_ID,entry:process.env.TIMELY_KEYS_ENTRY,ws:process.env.TIMELY_KEYS_WORKSPACE," +
        "inherited:process.env.FROM_RUN,token:process.env.TIMELY_TOKEN_PROD,vault:process.env.VAULT_TOKEN," +
        "all:Object.keys(process.env).sort()}))",
    );
    const ctx = makeContext({
      env: {
        ...process.env,
        FROM_RUN: "yes",
        TIMELY_TOKEN_PROD: "tkm_managementtokenvalue0001",
        VAULT_TOKEN: "hvs.othersinkcredential000000001",
      },
    });
    await execSink({ command, input: "env", env: "BILLING_KEY", passEnv: ["FROM_RUN"] }).deliver(secret, ctx);
    expect(JSON.parse(await readFile(join(dir, "seen.json"), "utf8"))).toEqual({
      v: value,
      id: ctx.keyId,
      entry: ctx.entryId,
      ws: ctx.workspace,
      inherited: "yes",
      // A minimal environment: never the management token or another sink's credential.
      all: [
        "BILLING_KEY",
        "FROM_RUN",
        "HOME",
        "LANG",
        "PATH",
        "TIMELY_KEYS_ENTRY",
        "TIMELY_KEYS_KEY_ID",
        "TIMELY_KEYS_KEY_NAME",
        "TIMELY_KEYS_WORKSPACE",
      ].filter(
        (name) =>
          name === "BILLING_KEY" ||
          name === "FROM_RUN" ||
          name.startsWith("TIMELY_KEYS_") ||
          process.env[name] !== undefined,
      ),
    });
  });

  it("never runs a shell: metacharacters in argv are plain arguments", async () => {
    const marker = join(dir, "pwned");
    const command = script(
      "require('fs').writeFileSync('args.json',JSON.stringify(process.argv.slice(1)))",
      `; touch ${marker}`,
      "$(id)",
    );
    await execSink({ command }).deliver(makeSecret().secret, makeContext());
    expect(JSON.parse(await readFile(join(dir, "args.json"), "utf8"))).toEqual([`; touch ${marker}`, "$(id)"]);
    await expect(readFile(marker)).rejects.toThrow();
  });

  it("reports a non-zero exit with its code and the last stderr lines, the secret masked", async () => {
    const value = "plain-secret-without-a-known-shape-123";
    const { secret } = makeSecret(value);
    const command = script(
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log('stdout has '+s);" +
        "console.error('line one');console.error('rejected key '+s+' (twice: '+s+')');process.exit(3)})",
    );
    const ctx = makeContext();
    const error = await rejectionOf(execSink({ command }).deliver(secret, ctx));
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.message).toContain("exited with code 3");
    expect(delivery.message).toContain("line one");
    expect(delivery.message).toContain("rejected key *** (twice: ***)");
    expect(delivery.reason).not.toContain("stdout has");
    expect(delivery.message).toContain(ctx.keyId);
    expect(delivery.retryable).toBe(true);
    expect(delivery.maybeDelivered).toBe(true);
    expectNoLeak([value], delivery, ctx.logs);
  });

  it("masks the secret in huge output and keeps the message short", async () => {
    const value = "another-plain-secret-value-4567";
    const command = script(
      "let s='';process.stdin.on('data',d=>s+=d)" +
        ".on('end',()=>{for(let i=0;i<5000;i++)process.stderr.write('noise '+i+' '+s+'\\n');process.exitCode=1})",
    );
    const error = await rejectionOf(execSink({ command }).deliver(makeSecret(value).secret, makeContext()));
    const message = (error as DeliveryError).message;
    expect(message).toContain("noise 4999 ***");
    expect(message.length).toBeLessThan(2000);
    expectNoLeak([value, value.slice(0, 12), value.slice(-12)], error);
  });

  it("stops a program that runs past its timeout (SIGTERM) and reports it as retryable", async () => {
    const { value, secret } = makeSecret();
    const command = script("process.stdin.resume();console.error('waiting');setInterval(()=>{},1000)");
    const error = await rejectionOf(execSink({ command, timeoutSeconds: 0.3 }).deliver(secret, makeContext()));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain("did not finish within 0.3s");
    expect((error as DeliveryError).retryable).toBe(true);
    expectNoLeak([value], error);
  });

  it("kills the whole process group with SIGKILL when SIGTERM is ignored", async () => {
    const pidFile = join(dir, "grandchild.pid");
    // The child starts a grandchild that ignores SIGTERM too, then ignores SIGTERM itself.
    const grandchild = "process.on('SIGTERM',()=>{});setInterval(()=>{},1000)";
    const command = script(
      `const c=require('child_process').spawn(process.execPath,['-e',${JSON.stringify(grandchild)}],` +
        "{stdio:'ignore'});" +
        `require('fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));` +
        "process.on('SIGTERM',()=>{});process.stdin.resume();setInterval(()=>{},1000)",
    );
    const error = await rejectionOf(
      execSink({ command, timeoutSeconds: 0.5 }, 100).deliver(makeSecret().secret, makeContext()),
    );
    expect((error as Error).message).toContain("did not finish");
    const pid = Number(await readFile(pidFile, "utf8"));
    await waitUntil(() => !isAlive(pid));
    expect(isAlive(pid)).toBe(false);
  });

  it("reports a program that cannot be started, as not retryable", async () => {
    const error = await rejectionOf(
      execSink({ command: [join(dir, "no-such-program")] }).deliver(makeSecret().secret, makeContext()),
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain("could not start");
    expect((error as DeliveryError).message).toContain("ENOENT");
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).maybeDelivered).toBe(false);
  });

  it("copes with a program that exits without reading stdin", async () => {
    await execSink({ command: script("process.exit(0)") }).deliver(makeSecret().secret, makeContext());
  });

  it("stops the program when the run is cancelled", async () => {
    const controller = new AbortController();
    const delivery = execSink({
      command: script("process.stdin.resume();setInterval(()=>{},1000)"),
      timeoutSeconds: 60,
    }).deliver(makeSecret().secret, makeContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await rejectionOf(delivery);
    expect((error as Error).message).toContain("cancelled");
    expect((error as DeliveryError).retryable).toBe(false);
  });

  it("is retried by deliverAll until the program succeeds", async () => {
    const counter = join(dir, "count");
    const command = script(
      `const fs=require('fs');const n=fs.existsSync(${JSON.stringify(counter)})` +
        `?Number(fs.readFileSync(${JSON.stringify(counter)},'utf8')):0;` +
        `fs.writeFileSync(${JSON.stringify(counter)},String(n+1));process.exit(n<2?1:0)`,
    );
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(makeSecret().secret, [execSink({ command })], makeContext(), { sleep });
    expect(report.ok).toBe(true);
    expect(report.results[0]?.attempts).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it("rejects an empty command and a bad env var name", async () => {
    const empty = await rejectionOf(execSink({ command: [] }).deliver(makeSecret().secret, makeContext()));
    expect((empty as Error).message).toContain("command is empty");
    const badEnv = await rejectionOf(
      execSink({ command: [node], input: "env", env: "A-B" }).deliver(makeSecret().secret, makeContext()),
    );
    expect((badEnv as Error).message).toContain("A-B");
  });
});

describe("exec sink: hard time bound", () => {
  it(
    "settles at timeout + grace even when the program ignores SIGTERM and a process outside its group " +
      "holds the pipes",
    async () => {
      // The escaped process (setsid via detached) inherits stdout/stderr and lives 5 s.
      const escaped = "setTimeout(()=>{},5000)";
      const command = script(
        `require('child_process').spawn(process.execPath,['-e',${JSON.stringify(escaped)}],` +
          "{detached:true,stdio:['ignore','inherit','inherit']}).unref();" +
          "process.on('SIGTERM',()=>{});process.stdin.resume();setInterval(()=>{},1000)",
      );
      const started = performance.now();
      const error = await rejectionOf(
        execSink({ command, timeoutSeconds: 0.3 }, 200).deliver(makeSecret().secret, makeContext()),
      );
      const elapsed = performance.now() - started;
      expect((error as Error).message).toContain("did not finish within 0.3s");
      expect(elapsed).toBeLessThan(2_000);
    },
  );
});

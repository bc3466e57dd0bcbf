// describeError: every kind of thrown value as the one line the CLI, the Action, apply and the sinks
// print; and hostile texts (tokens, escapes, newlines, workflow commands) made harmless on the way.
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import {
  ConnectionError,
  InvalidResponseError,
  NotFoundError,
  Redactor,
  ServerError,
  TimeoutError,
  ValidationError,
  TimelyError,
  registerSecret,
} from "@timely-keys/sdk";
import { describe, expect, it } from "vitest";
import { ManifestLoadError, type Diagnostic } from "../src/diagnostics.js";
import {
  DeliveryError,
  describeError,
  ManagementTokenError,
  ManifestError,
  StepError,
  UsageError,
  UserError,
} from "../src/errors.js";

const finding = (severity: Diagnostic["severity"], line: number): Diagnostic => ({
  severity,
  rule: "schema",
  message: "keys[0].scopes must be an array",
  file: "timely-keys.yaml",
  line,
  col: 5,
  path: "workspaces[0].keys[0].scopes",
});

const delivery = new DeliveryError({
  sinkType: "file",
  destination: "file:/srv/app/.env#TIMELY_API_KEY",
  entryId: "crm",
  keyId: "00000000-0000-4000-8000-000000000001",
  keyName: "CRM Integration",
  reason: "EACCES: permission denied, open '/srv/app/.env'",
  retryable: false,
  maybeDelivered: true,
});

describe("describeError: the provisioner's own errors, as they were written", () => {
  it.each([
    [
      "a user error",
      new UserError("rollback crm: there is no previous key in quarantine"),
      "rollback crm: there is no previous key in quarantine",
    ],
    [
      "a usage error, without its hint",
      new UsageError("--concurrency must be a whole number from 1 to 9999, got 'x'", {
        hint: "Run 'timely-keys apply --help' for usage.",
      }),
      "--concurrency must be a whole number from 1 to 9999, got 'x'",
    ],
    [
      "a manifest error with one error finding",
      new ManifestError("timely-keys.yaml", [finding("error", 3), finding("warning", 4)]),
      "timely-keys.yaml: 1 error in the manifest (see the findings above); nothing was read or changed",
    ],
    [
      "a manifest error with two",
      new ManifestError("ci/keys.yaml", [finding("error", 3), finding("error", 9)]),
      "ci/keys.yaml: 2 errors in the manifest (see the findings above); nothing was read or changed",
    ],
    [
      "a manifest that could not be loaded",
      new ManifestLoadError([finding("error", 3)]),
      "timely-keys.yaml:3:5: error[schema]: keys[0].scopes must be an array",
    ],
    [
      "a refused management token",
      new ManagementTokenError("acme", "ACME_TOKEN", "workspace acme: the management token in ACME_TOKEN was rejected"),
      "workspace acme: the management token in ACME_TOKEN was rejected",
    ],
    ["a failed step", new StepError("verify failed; key k-2 was revoked", "k-2"), "verify failed; key k-2 was revoked"],
    [
      "a sink that failed",
      delivery,
      "file sink file:/srv/app/.env#TIMELY_API_KEY did not receive key CRM Integration " +
        "(00000000-0000-4000-8000-000000000001) of entry crm: EACCES: permission denied, open '/srv/app/.env'",
    ],
  ])("%s", (_kind, error, line) => {
    expect(describeError(error)).toBe(line);
  });

  it("keeps what callers need besides the line: the hint, the findings, the new key, the sink's verdict", () => {
    expect(new UsageError("x", { hint: "Run 'timely-keys plan --help' for usage." }).hint).toBe(
      "Run 'timely-keys plan --help' for usage.",
    );
    expect(new ManifestError("m.yaml", [finding("error", 1)]).diagnostics).toHaveLength(1);
    expect(new StepError("x", "k-2").newKeyId).toBe("k-2");
    expect(delivery).toMatchObject({ destination: "file:/srv/app/.env#TIMELY_API_KEY", maybeDelivered: true });
    // Every kind is a UserError but the executor's and the sinks' failures, which are not bad input.
    for (const error of [new UsageError("x"), new ManifestError("m", []), new ManifestLoadError([])])
      expect(error).toBeInstanceOf(UserError);
  });
});

describe("describeError: the SDK's errors", () => {
  it.each([
    [
      "an answer with status, code and request id",
      new NotFoundError({ message: "no such key", status: 404, code: "NOT_FOUND", requestId: "req_7" }),
      "the API answered 404 NOT_FOUND: no such key (request req_7)",
    ],
    [
      "an answer without a code",
      new ServerError({ message: "bad gateway", status: 502 }),
      "the API answered 502: bad gateway",
    ],
    [
      "no connection",
      new ConnectionError({ message: "GET /v1/me failed: connect ECONNREFUSED", code: "CONNECTION_ERROR" }),
      "could not reach the API: GET /v1/me failed: connect ECONNREFUSED. " +
        "Check the API URL (TIMELY_API_URL or apiUrl) and the network.",
    ],
    [
      "a timeout",
      new TimeoutError({ message: "GET /v1/me took more than 30s", code: "TIMEOUT" }),
      "the API did not answer in time: GET /v1/me took more than 30s. " +
        "TIMELY_API_TIMEOUT sets the seconds one attempt may take.",
    ],
    [
      "a bad option",
      new TimelyError({ message: 'baseUrl is not a URL: "x"', code: "INVALID_OPTION" }),
      'invalid API setting: baseUrl is not a URL: "x" ' +
        "(check TIMELY_API_URL, the workspace's apiUrl and TIMELY_API_TIMEOUT)",
    ],
    [
      "a request the SDK refused to send",
      new ValidationError({ message: "name must not be empty", code: "VALIDATION_ERROR" }),
      "refused before sending (the SDK's check): name must not be empty",
    ],
    [
      "an answer that breaks the contract",
      new InvalidResponseError({ message: "not JSON", code: "INVALID_RESPONSE" }),
      "no usable answer from the API (INVALID_RESPONSE): not JSON",
    ],
  ])("%s", (_kind, error, line) => {
    expect(describeError(error)).toBe(line);
  });
});

describe("describeError: Node, fetch and abort errors", () => {
  it("a missing file: Node's own words, which name the code and the path", async () => {
    const error = await readFile("/nonexistent/timely-keys.yaml").catch((e: unknown) => e);
    expect(describeError(error)).toBe("ENOENT: no such file or directory, open '/nonexistent/timely-keys.yaml'");
  });

  it("a refused connection through fetch: what failed and why, not a TypeError", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(describeError(error)).toBe(`request failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("a cancelled run and a timeout (AbortSignal's reasons)", async () => {
    expect(describeError(AbortSignal.abort().reason)).toBe("cancelled: This operation was aborted");
    const timeout = AbortSignal.timeout(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(describeError(timeout.reason)).toBe("timed out: The operation was aborted due to timeout");
  });

  it("another library's error keeps its class name; a plain Error needs none; causes follow", () => {
    class GitHubApiError extends Error {
      override readonly name = "GitHubApiError";
    }
    expect(describeError(new GitHubApiError("GitHub GET /repos/a/b/issues: HTTP 401 (Bad credentials)"))).toBe(
      "GitHubApiError: GitHub GET /repos/a/b/issues: HTTP 401 (Bad credentials)",
    );
    expect(describeError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      "TypeError: Cannot read properties of undefined (reading 'id')",
    );
    expect(describeError(new Error("could not seal", { cause: new Error("bad public key") }))).toBe(
      "could not seal: bad public key",
    );
    expect(describeError(new Error(""))).toBe("unknown error (Error with no message)");
    // A cycle of causes stops after a few.
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(a)).toBe("a: b: a: b");
  });
});

describe("describeError: values that are not errors", () => {
  it.each([
    ["a string", "the sink is down", "the sink is down"],
    ["an empty string", "", "unknown error (an empty string was thrown)"],
    ["undefined", undefined, "unknown error (undefined was thrown)"],
    ["null", null, "unknown error (null was thrown)"],
    ["a number", 42, "unknown error (42 was thrown)"],
    ["an object with a message", { message: "rate limited" }, "rate limited"],
    ["an object without one", { status: 500 }, "unknown error (an object was thrown)"],
  ])("%s", (_kind, value, line) => {
    expect(describeError(value)).toBe(line);
  });

  it("a value that throws when looked at", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("no");
        },
        getPrototypeOf() {
          throw new Error("no");
        },
      },
    );
    expect(describeError(hostile)).toBe("unknown error (the thrown value could not be read)");
  });
});

describe("describeError: hostile texts come out as one inert, redacted line", () => {
  const token = "tkm_AbCdEfGhIjKlMnOpQrStUvWx0123";
  const apiKey = "tml_0123456789abcdefghijABCDEFGHIJ0123";

  it.each([
    [
      "a token-shaped string in a user error",
      new UserError(`token ${token} was rejected`),
      "token tkm_*** was rejected",
    ],
    ["an API key in a plain Error", new Error(`deliver ${apiKey} failed`), "deliver tml_*** failed"],
    ["an API key in a thrown string", `leaked ${apiKey}`, "leaked tml_***"],
    [
      "a GitHub token in a cause",
      new Error("push", { cause: new Error("ghp_0123456789abcdefghijABCDEF") }),
      "push: ghp_***",
    ],
    [
      "ANSI escapes: colours, a screen clear and a terminal title",
      new UserError("\x1b[31mred\x1b[0m \x1b[2Jcleared \x1b]0;pwned\x07done"),
      "red cleared done",
    ],
    ["newlines and a carriage return", new StepError("first\nsecond\r\nthird"), "first\\nsecond\\r\\nthird"],
    [
      "a workflow command at the start",
      new Error("::set-output name=rotated::evil"),
      "\\x3a:set-output name=rotated::evil",
    ],
    [
      "a workflow command after a newline",
      new UserError("bad\n::add-mask::x\n::stop-commands::zz"),
      "bad\\n::add-mask::x\\n::stop-commands::zz",
    ],
    ["bidi controls", new UserError("evil\u202etxt.exe"), "evil\\u202etxt.exe"],
  ])("%s", (_kind, error, line) => {
    const said = describeError(error);
    expect(said).toBe(line);
    expect(said).not.toMatch(/[\n\r\x1b]/);
  });

  it("a secret the run registered, and one only the caller's redactor knows", () => {
    registerSecret("registered-secret-value-0001");
    expect(describeError(new Error("sink answered registered-secret-value-0001"))).toBe("sink answered ***");
    const own = new Redactor(["caller-only-secret-0002"], { global: false });
    expect(describeError(new Error("echo caller-only-secret-0002"), { redactor: own })).toBe("echo ***");
  });

  it("never a stack", () => {
    const error = new TypeError("boom");
    expect(error.stack).toContain("    at ");
    expect(describeError(error)).toBe("TypeError: boom");
  });
});

import sodium from "libsodium-wrappers";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GithubSecretSinkConfig } from "../../src/deliver/config.js";
import { createGithubSecretSink } from "../../src/deliver/github-secret.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { DeliveryError, createSink, deliverAll } from "../../src/deliver/index.js";
import { base62, expectNoLeak, makeContext, makeSecret, recordingSleep, rejectionOf } from "./helpers.js";

const API = "https://api.github.com";
const TOKEN = `ghp_${base62(36)}`;
const server = setupServer();

let keyPair: { publicKey: Uint8Array; privateKey: Uint8Array };
const KEY_ID = "568250167242549743";

beforeAll(async () => {
  await sodium.ready;
  keyPair = sodium.crypto_box_keypair();
  server.listen({ onUnhandledRequest: "error" });
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function publicKeyAnswer() {
  return HttpResponse.json({
    key_id: KEY_ID,
    key: sodium.to_base64(keyPair.publicKey, sodium.base64_variants.ORIGINAL),
  });
}

function open(encryptedValue: string): string {
  const sealed = sodium.from_base64(encryptedValue, sodium.base64_variants.ORIGINAL);
  return sodium.to_string(sodium.crypto_box_seal_open(sealed, keyPair.publicKey, keyPair.privateKey));
}

interface Captured {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

/** Serves a scope's public key and records the PUT of a secret in it. */
function serveScope(scope: string, putStatus = 201): Captured[] {
  const captured: Captured[] = [];
  server.use(
    http.get(`${API}${scope}/public-key`, ({ request }) => {
      captured.push({ method: "GET", path: new URL(request.url).pathname, headers: request.headers, body: undefined });
      return publicKeyAnswer();
    }),
    http.put(`${API}${scope}/:name`, async ({ request }) => {
      captured.push({
        method: "PUT",
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.json(),
      });
      return new HttpResponse(null, { status: putStatus });
    }),
  );
  return captured;
}

function sinkFor(config: Omit<GithubSecretSinkConfig, "type">) {
  return createGithubSecretSink({ type: "githubSecret", ...config }, "/manifests");
}

const env = { GITHUB_TOKEN: TOKEN };

describe("githubSecret sink", () => {
  it("seals a repository secret with the repository's public key (decryptable with its private key)", async () => {
    const { value, secret } = makeSecret();
    const captured = serveScope("/repos/acme/billing/actions/secrets");
    const ctx = makeContext({ env });
    const config: GithubSecretSinkConfig = {
      type: "githubSecret",
      repository: "acme/billing",
      secretName: "TIMELY_API_KEY",
    };
    const sink = createSink(config, "/manifests");
    expect(sink.destination).toBe(sinkDestination(config, "/manifests"));
    await sink.deliver(secret, ctx);

    expect(captured.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /repos/acme/billing/actions/secrets/public-key",
      "PUT /repos/acme/billing/actions/secrets/TIMELY_API_KEY",
    ]);
    for (const request of captured) {
      expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.get("accept")).toBe("application/vnd.github+json");
      expect(request.headers.get("x-github-api-version")).toBe("2022-11-28");
      expect(request.headers.get("user-agent")).toBeTruthy();
    }
    const body = captured[1]?.body as { encrypted_value: string; key_id: string; visibility?: string };
    expect(body.key_id).toBe(KEY_ID);
    expect(body).not.toHaveProperty("visibility");
    expect(JSON.stringify(body)).not.toContain(value);
    expect(open(body.encrypted_value)).toBe(value);
    expect(ctx.logs.join("\n")).toContain("created TIMELY_API_KEY");
    expectNoLeak([value, TOKEN], ctx.logs);
  });

  it("writes an environment secret under the environment's own public key", async () => {
    const { value, secret } = makeSecret();
    const captured = serveScope("/repos/acme/billing/environments/production/secrets", 204);
    const ctx = makeContext({ env });
    await sinkFor({ repository: "acme/billing", environment: "production", secretName: "API_KEY" }).deliver(
      secret,
      ctx,
    );
    expect(captured[1]?.path).toBe("/repos/acme/billing/environments/production/secrets/API_KEY");
    expect(open((captured[1]?.body as { encrypted_value: string } | undefined)?.encrypted_value ?? "")).toBe(value);
    expect(ctx.logs.join("\n")).toContain("updated API_KEY");
  });

  it("writes an organization secret with its visibility, default private", async () => {
    const { value, secret } = makeSecret();
    const captured = serveScope("/orgs/acme/actions/secrets");
    await sinkFor({ organization: "acme", secretName: "ORG_KEY", tokenEnv: "ORG_ADMIN_TOKEN" }).deliver(
      secret,
      makeContext({ env: { ORG_ADMIN_TOKEN: TOKEN } }),
    );
    const body = captured[1]?.body as { encrypted_value: string; key_id: string; visibility: string };
    expect(captured[1]?.path).toBe("/orgs/acme/actions/secrets/ORG_KEY");
    expect(body.visibility).toBe("private");
    expect(open(body.encrypted_value)).toBe(value);

    const again = serveScope("/orgs/acme/actions/secrets");
    await sinkFor({ organization: "acme", secretName: "ORG_KEY", visibility: "all" }).deliver(
      secret,
      makeContext({ env }),
    );
    expect((again[1]?.body as { visibility: string } | undefined)?.visibility).toBe("all");
  });

  it("talks to GitHub Enterprise Server through apiUrl", async () => {
    const captured: string[] = [];
    server.use(
      http.get("https://ghe.example.com/api/v3/repos/acme/app/actions/secrets/public-key", ({ request }) => {
        captured.push(request.url);
        return publicKeyAnswer();
      }),
      http.put("https://ghe.example.com/api/v3/repos/acme/app/actions/secrets/KEY", ({ request }) => {
        captured.push(request.url);
        return new HttpResponse(null, { status: 201 });
      }),
    );
    await sinkFor({ repository: "acme/app", secretName: "KEY", apiUrl: "https://ghe.example.com/api/v3/" }).deliver(
      makeSecret().secret,
      makeContext({ env }),
    );
    expect(captured).toHaveLength(2);
  });

  it.each([
    [401, "Bad credentials", "was rejected"],
    [403, "Resource not accessible by integration", "may not manage Actions secrets"],
    [404, "Not Found", "was not found"],
  ])("answers %i on the public key with a clear error that is not retried", async (status, message, hint) => {
    const { value, secret } = makeSecret();
    let calls = 0;
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => {
        calls += 1;
        return HttpResponse.json({ message, documentation_url: "https://docs.github.com/rest" }, { status });
      }),
    );
    const ctx = makeContext({ env });
    const report = await deliverAll(
      secret,
      [sinkFor({ repository: "acme/billing", secretName: "KEY" })],
      ctx,
      recordingSleep(),
    );
    expect(calls).toBe(1);
    const error = report.error;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error?.retryable).toBe(false);
    expect(error?.sinkType).toBe("githubSecret");
    expect(error?.message).toContain(`HTTP ${status}`);
    expect(error?.message).toContain(message);
    expect(error?.message).toContain(hint);
    expect(error?.message).toContain(ctx.keyId);
    expect(error?.message).toContain("GITHUB_TOKEN");
    expectNoLeak([value, TOKEN], report, error, ctx.logs);
  });

  it("answers 422 on the PUT with a clear error that is not retried", async () => {
    const { value, secret } = makeSecret();
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => publicKeyAnswer()),
      http.put(`${API}/repos/acme/billing/actions/secrets/:name`, () =>
        HttpResponse.json({ message: "Validation Failed", errors: [] }, { status: 422 }),
      ),
    );
    const ctx = makeContext({ env });
    const error = await rejectionOf(sinkFor({ repository: "acme/billing", secretName: "KEY" }).deliver(secret, ctx));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain("HTTP 422 (Validation Failed)");
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).maybeDelivered).toBe(false);
    expectNoLeak([value, TOKEN], error, ctx.logs);
  });

  it("retries a 5xx and a 429 per the SDK's policy, honouring Retry-After", async () => {
    const { value, secret } = makeSecret();
    const answers = [
      () => HttpResponse.json({ message: "Server Error" }, { status: 502 }),
      () => HttpResponse.json({ message: "slow down" }, { status: 429, headers: { "Retry-After": "7" } }),
      () => new HttpResponse(null, { status: 204 }),
    ];
    let puts = 0;
    const sealedValues: string[] = [];
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => publicKeyAnswer()),
      http.put(`${API}/repos/acme/billing/actions/secrets/:name`, async ({ request }) => {
        sealedValues.push(((await request.json()) as { encrypted_value: string }).encrypted_value);
        const answer = answers[puts] ?? answers[2]!;
        puts += 1;
        return answer();
      }),
    );
    const { sleeps, sleep } = recordingSleep();
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor({ repository: "acme/billing", secretName: "KEY" })], ctx, {
      sleep,
      random: () => 0.5,
    });
    expect(report.ok).toBe(true);
    // The request is what is retried, not the sink: one sink attempt, three PUTs.
    expect(report.results[0]?.attempts).toBe(1);
    // Backoff 0.5 * 500 ms after the 502; Retry-After (7 s) over the 0.5 * 1000 ms backoff after the 429.
    expect(sleeps).toEqual([250, 7000]);
    expect(sealedValues.map(open)).toEqual([value, value, value]);
    expectNoLeak([value, TOKEN], report, ctx.logs);
  });

  it("reports a 5xx on the PUT as possibly delivered once retries run out", async () => {
    let puts = 0;
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => publicKeyAnswer()),
      http.put(`${API}/repos/acme/billing/actions/secrets/:name`, () => {
        puts += 1;
        return HttpResponse.json({ message: "boom" }, { status: 500 });
      }),
    );
    const sink = sinkFor({ repository: "acme/billing", secretName: "KEY" });
    const report = await deliverAll(makeSecret().secret, [sink], makeContext({ env }), {
      retry: { maxRetries: 1 },
      sleep: recordingSleep().sleep,
    });
    expect(report.ok).toBe(false);
    expect(puts).toBe(2);
    // The request's retries are spent: the sink is not run again on top of them.
    expect(report.results[0]?.attempts).toBe(1);
    expect(report.error?.retryable).toBe(false);
    expect(report.maybeDelivered).toEqual([sink.destination]);
  });

  it("retries a 403 that is a rate limit", async () => {
    let gets = 0;
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => {
        gets += 1;
        if (gets === 1) {
          return HttpResponse.json(
            { message: "API rate limit exceeded" },
            { status: 403, headers: { "x-ratelimit-remaining": "0", "retry-after": "3" } },
          );
        }
        return publicKeyAnswer();
      }),
      http.put(`${API}/repos/acme/billing/actions/secrets/:name`, () => new HttpResponse(null, { status: 201 })),
    );
    const { sleeps, sleep } = recordingSleep();
    const report = await deliverAll(
      makeSecret().secret,
      [sinkFor({ repository: "acme/billing", secretName: "KEY" })],
      makeContext({ env }),
      {
        sleep,
      },
    );
    expect(report.ok).toBe(true);
    expect(sleeps).toEqual([3000]);
  });

  it("retries when GitHub cannot be reached", async () => {
    let gets = 0;
    server.use(
      http.get(`${API}/repos/acme/billing/actions/secrets/public-key`, () => {
        gets += 1;
        return gets === 1 ? HttpResponse.error() : publicKeyAnswer();
      }),
      http.put(`${API}/repos/acme/billing/actions/secrets/:name`, () => new HttpResponse(null, { status: 201 })),
    );
    const report = await deliverAll(
      makeSecret().secret,
      [sinkFor({ repository: "acme/billing", secretName: "KEY" })],
      makeContext({ env }),
      recordingSleep(),
    );
    expect(report.ok).toBe(true);
    expect(gets).toBe(2);
    expect(report.results[0]?.attempts).toBe(1);
  });

  it("fails clearly without a token or with a malformed repository, before any request", async () => {
    const missing = await rejectionOf(
      sinkFor({ repository: "acme/billing", secretName: "KEY" }).deliver(makeSecret().secret, makeContext()),
    );
    expect((missing as DeliveryError).message).toContain("GITHUB_TOKEN");
    expect((missing as DeliveryError).retryable).toBe(false);
    const malformed = await rejectionOf(
      sinkFor({ repository: "billing", secretName: "KEY" }).deliver(makeSecret().secret, makeContext({ env })),
    );
    expect((malformed as DeliveryError).message).toContain('"owner/repo"');
  });
});

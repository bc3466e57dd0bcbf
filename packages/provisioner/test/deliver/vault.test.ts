import { DEFAULT_RETRY_SETTINGS } from "@timely-keys/sdk";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { VaultSinkConfig } from "../../src/deliver/config.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { type DeliveryError, deliverAll } from "../../src/deliver/index.js";
import { createVaultSink } from "../../src/deliver/vault.js";
import { base62, expectNoLeak, makeContext, makeSecret, recordingSleep, rejectionOf } from "./helpers.js";

const VAULT = "https://vault.example.com:8200";
const TOKEN = `hvs.${base62(40)}`;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function sinkFor(config: Omit<VaultSinkConfig, "type">) {
  return createVaultSink({ type: "vault", ...config }, "/manifests");
}

/** A KV v2 read answer as Vault documents it. */
function kvRead(data: Record<string, unknown>, version: number) {
  return HttpResponse.json({
    request_id: "req-1",
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data: {
      data,
      metadata: {
        created_time: "2026-11-01T00:00:00Z",
        custom_metadata: null,
        deletion_time: "",
        destroyed: false,
        version,
      },
    },
    wrap_info: null,
    warnings: null,
    auth: null,
  });
}

function kvWritten(version: number) {
  return HttpResponse.json({
    data: { created_time: "2026-11-23T00:00:00Z", custom_metadata: null, deletion_time: "", destroyed: false, version },
  });
}

interface Write {
  headers: Headers;
  body: { options?: { cas?: number }; data: Record<string, unknown> };
}

const env = { VAULT_ADDR: VAULT, VAULT_TOKEN: TOKEN };

describe("vault sink", () => {
  it("merges the field into the existing secret with check-and-set on the version read", async () => {
    const { value, secret } = makeSecret();
    const writes: Write[] = [];
    const readHeaders: Headers[] = [];
    server.use(
      http.get(`${VAULT}/v1/secret/data/apps/billing`, ({ request }) => {
        readHeaders.push(request.headers);
        return kvRead({ db_password: "keep-me", api_key: "tml_old" }, 4);
      }),
      http.post(`${VAULT}/v1/secret/data/apps/billing`, async ({ request }) => {
        writes.push({ headers: request.headers, body: (await request.json()) as Write["body"] });
        return kvWritten(5);
      }),
    );
    const config: VaultSinkConfig = { type: "vault", path: "apps/billing" };
    const sink = createVaultSink(config, "/manifests");
    expect(sink.destination).toBe(sinkDestination(config, "/manifests"));
    const ctx = makeContext({ env });
    await sink.deliver(secret, ctx);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.body).toEqual({ options: { cas: 4 }, data: { db_password: "keep-me", api_key: value } });
    expect(writes[0]?.headers.get("x-vault-token")).toBe(TOKEN);
    expect(readHeaders[0]?.get("x-vault-token")).toBe(TOKEN);
    expect(writes[0]?.headers.get("x-vault-namespace")).toBeNull();
    expect(ctx.logs.join("\n")).toContain("version 4");
    expectNoLeak([value, TOKEN], ctx.logs);
  });

  it("creates a new secret with cas 0, using the mount, field, namespace and token env of the config", async () => {
    const { value, secret } = makeSecret();
    const writes: Write[] = [];
    server.use(
      http.get("https://vault.internal/v1/kv/data/team%20a/app", () =>
        HttpResponse.json({ errors: [] }, { status: 404 }),
      ),
      http.post("https://vault.internal/v1/kv/data/team%20a/app", async ({ request }) => {
        writes.push({ headers: request.headers, body: (await request.json()) as Write["body"] });
        return kvWritten(1);
      }),
    );
    await sinkFor({
      address: "https://vault.internal/",
      mount: "kv",
      path: "team a/app",
      field: "timely",
      namespace: "admin/team-a",
      auth: { method: "token", tokenEnv: "TEAM_VAULT_TOKEN" },
    }).deliver(secret, makeContext({ env: { TEAM_VAULT_TOKEN: TOKEN } }));
    expect(writes[0]?.body).toEqual({ options: { cas: 0 }, data: { timely: value } });
    expect(writes[0]?.headers.get("x-vault-namespace")).toBe("admin/team-a");
    expect(writes[0]?.headers.get("x-vault-token")).toBe(TOKEN);
  });

  it("writes over a deleted latest version with cas set to that version", async () => {
    const writes: Write[] = [];
    server.use(
      http.get(`${VAULT}/v1/secret/data/app`, () =>
        HttpResponse.json(
          {
            data: {
              data: null,
              metadata: {
                created_time: "2026-01-01T00:00:00Z",
                deletion_time: "2026-02-01T00:00:00Z",
                destroyed: false,
                version: 7,
              },
            },
          },
          { status: 404 },
        ),
      ),
      http.post(`${VAULT}/v1/secret/data/app`, async ({ request }) => {
        writes.push({ headers: request.headers, body: (await request.json()) as Write["body"] });
        return kvWritten(8);
      }),
    );
    await sinkFor({ path: "app" }).deliver(makeSecret().secret, makeContext({ env }));
    expect(writes[0]?.body.options).toEqual({ cas: 7 });
  });

  it("reads again and merges again when a concurrent writer wins the check-and-set", async () => {
    const { value, secret } = makeSecret();
    let reads = 0;
    const writes: Write[] = [];
    server.use(
      http.get(`${VAULT}/v1/secret/data/app`, () => {
        reads += 1;
        return reads === 1 ? kvRead({ a: "1" }, 2) : kvRead({ a: "1", b: "written concurrently" }, 3);
      }),
      http.post(`${VAULT}/v1/secret/data/app`, async ({ request }) => {
        const body = (await request.json()) as Write["body"];
        writes.push({ headers: request.headers, body });
        if (body.options?.cas !== 3) {
          return HttpResponse.json(
            { errors: ["check-and-set parameter did not match the current version"] },
            { status: 400 },
          );
        }
        return kvWritten(4);
      }),
    );
    const ctx = makeContext({ env });
    await sinkFor({ path: "app" }).deliver(secret, ctx);
    expect(reads).toBe(2);
    expect(writes.map((write) => write.body)).toEqual([
      { options: { cas: 2 }, data: { a: "1", api_key: value } },
      { options: { cas: 3 }, data: { a: "1", b: "written concurrently", api_key: value } },
    ]);
  });

  it("gives up with a retryable error when the check-and-set keeps failing", async () => {
    let writes = 0;
    server.use(
      http.get(`${VAULT}/v1/secret/data/app`, () => kvRead({}, writes + 1)),
      http.post(`${VAULT}/v1/secret/data/app`, () => {
        writes += 1;
        return HttpResponse.json(
          { errors: ["check-and-set parameter did not match the current version"] },
          { status: 400 },
        );
      }),
    );
    const error = await rejectionOf(sinkFor({ path: "app" }).deliver(makeSecret().secret, makeContext({ env })));
    expect(writes).toBe(3);
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as DeliveryError).message).toContain("check-and-set");
  });

  it("logs in with AppRole and writes with the client token it got", async () => {
    const { value, secret } = makeSecret();
    const clientToken = `hvs.${base62(40)}`;
    const roleId = "db02de05-fa39-4855-059b-67221c5c2f63";
    const secretId = "6a174c20-f6de-a53c-74d2-6018fcceff64";
    const logins: unknown[] = [];
    const tokensUsed: Array<string | null> = [];
    server.use(
      http.post(`${VAULT}/v1/auth/ci-approle/login`, async ({ request }) => {
        logins.push(await request.json());
        return HttpResponse.json({
          auth: {
            client_token: clientToken,
            accessor: "acc",
            policies: ["default"],
            lease_duration: 1200,
            renewable: true,
          },
        });
      }),
      http.get(`${VAULT}/v1/secret/data/app`, ({ request }) => {
        tokensUsed.push(request.headers.get("x-vault-token"));
        return HttpResponse.json({ errors: [] }, { status: 404 });
      }),
      http.post(`${VAULT}/v1/secret/data/app`, ({ request }) => {
        tokensUsed.push(request.headers.get("x-vault-token"));
        return kvWritten(1);
      }),
    );
    const ctx = makeContext({ env: { VAULT_ADDR: VAULT, ROLE_ID: roleId, SECRET_ID: secretId } });
    await sinkFor({
      path: "app",
      auth: { method: "approle", roleIdEnv: "ROLE_ID", secretIdEnv: "SECRET_ID", mount: "ci-approle" },
    }).deliver(secret, ctx);
    expect(logins).toEqual([{ role_id: roleId, secret_id: secretId }]);
    expect(tokensUsed).toEqual([clientToken, clientToken]);
    expectNoLeak([value, secretId, clientToken], ctx.logs);
  });

  it("reports a failed AppRole login without the secret_id", async () => {
    const secretId = "6a174c20-f6de-a53c-74d2-6018fcceff64";
    server.use(
      http.post(`${VAULT}/v1/auth/approle/login`, () =>
        HttpResponse.json({ errors: ["invalid role or secret ID"] }, { status: 400 }),
      ),
    );
    const ctx = makeContext({ env: { VAULT_ADDR: VAULT, ROLE_ID: "role", SECRET_ID: secretId } });
    const error = await rejectionOf(
      sinkFor({ path: "app", auth: { method: "approle", roleIdEnv: "ROLE_ID", secretIdEnv: "SECRET_ID" } }).deliver(
        makeSecret().secret,
        ctx,
      ),
    );
    expect((error as DeliveryError).message).toContain("invalid role or secret ID");
    expect((error as DeliveryError).retryable).toBe(false);
    expectNoLeak([secretId], error, ctx.logs);
  });

  it(
    "reports 403 permission denied as not retryable, naming the sink and key " + "but not the token or secret",
    async () => {
      const { value, secret } = makeSecret();
      let reads = 0;
      server.use(
        http.get(`${VAULT}/v1/secret/data/app`, () => {
          reads += 1;
          return HttpResponse.json({ errors: ["1 error occurred:\n\t* permission denied\n\n"] }, { status: 403 });
        }),
      );
      const ctx = makeContext({ env });
      const report = await deliverAll(secret, [sinkFor({ path: "app" })], ctx, recordingSleep());
      expect(reads).toBe(1);
      expect(report.error?.retryable).toBe(false);
      expect(report.error?.message).toContain("HTTP 403");
      expect(report.error?.message).toContain("permission denied");
      expect(report.error?.message).toContain(ctx.keyId);
      expect(report.error?.sinkType).toBe("vault");
      expectNoLeak([value, TOKEN], report, report.error, ctx.logs);
    },
  );

  it("retries a sealed Vault (503) and a rate limit (429) per the SDK's policy", async () => {
    const { value, secret } = makeSecret();
    const answers = [
      () => HttpResponse.json({ errors: ["Vault is sealed"] }, { status: 503 }),
      () =>
        HttpResponse.json(
          { errors: ['request path "secret/data/app": rate limit quota exceeded'] },
          { status: 429, headers: { "Retry-After": "4" } },
        ),
    ];
    let reads = 0;
    server.use(
      http.get(`${VAULT}/v1/secret/data/app`, () => {
        const answer = answers[reads];
        reads += 1;
        return answer ? answer() : kvRead({}, 1);
      }),
      http.post(`${VAULT}/v1/secret/data/app`, () => kvWritten(2)),
    );
    const { sleeps, sleep } = recordingSleep();
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor({ path: "app" })], ctx, { sleep, random: () => 0.5 });
    expect(report.ok).toBe(true);
    expect(reads).toBe(3);
    expect(report.results[0]?.attempts).toBe(1);
    // Backoff 0.5 * 500 ms after the 503; Retry-After (4 s) over the 0.5 * 1000 ms backoff after the 429.
    expect(sleeps).toEqual([250, 4000]);
    expectNoLeak([value, TOKEN], report, ctx.logs);
  });

  it("retries a 500 on the check-and-set write, then reports it as possibly delivered and final", async () => {
    let writes = 0;
    server.use(
      http.get(`${VAULT}/v1/secret/data/app`, () => kvRead({}, 1)),
      http.post(`${VAULT}/v1/secret/data/app`, () => {
        writes += 1;
        return HttpResponse.json({ errors: ["internal error"] }, { status: 500 });
      }),
    );
    const error = await rejectionOf(sinkFor({ path: "app" }).deliver(makeSecret().secret, makeContext({ env })));
    // A POST, but a check-and-set one: repeating it is safe, so the policy repeats it.
    expect(writes).toBe(DEFAULT_RETRY_SETTINGS.maxRetries + 1);
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).maybeDelivered).toBe(true);
  });

  it("treats a 404 with errors (no such mount) as a failure, not as a new secret", async () => {
    server.use(
      http.get(`${VAULT}/v1/nope/data/app`, () =>
        HttpResponse.json(
          { errors: ['no handler for route "nope/data/app". route entry not found.'] },
          { status: 404 },
        ),
      ),
    );
    const error = await rejectionOf(
      sinkFor({ path: "app", mount: "nope" }).deliver(makeSecret().secret, makeContext({ env })),
    );
    expect((error as DeliveryError).message).toContain("no handler for route");
    expect((error as DeliveryError).retryable).toBe(false);
  });

  it("needs an address and a token", async () => {
    const noAddress = await rejectionOf(
      sinkFor({ path: "app" }).deliver(makeSecret().secret, makeContext({ env: { VAULT_TOKEN: TOKEN } })),
    );
    expect((noAddress as Error).message).toContain("VAULT_ADDR");
    const noToken = await rejectionOf(
      sinkFor({ path: "app" }).deliver(makeSecret().secret, makeContext({ env: { VAULT_ADDR: VAULT } })),
    );
    expect((noToken as Error).message).toContain("VAULT_TOKEN");
  });
});

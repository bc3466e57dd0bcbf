import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAwsSecretsManagerSink } from "../../src/deliver/aws-secrets-manager.js";
import type { AwsSecretsManagerSinkConfig } from "../../src/deliver/config.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { DeliveryError, deliverAll } from "../../src/deliver/index.js";
import { base62, expectNoLeak, makeContext, makeSecret, recordingSleep, rejectionOf } from "./helpers.js";

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY = base62(40);
const SESSION_TOKEN = base62(80);
const REGION_ENDPOINT = "https://secretsmanager.eu-west-1.amazonaws.com/";
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

type Operation = "GetSecretValue" | "PutSecretValue" | "CreateSecret";
interface Call {
  operation: Operation;
  headers: Headers;
  body: Record<string, unknown>;
}
type Answer = (call: Call) => Response;

const JSON_11 = { "Content-Type": "application/x-amz-json-1.1" };

function ok(body: Record<string, unknown>): Response {
  return HttpResponse.json(body, { headers: { ...JSON_11, "x-amzn-RequestId": "req-ok" } });
}

/** An error as the AWS JSON 1.1 protocol sends it. */
function awsError(type: string, message: string, status = 400): Response {
  return HttpResponse.json(
    { __type: type, message },
    { status, headers: { ...JSON_11, "x-amzn-RequestId": "req-err" } },
  );
}

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:timely/billing-AbCdEf";

function putOk(call: Call): Response {
  return ok({
    ARN,
    Name: call.body.SecretId,
    VersionId: "b2c3d4e5-6789-4abc-9def-000000000002",
    VersionStages: ["AWSCURRENT"],
  });
}

/** Serves Secrets Manager at `endpoint`, answering each operation from its queue (the last repeats). */
function serve(answers: Partial<Record<Operation, Answer[]>>, endpoint = REGION_ENDPOINT): Call[] {
  const calls: Call[] = [];
  const served: Partial<Record<Operation, number>> = {};
  server.use(
    http.post(endpoint, async ({ request }) => {
      const target = request.headers.get("x-amz-target") ?? "";
      expect(target.startsWith("secretsmanager.")).toBe(true);
      expect(request.headers.get("content-type")).toBe("application/x-amz-json-1.1");
      const operation = target.slice("secretsmanager.".length) as Operation;
      const call: Call = {
        operation,
        headers: request.headers,
        body: (await request.json()) as Record<string, unknown>,
      };
      calls.push(call);
      const queue = answers[operation];
      if (!queue || queue.length === 0) return awsError("InvalidRequestException", `unexpected ${operation}`);
      const index = Math.min(served[operation] ?? 0, queue.length - 1);
      served[operation] = (served[operation] ?? 0) + 1;
      return queue[index]!(call);
    }),
  );
  return calls;
}

const env = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
};

function sinkFor(config: Omit<AwsSecretsManagerSinkConfig, "type">) {
  return createAwsSecretsManagerSink({ type: "awsSecretsManager", ...config }, "/manifests");
}

describe("awsSecretsManager sink", () => {
  it("writes the secret string with PutSecretValue, signed with the run's credentials", async () => {
    const { value, secret } = makeSecret();
    const calls = serve({ PutSecretValue: [putOk] });
    const config: AwsSecretsManagerSinkConfig = { type: "awsSecretsManager", secretId: "timely/billing" };
    const sink = createAwsSecretsManagerSink(config, "/manifests");
    expect(sink.destination).toBe(sinkDestination(config, "/manifests"));
    const ctx = makeContext({ env });
    await sink.deliver(secret, ctx);
    expect(calls.map((call) => call.operation)).toEqual(["PutSecretValue"]);
    expect(calls[0]?.body).toMatchObject({ SecretId: "timely/billing", SecretString: value });
    expect(calls[0]?.headers.get("authorization")).toContain(`Credential=${ACCESS_KEY_ID}/`);
    expect(calls[0]?.headers.get("authorization")).toContain("/eu-west-1/secretsmanager/aws4_request");
    expect(calls[0]?.headers.get("x-amz-security-token")).toBe(SESSION_TOKEN);
    expect(ctx.logs.join("\n")).toContain("wrote a new version of secret timely/billing");
    expectNoLeak([value, SECRET_ACCESS_KEY, SESSION_TOKEN], ctx.logs);
  });

  it("creates the secret when PutSecretValue says it does not exist", async () => {
    const { value, secret } = makeSecret();
    const calls = serve({
      PutSecretValue: [() => awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")],
      CreateSecret: [(call) => ok({ ARN, Name: call.body.Name, VersionId: "v1" })],
    });
    const ctx = makeContext({ env });
    await sinkFor({ secretId: "timely/billing" }).deliver(secret, ctx);
    expect(calls.map((call) => call.operation)).toEqual(["PutSecretValue", "CreateSecret"]);
    expect(calls[1]?.body).toMatchObject({ Name: "timely/billing", SecretString: value });
    expect(ctx.logs.join("\n")).toContain("created secret timely/billing");
  });

  it("does not try to create a secret named by an ARN", async () => {
    const calls = serve({
      PutSecretValue: [() => awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")],
    });
    const error = await rejectionOf(sinkFor({ secretId: ARN }).deliver(makeSecret().secret, makeContext({ env })));
    expect((error as DeliveryError).message).toContain("not by ARN");
    expect(calls.map((call) => call.operation)).toEqual(["PutSecretValue"]);
  });

  it("sets one property of a JSON secret and keeps the others", async () => {
    const { value, secret } = makeSecret();
    const calls = serve({
      GetSecretValue: [
        () =>
          ok({
            ARN,
            Name: "app/config",
            VersionId: "v3",
            SecretString: JSON.stringify({ DATABASE_URL: "postgres://db", TIMELY_API_KEY: "tml_old" }),
            VersionStages: ["AWSCURRENT"],
            CreatedDate: 1.7e9,
          }),
      ],
      PutSecretValue: [putOk],
    });
    await sinkFor({ secretId: "app/config", key: "TIMELY_API_KEY" }).deliver(secret, makeContext({ env }));
    expect(calls.map((call) => call.operation)).toEqual(["GetSecretValue", "PutSecretValue"]);
    expect(calls[0]?.body).toEqual({ SecretId: "app/config" });
    expect(JSON.parse(String(calls[1]?.body.SecretString))).toEqual({
      DATABASE_URL: "postgres://db",
      TIMELY_API_KEY: value,
    });
  });

  it("creates a JSON secret holding only the property when none exists", async () => {
    const { value, secret } = makeSecret();
    const calls = serve({
      GetSecretValue: [() => awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")],
      CreateSecret: [(call) => ok({ ARN, Name: call.body.Name, VersionId: "v1" })],
    });
    await sinkFor({ secretId: "app/config", key: "apiKey" }).deliver(secret, makeContext({ env }));
    expect(calls.map((call) => call.operation)).toEqual(["GetSecretValue", "CreateSecret"]);
    expect(JSON.parse(String(calls[1]?.body.SecretString))).toEqual({ apiKey: value });
  });

  it("refuses to set a property in a secret that is not a JSON object", async () => {
    const calls = serve({
      GetSecretValue: [() => ok({ ARN, Name: "plain", SecretString: "just-a-string", VersionId: "v1" })],
    });
    const error = await rejectionOf(
      sinkFor({ secretId: "plain", key: "apiKey" }).deliver(makeSecret().secret, makeContext({ env })),
    );
    expect((error as DeliveryError).message).toContain("does not hold JSON");
    expect((error as DeliveryError).retryable).toBe(false);
    expect(calls.map((call) => call.operation)).toEqual(["GetSecretValue"]);
  });

  it("uses the endpoint override and the config's region", async () => {
    const calls = serve({ PutSecretValue: [putOk] }, "http://localstack.test:4566/");
    await sinkFor({ secretId: "timely/billing", region: "us-west-2", endpoint: "http://localstack.test:4566" }).deliver(
      makeSecret().secret,
      makeContext({ env: { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY } }),
    );
    expect(calls[0]?.headers.get("authorization")).toContain("/us-west-2/secretsmanager/aws4_request");
    expect(calls[0]?.headers.get("x-amz-security-token")).toBeNull();
  });

  it.each([
    [
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:PutSecretValue",
      "may not write",
    ],
    [
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      "credentials were rejected",
    ],
    [
      "InvalidRequestException",
      "You can't perform this operation on the secret because it was marked for deletion.",
      "scheduled for deletion",
    ],
  ])("reports %s as not retryable, without the secret or credentials", async (type, message, hint) => {
    const { value, secret } = makeSecret();
    const calls = serve({ PutSecretValue: [() => awsError(type, message)] });
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor({ secretId: "timely/billing" })], ctx, recordingSleep());
    expect(calls).toHaveLength(1);
    expect(report.error).toBeInstanceOf(DeliveryError);
    expect(report.error?.retryable).toBe(false);
    expect(report.error?.maybeDelivered).toBe(false);
    expect(report.error?.message).toContain(type);
    expect(report.error?.message).toContain("HTTP 400");
    expect(report.error?.message).toContain(hint);
    expect(report.error?.message).toContain(ctx.keyId);
    expectNoLeak([value, SECRET_ACCESS_KEY, SESSION_TOKEN], report, report.error, ctx.logs);
  });

  it("retries throttling and internal errors within deliverAll, per the SDK's policy", async () => {
    const { value, secret } = makeSecret();
    const calls = serve({
      PutSecretValue: [
        () => awsError("ThrottlingException", "Rate exceeded"),
        () => awsError("InternalServiceError", "An error occurred on the server side.", 500),
        putOk,
      ],
    });
    const { sleeps, sleep } = recordingSleep();
    const ctx = makeContext({ env });
    const report = await deliverAll(secret, [sinkFor({ secretId: "timely/billing" })], ctx, {
      sleep,
      random: () => 0.5,
    });
    expect(report.ok).toBe(true);
    expect(calls).toHaveLength(3);
    // The AWS SDK makes one attempt per call; the sink is what is retried, with the SDK's backoff.
    expect(report.results[0]?.attempts).toBe(3);
    expect(sleeps).toEqual([250, 500]);
    expectNoLeak([value, SECRET_ACCESS_KEY, SESSION_TOKEN], report, ctx.logs);
  });

  it("reports a server error on the write as possibly delivered", async () => {
    serve({ PutSecretValue: [() => awsError("InternalServiceError", "An error occurred on the server side.", 500)] });
    const error = await rejectionOf(
      sinkFor({ secretId: "timely/billing" }).deliver(makeSecret().secret, makeContext({ env })),
    );
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as DeliveryError).maybeDelivered).toBe(true);
  });

  it("retries when Secrets Manager cannot be reached, counting the write as possibly delivered", async () => {
    let posts = 0;
    server.use(
      http.post(REGION_ENDPOINT, () => {
        posts += 1;
        return posts === 1
          ? HttpResponse.error()
          : putOk({ operation: "PutSecretValue", headers: new Headers(), body: {} });
      }),
    );
    const { value, secret } = makeSecret();
    const first = await rejectionOf(sinkFor({ secretId: "timely/billing" }).deliver(secret, makeContext({ env })));
    expect((first as DeliveryError).retryable).toBe(true);
    expect((first as DeliveryError).maybeDelivered).toBe(true);
    expectNoLeak([value, SECRET_ACCESS_KEY, SESSION_TOKEN], first);
    const report = await deliverAll(
      secret,
      [sinkFor({ secretId: "timely/billing" })],
      makeContext({ env }),
      recordingSleep(),
    );
    expect(report.ok).toBe(true);
  });

  it("retries when another run created the secret first", async () => {
    const calls = serve({
      PutSecretValue: [
        () => awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
        putOk,
      ],
      CreateSecret: [
        () =>
          awsError("ResourceExistsException", "The operation failed because the secret timely/billing already exists."),
      ],
    });
    const report = await deliverAll(
      makeSecret().secret,
      [sinkFor({ secretId: "timely/billing" })],
      makeContext({ env }),
      recordingSleep(),
    );
    expect(report.ok).toBe(true);
    expect(calls.map((call) => call.operation)).toEqual(["PutSecretValue", "CreateSecret", "PutSecretValue"]);
  });

  it("needs a region", async () => {
    const error = await rejectionOf(
      sinkFor({ secretId: "timely/billing" }).deliver(makeSecret().secret, makeContext({ env: {} })),
    );
    expect((error as DeliveryError).message).toContain("AWS_REGION");
    expect((error as DeliveryError).retryable).toBe(false);
  });
});

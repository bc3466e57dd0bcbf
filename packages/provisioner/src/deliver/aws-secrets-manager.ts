import type { SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import type { AwsSecretsManagerSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { SinkFailure, configFailure } from "./failure.js";
import { runDelivery } from "./run-delivery.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

/**
 * Writes an AWS Secrets Manager secret with PutSecretValue, creating the secret when it does not
 * exist. With `key`, the secret is a JSON object: the current value is read, the property set and
 * the whole object written back (Secrets Manager has no check-and-set, so a concurrent writer of
 * another property could be lost; one key per secret avoids that).
 *
 * Region: the config's, else AWS_REGION / AWS_DEFAULT_REGION from the run's env. Credentials: the
 * run's env when it has AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the SDK's default chain
 * (profiles, SSO, web identity, instance roles). The SDK's own retries are off: deliverAll retries.
 * The SDK is loaded on first use, so runs without this sink do not pay for it.
 */
export function createAwsSecretsManagerSink(config: AwsSecretsManagerSinkConfig, manifestDir: string): Sink {
  const sink: Sink = {
    type: "awsSecretsManager",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, redactor, log }) => {
        const region = config.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
        if (!region) throw configFailure("no AWS region: set region in the manifest or AWS_REGION");
        redactor.add(ctx.env.AWS_SECRET_ACCESS_KEY);
        redactor.add(ctx.env.AWS_SESSION_TOKEN);
        const { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } =
          await import("@aws-sdk/client-secrets-manager");
        const client = new SecretsManagerClient(clientConfig(region, config.endpoint, ctx.env));
        const where = `secret ${config.secretId}`;
        const abortSignal = ctx.signal;
        try {
          let value = clear;
          let exists = true;
          if (config.key !== undefined) {
            const current = await step(`read ${where}`, { writesSecret: false, absentIsAnswer: true }, () =>
              client.send(new GetSecretValueCommand({ SecretId: config.secretId }), { abortSignal }),
            );
            if (current?.SecretString === undefined && current?.SecretBinary !== undefined) {
              throw configFailure(`${where} holds binary data, so a property cannot be set in it`);
            }
            exists = current !== undefined;
            value = JSON.stringify({ ...parseObject(current?.SecretString, where), [config.key]: clear });
          }
          if (exists) {
            const put = await step(`write ${where}`, { writesSecret: true, absentIsAnswer: true }, () =>
              client.send(new PutSecretValueCommand({ SecretId: config.secretId, SecretString: value }), {
                abortSignal,
              }),
            );
            exists = put !== undefined;
          }
          if (!exists) {
            if (config.secretId.startsWith("arn:")) {
              throw configFailure(`${where} does not exist; it can only be created by name, not by ARN`);
            }
            await step(`create ${where}`, { writesSecret: true, absentIsAnswer: false }, () =>
              client.send(new CreateSecretCommand({ Name: config.secretId, SecretString: value }), { abortSignal }),
            );
          }
          log(
            `awsSecretsManager: ${exists ? "wrote a new version of" : "created"} ${where}` +
              (config.key ? ` (property ${config.key})` : ""),
          );
        } finally {
          client.destroy();
        }
      }),
  };
  return sink;
}

function clientConfig(
  region: string,
  endpoint: string | undefined,
  env: NodeJS.ProcessEnv,
): SecretsManagerClientConfig {
  const config: SecretsManagerClientConfig = { region, maxAttempts: 1 };
  if (endpoint) config.endpoint = endpoint;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    config.credentials = { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  }
  return config;
}

function parseObject(text: string | undefined, where: string): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configFailure(`${where} does not hold JSON, so a property cannot be set in it`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw configFailure(`${where} does not hold a JSON object, so a property cannot be set in it`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Sends one command; undefined when the secret (or its current value) does not exist. A create
 * that lost a race to another creator is retryable: the next attempt writes a new version.
 */
async function step<T>(
  what: string,
  options: { writesSecret: boolean; absentIsAnswer: boolean },
  send: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    if (name === "ResourceNotFoundException" && options.absentIsAnswer) return undefined;
    if (name === "ResourceExistsException") {
      throw new SinkFailure(`${what}: it was created concurrently by someone else`, { retryable: true });
    }
    throw awsFailure(what, error, options.writesSecret);
  }
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const THROTTLING = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);
const NOT_RETRYABLE_HINTS: Record<string, string> = {
  AccessDeniedException: "the credentials may not write this secret",
  UnrecognizedClientException: "the AWS credentials were rejected",
  InvalidSignatureException: "the AWS credentials were rejected",
  ExpiredTokenException: "the AWS session has expired",
  InvalidRequestException: "the secret may be scheduled for deletion",
  DecryptionFailure: "the credentials may not use the secret's KMS key",
  EncryptionFailure: "the credentials may not use the secret's KMS key",
};

function awsFailure(what: string, error: unknown, writesSecret: boolean): SinkFailure {
  const shape = (typeof error === "object" && error !== null ? error : {}) as AwsErrorShape;
  const name = shape.name ?? "Error";
  const status = shape.$metadata?.httpStatusCode;
  const answered = status !== undefined;
  const serverSide = shape.$fault === "server" || (status !== undefined && status >= 500);
  // Credential providers fail before any request: a person has to fix the setup.
  const credentials = name === "CredentialsProviderError";
  const retryable = !credentials && (serverSide || THROTTLING.has(name) || status === 429 || !answered);
  const hint = NOT_RETRYABLE_HINTS[name] ?? (credentials ? "no AWS credentials were found" : undefined);
  const message =
    `${what}: ${name}${status !== undefined ? ` (HTTP ${status})` : ""}` +
    `${shape.message ? `: ${shape.message}` : ""}${hint ? ` - ${hint}` : ""}`;
  return new SinkFailure(message, {
    retryable,
    maybeDelivered: writesSecret && (serverSide || (!answered && !credentials)),
  });
}

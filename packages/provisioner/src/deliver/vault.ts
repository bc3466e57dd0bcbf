import type { VaultSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { SinkFailure, configFailure, requireEnv } from "./failure.js";
import {
  encodePath,
  isRecord,
  sendRequest,
  statusFailure,
  trimBase,
  type HttpRequest,
  type HttpResponse,
} from "./http.js";
import { runDelivery } from "./run-delivery.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

const DEFAULT_MOUNT = "secret";
const DEFAULT_FIELD = "api_key";
const DEFAULT_TOKEN_ENV = "VAULT_TOKEN";
const DEFAULT_APPROLE_MOUNT = "approle";
/** Read-merge-write rounds when another writer keeps winning the check-and-set. */
const CAS_ROUNDS = 3;

/**
 * Writes one field of a HashiCorp Vault KV v2 secret. The other fields are kept: the secret is read
 * first and the write carries `options.cas` = the version read, so a concurrent writer's change is
 * never overwritten silently (a mismatch means read again and merge again).
 */
export function createVaultSink(config: VaultSinkConfig, manifestDir: string): Sink {
  const mount = encodePath(config.mount ?? DEFAULT_MOUNT);
  const secretPath = encodePath(config.path);
  const field = config.field ?? DEFAULT_FIELD;
  const sink: Sink = {
    type: "vault",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, redactor, log }) => {
        const address = config.address ?? ctx.env.VAULT_ADDR;
        if (!address) throw configFailure("no Vault address: set address in the manifest or VAULT_ADDR");
        if (secretPath === "") throw configFailure("the Vault path is empty");
        const base = `${trimBase(address)}/v1`;
        const common: Record<string, string> = { "X-Vault-Request": "true" };
        if (config.namespace) common["X-Vault-Namespace"] = config.namespace;

        const token = await authenticate(config, ctx, base, common, (value) => redactor.add(value));
        redactor.add(token);
        const headers = { ...common, "X-Vault-Token": token };
        const dataUrl = `${base}/${mount}/data/${secretPath}`;
        const where = `${config.mount ?? DEFAULT_MOUNT}/${config.path}`;

        for (let round = 1; ; round += 1) {
          const current = await readSecret(ctx, dataUrl, headers, where);
          const write: HttpRequest = {
            method: "POST",
            url: dataUrl,
            headers,
            body: { options: { cas: current.version }, data: { ...current.data, [field]: clear } },
            writesSecret: true,
            // Check-and-set: a repeat of a write that already landed is refused, then read again.
            repeatable: true,
            what: `write ${where}`,
          };
          const response = await sendRequest(ctx, write);
          if (response.status === 200 || response.status === 204) {
            log(`vault: wrote field ${field} of ${where} (check-and-set on version ${current.version})`);
            return;
          }
          if (isCasMismatch(response) && round < CAS_ROUNDS) {
            log(`vault: ${where} changed while writing; reading it again`);
            continue;
          }
          if (isCasMismatch(response)) {
            throw new SinkFailure(
              `write ${where}: another writer kept changing the secret (check-and-set failed ${round} times)`,
              {
                retryable: true,
              },
            );
          }
          throw vaultFailure(write, response);
        }
      }),
  };
  return sink;
}

async function authenticate(
  config: VaultSinkConfig,
  ctx: DeliveryContext,
  base: string,
  headers: Record<string, string>,
  sensitive: (value: string) => void,
): Promise<string> {
  const auth = config.auth ?? { method: "token" as const };
  if (auth.method === "token") return requireEnv(ctx.env, auth.tokenEnv ?? DEFAULT_TOKEN_ENV, "Vault token");
  const roleId = requireEnv(ctx.env, auth.roleIdEnv, "Vault AppRole role_id");
  const secretId = requireEnv(ctx.env, auth.secretIdEnv, "Vault AppRole secret_id");
  sensitive(secretId);
  const mount = auth.mount ?? DEFAULT_APPROLE_MOUNT;
  const login: HttpRequest = {
    method: "POST",
    url: `${base}/auth/${encodePath(mount)}/login`,
    headers,
    body: { role_id: roleId, secret_id: secretId },
    // A second login only makes a second token.
    repeatable: true,
    what: `log in to Vault with AppRole (auth/${mount})`,
  };
  const response = await sendRequest(ctx, login);
  if (response.status !== 200) throw vaultFailure(login, response);
  const token = isRecord(response.body) && isRecord(response.body.auth) ? response.body.auth.client_token : undefined;
  if (typeof token !== "string" || token === "") {
    throw new SinkFailure(`${login.what}: the answer has no auth.client_token`, { retryable: false });
  }
  return token;
}

interface CurrentSecret {
  data: Record<string, unknown>;
  /** The version to pass as `cas`: 0 for a path never written. */
  version: number;
}

/**
 * The latest version's data and number. A 404 is a new secret (cas 0), unless its latest version
 * was deleted: Vault still answers 404 but with the metadata, and the write must name that version.
 * (Deleted data is not merged back: the other fields of a deleted secret stay deleted.)
 */
async function readSecret(
  ctx: DeliveryContext,
  url: string,
  headers: Record<string, string>,
  where: string,
): Promise<CurrentSecret> {
  const read: HttpRequest = { method: "GET", url, headers, what: `read ${where}` };
  const response = await sendRequest(ctx, read);
  const envelope = isRecord(response.body) && isRecord(response.body.data) ? response.body.data : undefined;
  const metadata = envelope && isRecord(envelope.metadata) ? envelope.metadata : undefined;
  const version = typeof metadata?.version === "number" ? metadata.version : 0;
  // A 404 with errors is no secret at all but a missing route (say, no such mount).
  if (response.status === 404 && errorsOf(response).length === 0) return { data: {}, version };
  if (response.status !== 200) throw vaultFailure(read, response);
  if (!envelope || !metadata) {
    throw new SinkFailure(`${read.what}: the answer is not a KV v2 secret (is ${where} on a KV v2 mount?)`);
  }
  return { data: isRecord(envelope.data) ? envelope.data : {}, version };
}

function errorsOf(response: HttpResponse): string[] {
  const errors = isRecord(response.body) ? response.body.errors : undefined;
  return Array.isArray(errors) ? errors.filter((error): error is string => typeof error === "string") : [];
}

function isCasMismatch(response: HttpResponse): boolean {
  return response.status === 400 && errorsOf(response).some((error) => error.includes("check-and-set"));
}

/**
 * Vault answers `{"errors": [...]}`; 403 is a token or policy problem. 429 and 5xx were retried by
 * sendRequest; a 412 passes too, so deliverAll runs the sink again.
 */
function vaultFailure(request: HttpRequest, response: HttpResponse): SinkFailure {
  const detail = errorsOf(response).join("; ") || undefined;
  const hint =
    response.status === 403
      ? "the token was refused or its policy does not allow this path"
      : response.status === 503
        ? "Vault may be sealed or in standby"
        : undefined;
  const failure = statusFailure(request, response, detail, hint);
  // 412: a performance standby has not caught up with the write yet; asking again works.
  if (response.status === 412)
    return new SinkFailure(failure.message, { retryable: true, maybeDelivered: failure.maybeDelivered });
  return failure;
}

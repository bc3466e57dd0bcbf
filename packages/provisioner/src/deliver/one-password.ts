import type { OnePasswordSinkConfig } from "./config.js";
import { sinkDestination } from "./destination.js";
import { SinkFailure, configFailure, requireEnv } from "./failure.js";
import { isRecord, sendRequest, statusFailure, trimBase, type HttpRequest, type HttpResponse } from "./http.js";
import { runDelivery } from "./run-delivery.js";
import type { DeliveryContext, SecretValue, Sink } from "./sink.js";

const DEFAULT_TOKEN_ENV = "OP_CONNECT_TOKEN";
const DEFAULT_FIELD = "credential";

/**
 * Sets one field of an item on a 1Password Connect server: reads the item, finds the field by id
 * or label, and PATCHes it with a JSON Patch (`replace` its value, or `add` a concealed field when
 * the item has none by that label). The rest of the item is left as it is.
 */
export function createOnePasswordSink(config: OnePasswordSinkConfig, manifestDir: string): Sink {
  const fieldName = config.field ?? DEFAULT_FIELD;
  const sink: Sink = {
    type: "onePassword",
    destination: sinkDestination(config, manifestDir),
    deliver: (secret: SecretValue, ctx: DeliveryContext) =>
      runDelivery(sink, secret, ctx, async ({ secret: clear, redactor, log }) => {
        const connectUrl = config.connectUrl ?? ctx.env.OP_CONNECT_HOST;
        if (!connectUrl) throw configFailure("no Connect server: set connectUrl in the manifest or OP_CONNECT_HOST");
        const tokenEnv = config.tokenEnv ?? DEFAULT_TOKEN_ENV;
        const token = requireEnv(ctx.env, tokenEnv, "1Password Connect token");
        redactor.add(token);
        const itemUrl =
          `${trimBase(connectUrl)}/v1/vaults/${encodeURIComponent(config.vault)}` +
          `/items/${encodeURIComponent(config.item)}`;
        const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
        const where = `item ${config.item} in vault ${config.vault}`;

        const read: HttpRequest = { method: "GET", url: itemUrl, headers, what: `read ${where}` };
        const item = await sendRequest(ctx, read);
        if (item.status !== 200) throw connectFailure(read, item, tokenEnv);
        const fieldId = findField(item.body, fieldName, where);

        const patch =
          fieldId === undefined
            ? [{ op: "add", path: "/fields", value: { label: fieldName, type: "CONCEALED", value: clear } }]
            : [{ op: "replace", path: `/fields/${escapePointer(fieldId)}/value`, value: clear }];
        const write: HttpRequest = {
          method: "PATCH",
          url: itemUrl,
          headers,
          body: patch,
          writesSecret: true,
          what: `update field ${fieldName} of ${where}`,
        };
        const response = await sendRequest(ctx, write);
        if (response.status !== 200) throw connectFailure(write, response, tokenEnv);
        log(`onePassword: ${fieldId === undefined ? "added" : "updated"} field ${fieldName} of ${where}`);
      }),
  };
  return sink;
}

/** The id of the field whose id or label is `name`; undefined when none; an error when ambiguous. */
function findField(item: unknown, name: string, where: string): string | undefined {
  if (!isRecord(item)) throw new SinkFailure(`read ${where}: the answer is not an item`);
  const fields = Array.isArray(item.fields) ? item.fields.filter(isRecord) : [];
  const byId = fields.find((field) => field.id === name);
  if (byId && typeof byId.id === "string") return byId.id;
  const byLabel = fields.filter((field) => field.label === name && typeof field.id === "string");
  if (byLabel.length > 1) {
    throw configFailure(`${where} has ${byLabel.length} fields labelled "${name}"; name the field by its id instead`);
  }
  return byLabel[0]?.id as string | undefined;
}

/** RFC 6901: "~" and "/" inside a pointer segment. */
function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Connect answers errors as `{"status": 401, "message": "..."}`. */
function connectFailure(request: HttpRequest, response: HttpResponse, tokenEnv: string): SinkFailure {
  const detail =
    isRecord(response.body) && typeof response.body.message === "string" ? response.body.message : undefined;
  const hint =
    response.status === 401
      ? `the token in ${tokenEnv} was rejected`
      : response.status === 403
        ? `the token in ${tokenEnv} may not write to this vault`
        : response.status === 404
          ? "check the vault and item ids"
          : undefined;
  return statusFailure(request, response, detail, hint);
}

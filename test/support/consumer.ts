// A simulated consumer of a delivered key: an app that reads its secret from a file sink (as it
// would re-read its .env on restart) and calls the API with it. Rotation tests use it to show that
// whoever holds the newest delivered secret never gets a 401, and that a consumer still holding
// the previous secret keeps working until the drain retires that key.
import { readFileSync, statSync } from "node:fs";

export type SinkFormat = "dotenv" | "json" | "raw";

export interface FileSinkRef {
  path: string;
  format?: SinkFormat;
  /** dotenv variable or JSON property; default TIMELY_API_KEY. */
  variable?: string;
}

/** The secret a file sink holds now, or undefined when there is no such file (yet). */
export function readSinkSecret(sink: FileSinkRef): string | undefined {
  if (!statSync(sink.path, { throwIfNoEntry: false })?.isFile()) return undefined;
  const text = readFileSync(sink.path, "utf8");
  const variable = sink.variable ?? "TIMELY_API_KEY";
  switch (sink.format ?? "dotenv") {
    case "raw":
      return text.trim() || undefined;
    case "json": {
      const value = (JSON.parse(text) as Record<string, unknown>)[variable];
      return typeof value === "string" ? value : undefined;
    }
    case "dotenv": {
      const line = text.split("\n").find((l) => l.startsWith(`${variable}=`));
      return line?.slice(variable.length + 1).replace(/^"(.*)"$/, "$1");
    }
  }
}

export interface ApiCall {
  status: number;
  /** The key the secret belongs to (from GET /v1/me), when it answered 200. */
  keyId?: string;
  /** X-Request-Id of the answer: lets a harness tell its own requests apart in the emulator's log. */
  requestId?: string;
}

/** One call with a secret; `GET /v1/me` tells which key the secret belongs to. */
export async function callWithSecret(baseUrl: string, secret: string, path = "/v1/me"): Promise<ApiCall> {
  const answer = await fetch(`${baseUrl}${path}`, { headers: { "x-api-key": secret } });
  const requestId = answer.headers.get("x-request-id") ?? undefined;
  const body = (await answer.json().catch(() => ({}))) as { data?: { key_id?: string } };
  const keyId = answer.status === 200 && path === "/v1/me" ? body.data?.key_id : undefined;
  return { status: answer.status, ...(keyId ? { keyId } : {}), ...(requestId ? { requestId } : {}) };
}

/**
 * A client of one sink. `refresh()` picks up the newest delivered secret (a consumer that has not
 * refreshed keeps the secret it read last, like an app that has not restarted yet).
 */
export class Consumer {
  /** The secret it uses now. */
  held: string | undefined;
  readonly calls: Array<ApiCall & { path: string }> = [];

  constructor(
    readonly baseUrl: string,
    readonly sink: FileSinkRef,
  ) {}

  /** Reads the sink again; true when the secret changed. */
  refresh(): boolean {
    const latest = readSinkSecret(this.sink);
    const changed = latest !== undefined && latest !== this.held;
    if (latest !== undefined) this.held = latest;
    return changed;
  }

  /** Calls the API with the secret it holds (refresh first to use the newest one). */
  async call(path = "/v1/me"): Promise<ApiCall> {
    if (this.held === undefined) throw new Error(`consumer of ${this.sink.path} holds no secret yet`);
    const result = await callWithSecret(this.baseUrl, this.held, path);
    this.calls.push({ ...result, path });
    return result;
  }
}

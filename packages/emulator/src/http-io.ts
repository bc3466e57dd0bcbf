import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RequestBody {
  text: string;
  tooLarge: boolean;
}

/** Reads the whole body (up to 1 MiB; the rest is drained and dropped). */
export function readBody(req: IncomingMessage): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve({ text: tooLarge ? "" : Buffer.concat(chunks).toString("utf8"), tooLarge }));
    req.on("error", reject);
  });
}

/** Writes an answer and returns the headers sent. `Date` comes from the caller (emulated clock), never from node. */
export function writeAnswer(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  bodyText: string,
): Record<string, string> {
  res.sendDate = false;
  const all: Record<string, string> = { ...headers };
  if (bodyText !== "") all["Content-Type"] = "application/json; charset=utf-8";
  all["Content-Length"] = String(Buffer.byteLength(bodyText));
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(status, all);
    res.end(bodyText);
  }
  return all;
}

/** Streams a very large (valid JSON) body, respecting back-pressure. */
export async function writeHugeBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  bytes: number,
): Promise<void> {
  res.sendDate = false;
  const chunk = "x".repeat(64 * 1024);
  const open = '{"data":"';
  const close = '"}';
  const fillerChunks = Math.ceil(bytes / chunk.length);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(open.length + close.length + fillerChunks * chunk.length),
  });
  res.write(open);
  for (let i = 0; i < fillerChunks; i++) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  if (!res.destroyed) res.end(close);
}

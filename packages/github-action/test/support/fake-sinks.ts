// A loopback stand-in for the two remote sinks whose SDKs the action bundles lazily: GitHub's
// Actions secrets API (public key + PUT of a sealed value) and AWS Secrets Manager's JSON protocol
// (PutSecretValue). It records what each received, so a test can see the bundle really delivered.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface GithubPut {
  path: string;
  authorization: string | undefined;
  body: { encrypted_value?: string; key_id?: string };
}

export interface AwsPut {
  target: string;
  body: { SecretId?: string; SecretString?: string };
}

export interface FakeSinks {
  url: string;
  githubPuts: GithubPut[];
  awsPuts: AwsPut[];
  /** From now on GitHub refuses to write secrets (403), as with a token lacking the permission. */
  refuseGithubWrites(): void;
  /** Every request body received, for the leak scan of what GitHub got (sealed values only). */
  githubBodies(): string;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeSinks(): Promise<FakeSinks> {
  // Any 32 bytes are a valid X25519 public key: the sealed box can be made, never opened here.
  const publicKey = randomBytes(32).toString("base64");
  const githubPuts: GithubPut[] = [];
  const awsPuts: AwsPut[] = [];
  const githubRaw: string[] = [];
  let refuse = false;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await bodyOf(req);
      const path = req.url ?? "/";
      const target = String(req.headers["x-amz-target"] ?? "");
      if (target !== "") {
        const body = JSON.parse(text) as AwsPut["body"];
        awsPuts.push({ target, body });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(
          JSON.stringify({
            ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${body.SecretId}-AbCdEf`,
            Name: body.SecretId,
            VersionId: randomBytes(8).toString("hex"),
          }),
        );
        return;
      }
      githubRaw.push(text);
      if (req.method === "GET" && path.endsWith("/actions/secrets/public-key")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ key_id: "568250167242549743", key: publicKey }));
        return;
      }
      if (req.method === "PUT" && path.includes("/actions/secrets/") && refuse) {
        res
          .writeHead(403, { "content-type": "application/json" })
          .end(JSON.stringify({ message: "Resource not accessible by integration" }));
        return;
      }
      if (req.method === "PUT" && path.includes("/actions/secrets/")) {
        githubPuts.push({
          path,
          authorization: req.headers.authorization,
          body: JSON.parse(text) as GithubPut["body"],
        });
        res.writeHead(201).end();
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    githubPuts,
    awsPuts,
    refuseGithubWrites: () => {
      refuse = true;
    },
    githubBodies: () => githubRaw.join("\n"),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer } from "node:http";
import createClient from "openapi-fetch";
import { TimelyClient, type paths } from "./src/index.js";
const body = JSON.stringify({ data: { principal: "member", company_id: "x", workspace_id: "y", key_id: null, key_name: "n", scopes: [], permissions: ["a"], role: "owner" } });
const server = createServer((req, res) => { res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99999", "X-RateLimit-Reset": String(Math.floor(Date.now()/1000)+60) }); res.end(body); });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const baseUrl = `http://127.0.0.1:${(server.address() as any).port}`;
const key = "tkm_Zq8fK2mW9xR4tY7uP1sD3gH6jL0cV5bN";
const raw = createClient<paths>({ baseUrl, headers: { "x-api-key": key } });
const wrapped = createClient<paths>({ baseUrl, headers: { "x-api-key": key }, fetch: (r) => globalThis.fetch(r) });
const client = new TimelyClient({ apiKey: key, baseUrl });
const nopace = new TimelyClient({ apiKey: key, baseUrl, pacing: false });
const N = 400;
async function run(f: () => Promise<unknown>) { const t = process.cpuUsage(); for (let i = 0; i < N; i++) await f(); const u = process.cpuUsage(t); return (u.user + u.system) / N; }
const variants: Record<string, () => Promise<unknown>> = {
  raw: () => raw.GET("/v1/me"), wrapped: () => wrapped.GET("/v1/me"), sdkraw: () => client.raw.GET("/v1/me"), sdk: () => client.me(), sdkNoPace: () => nopace.me(),
};
const res: Record<string, number[]> = {};
for (const k of Object.keys(variants)) { res[k] = []; for (let i = 0; i < 200; i++) await variants[k]!(); }
for (let round = 0; round < 25; round++) for (const [k, f] of Object.entries(variants)) res[k]!.push(await run(f));
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)]!;
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(10), "min", q(v, 0).toFixed(1), "p25", q(v, 0.25).toFixed(1), "med", q(v, 0.5).toFixed(1), "us cpu/req", "ratio(p25)", (q(v, 0.25) / q(res.raw!, 0.25)).toFixed(3));
server.close();

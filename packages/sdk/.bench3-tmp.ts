import createClient from "openapi-fetch";
import { TimelyClient, type paths } from "./src/index.js";
const body = JSON.stringify({ data: { principal: "member", company_id: "x", workspace_id: "y", key_id: null, key_name: "n", scopes: [], permissions: ["a"], role: "owner" } });
const hdrs = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)), "X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99999", "X-RateLimit-Reset": String(Math.floor(Date.now()/1000)+60), Date: new Date().toUTCString() };
const stub = (async () => new Response(body, { headers: hdrs })) as unknown as typeof fetch;
const baseUrl = "http://127.0.0.1:1";
const key = "tkm_Zq8fK2mW9xR4tY7uP1sD3gH6jL0cV5bN";
const raw = createClient<paths>({ baseUrl, headers: { "x-api-key": key }, fetch: (r) => stub(r) });
const client = new TimelyClient({ apiKey: key, baseUrl, fetch: stub });
const nopace = new TimelyClient({ apiKey: key, baseUrl, pacing: false, fetch: stub });
const N = 2000;
async function run(f: () => Promise<unknown>) { const t = process.cpuUsage(); for (let i = 0; i < N; i++) await f(); const u = process.cpuUsage(t); return (u.user + u.system) / N; }
const variants: Record<string, () => Promise<unknown>> = { raw: () => raw.GET("/v1/me"), sdkraw: () => client.raw.GET("/v1/me"), sdk: () => client.me(), sdkNoPace: () => nopace.me() };
const res: Record<string, number[]> = {};
for (const k of Object.keys(variants)) { res[k] = []; for (let i = 0; i < 2000; i++) await variants[k]!(); }
for (let round = 0; round < 40; round++) for (const [k, f] of Object.entries(variants)) res[k]!.push(await run(f));
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)]!;
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(10), "min", q(v, 0), "p25", q(v, 0.25).toFixed(1), "med", q(v, 0.5).toFixed(1), "us cpu/req");

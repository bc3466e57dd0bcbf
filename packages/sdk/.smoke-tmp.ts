import { startEmulator } from "../emulator/src/index.js";
import { TimelyClient, ValidationError, NotFoundError } from "./src/index.js";
const owner = `tkm_${"SmokeOwner".padEnd(40, "0")}`;
const emu = await startEmulator({ validateContract: true, recordSecrets: true, rateLimit: 100, seed: { workspaces: [{ name: "alpha", members: [{ name: "O", role: "owner", token: owner }], agents: 2, conversations: 2 }] } });
const log: string[] = [];
const client = new TimelyClient({ apiKey: owner, baseUrl: emu.url + "/", logger: { debug: (m) => log.push(m) } });
console.log(await client.health(), client.serverTime());
console.log((await client.me()).role);
const t0 = performance.now();
const created = await Promise.all(Array.from({ length: 260 }, (_, i) => client.apiKeys.create({ name: `k${i}`, scopes: ["read"] })));
console.log("created", created.length, "stats", client.stats, "ms", Math.round(performance.now() - t0));
const before = client.stats.requests;
let n = 0; for await (const k of client.apiKeys.list()) n++;
console.log("listed", n, "requests", client.stats.requests - before);
const one = created[0]!;
console.log(String(one.secret), JSON.stringify(one).includes(one.secret.reveal()));
console.log((await client.apiKeys.update(one.key.id, { name: "renamed" })).name);
console.log((await client.apiKeys.deactivate(one.key.id)).status, (await client.apiKeys.activate(one.key.id)).status);
const user = new TimelyClient({ apiKey: one.secret.reveal(), baseUrl: emu.url });
console.log((await user.me()).principal, (await client.apiKeys.usage(one.key.id)).total_requests);
await client.apiKeys.revoke(one.key.id);
await client.apiKeys.get(one.key.id).catch((e) => console.log("after revoke", e.name, e.code));
await user.me().catch((e) => console.log("revoked key", e.name, e.status, e.message));
// dropped connection after create: one key, not two
emu.faults.set({ fail_nth: { n: 1, kind: "drop" }, when: "after", paths: "^/v1/api-keys$" });
const beforeCount = (await client.apiKeys.listPage({ perPage: 1 })).meta.total;
emu.faults.set({ fail_nth: { n: 1, kind: "drop" }, when: "after", paths: "^/v1/api-keys$" });
const c2 = await client.apiKeys.create({ name: "after-drop", scopes: ["read"] });
emu.faults.clear();
console.log("replayed", c2.replayed, "count delta", (await client.apiKeys.listPage({ perPage: 1 })).meta.total - beforeCount);
// revoke with drop after
emu.faults.set({ fail_nth: { n: 1, kind: "drop" }, when: "after", paths: "^/v1/api-keys/" });
await client.apiKeys.revoke(c2.key.id); console.log("revoke after drop ok");
emu.faults.clear();
for (const kind of ["invalid_json", "wrong_envelope", "huge_body"] as const) {
  emu.faults.set({ fail_nth: { n: 1, kind } });
  await client.me().catch((e) => console.log(kind, e.name, e.code, e.message.slice(0, 80)));
}
emu.faults.clear();
console.log("violations", emu.contractViolations().length, emu.contractViolations().slice(0, 3));
const secrets = emu.mintedSecrets();
const leaked = log.filter((l) => secrets.some((s) => l.includes(s)) || l.includes(owner));
console.log("log lines", log.length, "leaked", leaked.length, log.slice(0, 3));
await emu.close();

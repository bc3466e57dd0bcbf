// The SDK on its own: create a key, use it, read its usage, deactivate it, revoke it.
// Runs against TIMELY_API_URL with TIMELY_MANAGEMENT_TOKEN, or, when those are not set, against an
// emulator started in this process from examples/emulator-seed.yaml.
//   node --import tsx examples/sdk-quickstart.ts
import { fileURLToPath } from "node:url";
import { loadSeed, startEmulator, type Emulator } from "@timely-keys/emulator";
import { AuthenticationError, TimelyClient } from "@timely-keys/sdk";

let emulator: Emulator | undefined;
let baseUrl = process.env.TIMELY_API_URL;
let token = process.env.TIMELY_MANAGEMENT_TOKEN;
if (!baseUrl || !token) {
  const seed = await loadSeed(fileURLToPath(new URL("emulator-seed.yaml", import.meta.url)));
  emulator = await startEmulator({ seed });
  baseUrl = emulator.url;
  token = seed.workspaces?.[0]?.members?.find((m) => m.role === "owner")?.token;
  console.log(`emulator started at ${baseUrl}`);
}

const admin = new TimelyClient({ apiKey: token, baseUrl });
try {
  const { key, secret } = await admin.apiKeys.create({
    name: "Quickstart integration",
    description: "Made by examples/sdk-quickstart.ts",
    scopes: ["read", "agents"],
    expires_in_days: 30,
  });
  // `secret` prints masked; reveal() is the only way to the full value (store it, never log it).
  console.log(`created ${key.name} (${key.id}), prefix ${key.prefix}, secret ${secret}`);

  const integration = new TimelyClient({ apiKey: secret.reveal(), baseUrl });
  const me = await integration.me();
  console.log(`the new key introspects as "${me.key_name}" with scopes ${me.scopes.join(", ")}`);
  const agents = await integration.raw.GET("/v1/agents", { params: { query: { per_page: 5 } } });
  console.log(`GET /v1/agents with the new key: ${agents.response.status}, ${agents.data?.data.length ?? 0} agents`);

  const usage = await admin.apiKeys.usage(key.id);
  console.log(
    `usage: ${usage.total_requests} requests, success rate ${((usage.success_rate ?? 0) * 100).toFixed(0)}%, top ` +
      `endpoint ${usage.top_endpoints[0]?.path}`,
  );

  await admin.apiKeys.deactivate(key.id);
  await integration.me().catch((error: unknown) => {
    if (error instanceof AuthenticationError)
      console.log(`after deactivate, the key gets ${error.status} ${error.code}`);
    else throw error;
  });

  await admin.apiKeys.revoke(key.id);
  console.log(
    `revoked ${key.id}; listing shows ${(await admin.apiKeys.listPage({ perPage: 1 })).meta.total} keys left in the ` +
      `workspace`,
  );
} finally {
  await emulator?.close();
}

// New key secrets never reach a log line (the provisioner hands them only to the sinks), but if a
// sink's program or a future bug printed one, the runner would show it. So every secret the API
// mints is registered with the runner the moment it exists, before any sink sees it. The
// provisioner has no hook for that; the clients it is given are wrapped instead.
import type { ClientFactory } from "@timely-keys/provisioner";

type Client = ReturnType<ClientFactory>;

const wrapped = new WeakSet<object>();

/** The same factory, whose clients call `register(secret)` for every key they create. */
export function maskingMintedSecrets(clients: ClientFactory, register: (secret: string) => void): ClientFactory {
  return (workspace) => {
    const client = clients(workspace);
    wrapCreate(client, register);
    return client;
  };
}

function wrapCreate(client: Client, register: (secret: string) => void): void {
  const apiKeys = client.apiKeys;
  if (wrapped.has(apiKeys)) return;
  wrapped.add(apiKeys);
  const create = apiKeys.create.bind(apiKeys);
  apiKeys.create = async (...args: Parameters<typeof create>) => {
    const created = await create(...args);
    register(created.secret.reveal());
    return created;
  };
}

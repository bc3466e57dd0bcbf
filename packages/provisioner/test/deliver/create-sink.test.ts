import { describe, expect, it } from "vitest";
import type { SinkConfig } from "../../src/deliver/config.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { createSink } from "../../src/deliver/index.js";

const configs: SinkConfig[] = [
  { type: "file", path: "secrets/.env" },
  { type: "exec", command: ["deploy-key", "--stdin"] },
  { type: "githubSecret", repository: "acme/billing", secretName: "TIMELY_API_KEY" },
  { type: "awsSecretsManager", secretId: "timely/billing", region: "eu-west-1" },
  { type: "vault", path: "apps/billing" },
  { type: "onePassword", vault: "v", item: "i" },
];

describe("createSink", () => {
  it.each(configs.map((config) => [config.type, config] as const))(
    "makes a %s sink with the destination sinkDestination gives",
    (type, config) => {
      const sink = createSink(config, "/srv/app");
      expect(sink.type).toBe(type);
      expect(sink.destination).toBe(sinkDestination(config, "/srv/app"));
      expect(typeof sink.deliver).toBe("function");
    },
  );
});

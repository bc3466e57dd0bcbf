import { resolve } from "node:path";
import type { SinkConfig } from "./config.js";

/**
 * Where a sink writes, as one comparable string. Two manifest entries with the same destination
 * would share one secret between two integrations, which the guide forbids (one key per integration).
 */
export function sinkDestination(sink: SinkConfig, manifestDir: string): string {
  switch (sink.type) {
    case "file": {
      const variable = sink.format === "raw" ? "" : (sink.variable ?? "TIMELY_API_KEY");
      return `file:${resolve(manifestDir, sink.path)}#${variable}`;
    }
    case "exec":
      // A program is a destination only together with what it is given; the argv identifies it.
      return `exec:${JSON.stringify(sink.command)}`;
    case "githubSecret":
      return sink.organization
        ? `github:org/${sink.organization.toLowerCase()}/${sink.secretName.toUpperCase()}`
        : `github:${(sink.repository ?? "").toLowerCase()}/${sink.environment ?? ""}/${sink.secretName.toUpperCase()}`;
    case "awsSecretsManager":
      return `aws:${sink.region ?? ""}:${sink.secretId}#${sink.key ?? ""}`;
    case "vault":
      return (
        `vault:${sink.address ?? "$VAULT_ADDR"}/${sink.namespace ?? ""}/${sink.mount ?? "secret"}/` +
        `${sink.path}#${sink.field ?? "api_key"}`
      );
    case "onePassword":
      return `1password:${sink.vault}/${sink.item}#${sink.field ?? "credential"}`;
  }
}

import { createAwsSecretsManagerSink } from "./aws-secrets-manager.js";
import type { SinkConfig } from "./config.js";
import { createExecSink } from "./exec.js";
import { createFileSink } from "./file.js";
import { createGithubSecretSink } from "./github-secret.js";
import { createOnePasswordSink } from "./one-password.js";
import type { Sink } from "./sink.js";
import { createVaultSink } from "./vault.js";

/** The sink for one `deliver:` entry; relative file paths resolve against `manifestDir`. */
export function createSink(config: SinkConfig, manifestDir: string): Sink {
  switch (config.type) {
    case "file":
      return createFileSink(config, manifestDir);
    case "exec":
      return createExecSink(config, manifestDir);
    case "githubSecret":
      return createGithubSecretSink(config, manifestDir);
    case "awsSecretsManager":
      return createAwsSecretsManagerSink(config, manifestDir);
    case "vault":
      return createVaultSink(config, manifestDir);
    case "onePassword":
      return createOnePasswordSink(config, manifestDir);
  }
}

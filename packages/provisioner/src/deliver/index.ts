// @timely-keys/provisioner/deliver: the sinks of a manifest's `deliver:` entries, for any holder of a
// secret (an SDK user with a freshly created key, or apply). createSink makes one from its config,
// deliverAll runs them in order with the SDK's retry policy and reports who received the secret.
export type {
  AwsSecretsManagerSinkConfig,
  ExecSinkConfig,
  FileFormat,
  FileSinkConfig,
  GithubSecretSinkConfig,
  OnePasswordSinkConfig,
  SinkConfig,
  SinkType,
  VaultSinkConfig,
} from "./config.js";
export { DeliveryError, type DeliveryContext, type DeliveryErrorInit, type SecretValue, type Sink } from "./sink.js";
export { createSink } from "./create-sink.js";
export { deliverAll, type DeliverAllOptions, type DeliveryReport, type SinkDeliveryResult } from "./deliver-all.js";

// Secret delivery: one sink per `deliver:` entry, run in order by deliverAll.
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
export { sinkDestination } from "./destination.js";
export { DeliveryError, type DeliveryContext, type DeliveryErrorInit, type SecretValue, type Sink } from "./sink.js";
export { createSink } from "./create-sink.js";
export { deliverAll, type DeliverAllOptions, type DeliveryReport, type SinkDeliveryResult } from "./deliver-all.js";

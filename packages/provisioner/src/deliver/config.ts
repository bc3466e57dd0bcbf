// The shapes of `deliver:` entries in the manifest. The manifest's JSON Schema describes the same
// shapes for editors and validation; these types are what the rest of the code works with.

export type FileFormat = "dotenv" | "json" | "raw";

export interface FileSinkConfig {
  type: "file";
  /** Path of the file, relative to the manifest's folder. */
  path: string;
  format?: FileFormat; // default dotenv
  /** Variable name (dotenv) or property (json). Default TIMELY_API_KEY. */
  variable?: string;
}

export interface ExecSinkConfig {
  type: "exec";
  /** argv, run without a shell. */
  command: string[];
  /** How the program receives the secret. Default stdin. */
  input?: "stdin" | "env";
  /** Env var name when input is env. Default TIMELY_API_KEY. */
  env?: string;
  /** Further variables the program receives (it otherwise gets a minimal environment). */
  passEnv?: string[];
  timeoutSeconds?: number; // default 30
}

export interface GithubSecretSinkConfig {
  type: "githubSecret";
  /** owner/repo; required unless organization is set. */
  repository?: string;
  /** An environment of the repository. */
  environment?: string;
  /** An organization secret instead of a repository one. */
  organization?: string;
  visibility?: "all" | "private" | "selected"; // organization secrets only; default private
  secretName: string;
  tokenEnv?: string; // default GITHUB_TOKEN
  apiUrl?: string; // default https://api.github.com
}

export interface AwsSecretsManagerSinkConfig {
  type: "awsSecretsManager";
  secretId: string;
  region?: string;
  /** When set, the secret is a JSON object and this property is written; otherwise the whole string. */
  key?: string;
  endpoint?: string;
}

export interface VaultSinkConfig {
  type: "vault";
  address?: string; // default env VAULT_ADDR
  mount?: string; // KV v2 mount, default "secret"
  path: string;
  field?: string; // default "api_key"
  namespace?: string;
  auth?:
    | { method: "token"; tokenEnv?: string } // default VAULT_TOKEN
    | { method: "approle"; roleIdEnv: string; secretIdEnv: string; mount?: string }; // mount default "approle"
}

export interface OnePasswordSinkConfig {
  type: "onePassword";
  connectUrl?: string; // default env OP_CONNECT_HOST
  tokenEnv?: string; // default OP_CONNECT_TOKEN
  vault: string; // vault id
  item: string; // item id
  field?: string; // field label, default "credential"
}

export type SinkConfig =
  | FileSinkConfig
  | ExecSinkConfig
  | GithubSecretSinkConfig
  | AwsSecretsManagerSinkConfig
  | VaultSinkConfig
  | OnePasswordSinkConfig;

export type SinkType = SinkConfig["type"];

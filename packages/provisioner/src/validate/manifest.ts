// The manifest as written (camelCase, defaults not applied), once it has passed the JSON Schema.
// `import` writes this shape; `validate` turns it into a Desired.
import type { Scope } from "@timely-keys/sdk";
import type { SinkConfig } from "../deliver/config.js";
import type { ProbeConfig, Severity, UnmanagedPolicy } from "../desired.js";
import type { ConfigurableRuleName } from "./rules.js";

export interface ManifestRotation {
  maxAgeDays?: number;
  rotateBeforeExpiryDays?: number;
  /** `<n>(s|m|h|d)` */
  drainWindow?: string;
  maxGrace?: string;
  quarantine?: string;
  spread?: string;
  /** policy.rotation only. */
  maxPerRun?: number;
}

export interface ManifestPolicy {
  rotation?: ManifestRotation;
  requireExpiryFor?: Scope[];
  maxExpiresInDays?: number | null;
  unmanaged?: UnmanagedPolicy;
  rules?: Partial<Record<ConfigurableRuleName, Severity>>;
}

export interface ManifestKey {
  id: string;
  name: string;
  description?: string;
  scopes: Scope[];
  expiresInDays?: number | null;
  enabled?: boolean;
  protect?: boolean;
  rotation?: ManifestRotation;
  deliver?: SinkConfig[];
  access?: string[];
  afterDeliver?: ProbeConfig[];
  verify?: ProbeConfig[];
  adopt?: string;
}

export interface ManifestWorkspace {
  name: string;
  tokenEnv: string;
  apiUrl?: string;
  access?: string[];
  keys: ManifestKey[];
}

export interface ManifestDocument {
  version: 1;
  policy?: ManifestPolicy;
  teams?: Array<{ name: string; members: string[] }>;
  workspaces: ManifestWorkspace[];
}

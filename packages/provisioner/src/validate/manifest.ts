// The manifest as written (camelCase, defaults not applied), once it has passed the JSON Schema.
// `import` writes this shape; `validate` turns it into a Desired.
import type { Scope } from "@timely-keys/sdk";
import type { SinkConfig } from "../deliver/config.js";
import type { ProbeConfig, Severity, UnmanagedPolicy } from "../desired.js";
import type { ConfigurableRuleName } from "./rules.js";
import type { MonitorSettings } from "../check/model.js";
import type { NotifyTarget } from "../notify/model.js";

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
  monitor?: Partial<MonitorSettings>;
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
  notify?: NotifyTarget[];
  /** The live workspace's id (`workspace_id` of GET /v1/me), pinned by import. */
  id?: string;
  access?: string[];
  keys: ManifestKey[];
}

export interface ManifestDocument {
  version: 1;
  policy?: ManifestPolicy;
  notify?: NotifyTarget[];
  teams?: Array<{ name: string; members: string[] }>;
  workspaces: ManifestWorkspace[];
}

// The desired state: what `validate` makes of a manifest, and what `plan` compares with the live
// state. Plain data, no I/O, every default already applied.
import type { Scope } from "@timely-keys/sdk";
import type { MonitorSettings } from "./check/model.js";
import type { SinkConfig } from "./deliver/config.js";
import type { NotifyTarget } from "./notify/model.js";

/** Where something came from in the manifest, for error messages and annotations. */
export interface SourceRef {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

/** Rotation windows, all resolved to numbers. Durations are in seconds. */
export interface RotationSettings {
  /** Rotate once the current key is this old (days). Default 90. */
  maxAgeDays: number;
  /** Rotate when the current key expires within this many days. Default 14. */
  rotateBeforeExpiryDays: number;
  /** The previous key is deactivated once its last use has not moved for this long after delivery. Default 24h. */
  drainWindowSeconds: number;
  /** ...or, at the latest, this long after delivery (then with a warning). Default 7d. */
  maxGraceSeconds: number;
  /** A deactivated previous key is revoked this long after its deactivation. Default 7d. */
  quarantineSeconds: number;
}

export type Severity = "error" | "warning" | "off";

export type UnmanagedPolicy = "report" | "deactivate" | "revoke";

export interface Policy {
  rotation: RotationSettings;
  requireExpiryFor: Scope[];
  maxExpiresInDays: number | null;
  unmanaged: UnmanagedPolicy;
  /** Severity per lint rule name, defaults applied. */
  rules: Record<string, Severity>;
  /** `policy.monitor`, defaults applied (absent in hand-made Desired values: check uses the defaults). */
  monitor?: MonitorSettings;
}

export interface DesiredKey {
  /** Stable id of the manifest entry; the marker in the live key's description links to it. */
  id: string;
  name: string;
  /** The description the user wrote, without any marker. */
  description: string;
  scopes: Scope[]; // sorted, unique
  expiresInDays: number | null;
  enabled: boolean;
  protect: boolean;
  /** Policy rotation defaults merged with the entry's overrides. */
  rotation: RotationSettings;
  deliver: SinkConfig[];
  /** Live key id that `import` claimed for this entry (adopt), if any. */
  adopt?: string;
  source?: SourceRef;
}

export interface DesiredWorkspace {
  name: string;
  /** Name of the environment variable holding the management token. Never the token itself. */
  tokenEnv: string;
  apiUrl?: string;
  /** This workspace's notification targets (besides the manifest's top-level ones). */
  notify?: NotifyTarget[];
  /** The live workspace's id (`workspace_id` of GET /v1/me) the token must belong to, when pinned. */
  id?: string;
  keys: DesiredKey[];
  source?: SourceRef;
}

export interface Desired {
  /** Absolute path of the manifest file. */
  file: string;
  workspaces: DesiredWorkspace[];
  policy: Policy;
  /** The manifest's top-level notification targets. */
  notify?: NotifyTarget[];
}

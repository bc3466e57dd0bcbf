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
  /**
   * Due dates by age move earlier by a deterministic offset in [0, spread) from the entry id. Default 7d (absent: 0).
   */
  spreadSeconds?: number;
}

/**
 * A check that the systems work with a new key, run by apply after delivery and before the promote.
 * exec: a program (the exec sink's safety; the secret on stdin or in an env var); http: a consumer's
 * health endpoint (no secret sent), which must answer `expectStatus` (default 200).
 */
export type ProbeConfig =
  | { type: "exec"; command: string[]; input?: "stdin" | "env"; env?: string; timeoutSeconds?: number }
  | { type: "http"; url: string; expectStatus?: number; timeoutSeconds?: number };

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
  /** `policy.rotation.maxPerRun`: at most this many rotations start per plan (default 20). */
  maxRotationsPerRun?: number;
}

export const DEFAULT_MAX_ROTATIONS_PER_RUN = 20;

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
  /** Probes run after delivery (`afterDeliver` first), before the promote. Absent: none. */
  verify?: ProbeConfig[];
  afterDeliver?: ProbeConfig[];
  /** People and teams that can read the secret (`alice@acme.com`, `team:payments`): the entry's and its workspace's. */
  access?: string[];
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
  /** `access:` of the workspace, inherited by every entry. */
  access?: string[];
  source?: SourceRef;
}

export interface Desired {
  /** Absolute path of the manifest file. */
  file: string;
  workspaces: DesiredWorkspace[];
  policy: Policy;
  /** The manifest's top-level notification targets. */
  notify?: NotifyTarget[];
  /** `teams:` of the manifest, so `--exposed-to alice@acme.com` also finds her teams' keys. */
  teams?: Array<{ name: string; members: string[] }>;
}

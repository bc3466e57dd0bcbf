// Notifications: who is told what. Targets come from the manifest (`notify:` at the top level or per
// workspace); events are plain data built from an apply report or check findings.
import type { Finding } from "../check/model.js";

export type NotifyEventType = "rotation.completed" | "rotation.failed" | "key.retired" | "check.finding";

export const NOTIFY_EVENT_TYPES: readonly NotifyEventType[] = [
  "rotation.completed",
  "rotation.failed",
  "key.retired",
  "check.finding",
];

export interface NotifyTarget {
  type: "webhook" | "slack";
  /** The URL itself... */
  url?: string;
  /** ...or the name of the environment variable holding it (a Slack webhook URL is a credential). */
  urlEnv?: string;
  /** Default: every event. */
  events?: NotifyEventType[];
}

/** One event: what happened to which key. Never a secret or token (the body is built from these fields only). */
export interface NotifyEvent {
  type: NotifyEventType;
  workspace: string;
  entryId?: string;
  keyId?: string;
  keyName?: string;
  generation?: number;
  /** When it happened (ISO, server clock when known). */
  at: string;
  /** rotation.*: the plan action; key.retired: deactivate or revoke. */
  action?: string;
  /** rotation.failed: the error message (already redacted). */
  error?: string;
  /** check.finding: the finding as data. */
  finding?: Finding;
}

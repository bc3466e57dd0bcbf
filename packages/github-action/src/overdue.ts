// The `check` alarm: keys whose rotation is overdue or that are about to expire, because scheduled
// runs were late, skipped, failing or disabled (GitHub disables schedules in inactive repositories).
// Computed on the server's clock from the live keys and each entry's rotation settings.
import type { Desired, DesiredKey, Live, Plan, SourceRef } from "@timely-keys/provisioner";

const DAY_MS = 86_400_000;

export type OverdueReason = "expired" | "expiring" | "overdue" | "no_sinks";

export interface OverdueKey {
  workspace: string;
  entryId: string;
  keyId: string;
  /** Most pressing first. */
  reasons: OverdueReason[];
  /** One line for the log and the annotation. */
  message: string;
  /** Where the entry is written in the manifest. */
  source?: SourceRef;
}

function ms(iso: string | null | undefined): number {
  return iso === null || iso === undefined ? Number.NaN : Date.parse(iso);
}

function days(durationMs: number): string {
  const d = Math.floor(durationMs / DAY_MS);
  return `${d} day${d === 1 ? "" : "s"}`;
}

function day(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * The planner rotates a key `rotateBeforeExpiryDays` before it expires, but never earlier than
 * half its lifetime (or a short-lived key would rotate forever): the same margin is "expiring soon".
 */
export function expiryMarginMs(createdAt: number, expiresAt: number, entry: Pick<DesiredKey, "rotation">): number {
  const margin = entry.rotation.rotateBeforeExpiryDays * DAY_MS;
  const lifetime = expiresAt - createdAt;
  return Number.isFinite(lifetime) ? Math.min(margin, lifetime / 2) : margin;
}

/**
 * Every enabled entry whose current key is expired, expires within its margin, or is older than
 * `maxAgeDays + maxOverdueDays`. Entries without a current key (not created yet) are not overdue.
 */
export function findOverdue(desired: Desired, live: Live, plan: Plan, now: Date, maxOverdueDays: number): OverdueKey[] {
  const found: OverdueKey[] = [];
  const at = now.getTime();
  for (const ws of plan.workspaces) {
    const desiredWs = desired.workspaces.find((w) => w.name === ws.name);
    const keys = live.workspaces.find((w) => w.name === ws.name)?.keys ?? [];
    for (const state of ws.entries) {
      if (state.phase === "disabled" || state.currentKeyId === undefined) continue;
      const entry = desiredWs?.keys.find((k) => k.id === state.entryId);
      const key = keys.find((k) => k.id === state.currentKeyId);
      if (entry === undefined || key === undefined) continue;
      const created = ms(key.created_at);
      const expires = ms(key.expires_at);
      const reasons: OverdueReason[] = [];
      const details: string[] = [];
      if (Number.isFinite(expires) && expires <= at) {
        reasons.push("expired");
        details.push(`expired on ${day(expires)}`);
      } else if (Number.isFinite(expires) && expires - at <= expiryMarginMs(created, expires, entry)) {
        reasons.push("expiring");
        details.push(`expires on ${day(expires)}, in ${days(expires - at)} (rotateBeforeExpiryDays ${entry.rotation.rotateBeforeExpiryDays})`);
      }
      const limitDays = entry.rotation.maxAgeDays + maxOverdueDays;
      if (Number.isFinite(created) && at - created > limitDays * DAY_MS) {
        reasons.push("overdue");
        details.push(
          `is ${days(at - created)} old, past maxAgeDays ${entry.rotation.maxAgeDays} + max-overdue-days ${maxOverdueDays}: its rotation is overdue`,
        );
      }
      // The planner leaves out a due rotation of an entry without sinks (apply could only fail on it):
      // no scheduled run will rotate it, so check says so while it is due, not only once overdue.
      if (state.unrotatable === "no_sinks") {
        reasons.push("no_sinks");
        details.push("is due for rotation, but its entry has no deliver sinks, so no run rotates it: add a deliver: sink");
      }
      if (reasons.length === 0) continue;
      const next = reasons.length === 1 && reasons[0] === "no_sinks" ? "" : " Scheduled rotation runs may be failing, late or disabled: run apply.";
      found.push({
        workspace: ws.name,
        entryId: entry.id,
        keyId: key.id,
        reasons,
        message: `${ws.name}/${entry.id}: key #${state.generation ?? "?"} (${key.id}) ${details.join("; ")}.${next}`,
        ...(entry.source ? { source: entry.source } : {}),
      });
    }
  }
  return found;
}

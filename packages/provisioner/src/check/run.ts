// check: read and plan (the same front half as plan), ask the usage endpoint about every active
// managed key of the selected entries, and turn it all into findings. The only I/O of check.
import type { KeyUsage, TimelyClient } from "@timely-keys/sdk";
import type { ClientFactory } from "../clients.js";
import type { Desired } from "../desired.js";
import type { Live, Plan } from "../model.js";
import { connectionOf, readAndPlan, type Filters, type Planned } from "../pipeline.js";
import { DAY, ms } from "../plan/time.js";
import { asTokenError } from "../read.js";
import { entryKeys, lifecycleFindings, keyRef } from "./lifecycle.js";
import { countBySeverity, DEFAULT_MONITOR, FINDING_KINDS, type CheckReport, type Finding } from "./model.js";
import { usageFindings } from "./usage.js";

export interface CheckOptions {
  /** Days past `maxAgeDays` before a rotation is `overdue`. Default 7. */
  maxOverdueDays?: number;
}

export interface CheckInput {
  desired: Desired;
  live: Live;
  plan: Plan;
  now: Date;
  /** Usage statistics by key id (keys without an answer are judged on their fields alone). */
  usage: ReadonlyMap<string, KeyUsage>;
}

export const DEFAULT_MAX_OVERDUE_DAYS = 7;

/** Usage is read for keys used within this many days: the recent window (7) and the report's sparkline (14). */
export const USAGE_LOOKBACK_DAYS = 14;

/** Every finding, pure: sorted by workspace, entry, then the kinds' order. */
export function findings(input: CheckInput, options: CheckOptions = {}): CheckReport {
  const monitor = input.desired.policy.monitor ?? DEFAULT_MONITOR;
  const found = lifecycleFindings(input.desired, input.live, input.plan, input.now, {
    maxOverdueDays: options.maxOverdueDays ?? DEFAULT_MAX_OVERDUE_DAYS,
    monitor,
  });
  for (const ws of input.plan.workspaces) {
    for (const keys of entryKeys(input.desired, input.live, ws)) {
      if (!keys.entry.enabled) continue;
      for (const view of [...(keys.current ? [keys.current] : []), ...keys.previous]) {
        const usage = input.usage.get(view.key.id);
        if (usage === undefined || view.key.status !== "active") continue;
        for (const finding of usageFindings(view.key, usage, input.now, monitor)) {
          found.push({
            ...finding,
            workspace: ws.name,
            entryId: keys.entry.id,
            key: keyRef(view.key, view.marker.generation),
            ...(keys.entry.source ? { source: keys.entry.source } : {}),
          });
        }
      }
    }
  }
  found.sort(compareFindings);
  return { format_version: 1, now: input.now.toISOString(), findings: found, counts: countBySeverity(found) };
}

function compareFindings(a: Finding, b: Finding): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    text(a.workspace, b.workspace) ||
    text(a.entryId ?? "\uffff", b.entryId ?? "\uffff") ||
    FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind) ||
    text(a.key?.id ?? "", b.key?.id ?? "")
  );
}

export interface CheckRun extends CheckReport {
  plan: Plan;
  live: Live;
  /** The usage answers the findings were made from (the HTML report draws them). */
  usage: ReadonlyMap<string, KeyUsage>;
}

/** Reads, plans and asks for usage; the answer holds the plan too (the Action shows both). */
export async function runCheck(
  desired: Desired,
  clients: ClientFactory,
  filters: Filters,
  options: CheckOptions = {},
): Promise<CheckRun> {
  return checkPlanned(desired, clients, await readAndPlan(desired, clients, filters), options);
}

/** check on a plan already made (the Action plans once for every command): asks for usage, finds. */
export async function checkPlanned(
  desired: Desired,
  clients: ClientFactory,
  planned: Planned,
  options: CheckOptions = {},
): Promise<CheckRun> {
  const { live, plan, now } = planned;
  const usage = new Map<string, KeyUsage>();
  for (const ws of plan.workspaces) {
    const workspace = desired.workspaces.find((w) => w.name === ws.name);
    if (workspace === undefined) continue;
    const client: TimelyClient = clients(connectionOf(workspace));
    // One key at a time: the SDK paces requests to the workspace's rate limit.
    for (const keys of entryKeys(desired, live, ws)) {
      if (!keys.entry.enabled) continue;
      for (const view of [...(keys.current ? [keys.current] : []), ...keys.previous]) {
        if (view.key.status !== "active") continue;
        // The contract has no bulk usage endpoint (one call per key, 100 per minute): a key not used
        // within the lookback has no recent request to judge, so its usage is not asked for.
        if (!(now.getTime() - ms(view.key.last_used_at) <= USAGE_LOOKBACK_DAYS * DAY)) continue;
        try {
          usage.set(view.key.id, await client.apiKeys.usage(view.key.id));
        } catch (error) {
          throw asTokenError(error, workspace) ?? error;
        }
      }
    }
  }
  return { ...findings({ desired, live, plan, now, usage }, options), plan, live, usage };
}

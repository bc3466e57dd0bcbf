// The HTML report's content as plain data, built by a pure function from what check read: the
// plan's entry states, the live keys, their usage and the findings. render/report-html.ts draws it.
import type { KeyUsage } from "@timely-keys/sdk";
import type { Finding } from "../check/model.js";
import type { CheckRun } from "../check/run.js";
import { entryKeys } from "../check/lifecycle.js";
import type { Desired } from "../desired.js";
import { promotedAtMs } from "../plan/previous.js";
import { DAY, isoOrNull, ms, SECOND } from "../plan/time.js";
import { actionsByEntry, entryDetail } from "../render/words.js";

export const CALENDAR_DAYS = 90;
export const SPARKLINE_DAYS = 14;

export type TimelineStepName = "created" | "promoted" | "draining" | "deactivated" | "revoked";
export const TIMELINE_STEPS: readonly TimelineStepName[] = [
  "created",
  "promoted",
  "draining",
  "deactivated",
  "revoked",
];

export interface TimelineStep {
  name: TimelineStepName;
  /** done: happened (at); now: under way; due: expected (at, when known); none: not part of this rotation. */
  state: "done" | "now" | "due" | "none";
  at: string | null;
}

export interface ReportKey {
  entryId: string | null;
  name: string;
  keyId: string | null;
  generation: number | null;
  status: string;
  phase: string;
  ageDays: number | null;
  maxAgeDays: number | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  /** When the next rotation is due (age or expiry), for managed keys with a current key. */
  rotationDueAt: string | null;
  /** The plan's next due step and when. */
  nextAt: string | null;
  detail: string;
  timeline: TimelineStep[];
  /** Requests per day, oldest first, for the last SPARKLINE_DAYS days (from the last 50 requests). */
  requestsPerDay: number[];
  totalRequests: number | null;
  successRate: number | null;
  findings: Finding[];
}

export interface CalendarDay {
  date: string;
  /** Keys that expire or whose rotation is due that day. */
  events: Array<{ kind: "expires" | "rotation-due"; name: string; entryId: string | null }>;
}

export interface ReportWorkspace {
  name: string;
  keys: ReportKey[];
  calendar: CalendarDay[];
  findings: Finding[];
}

export interface ReportData {
  generatedAt: string;
  manifest: string;
  workspaces: ReportWorkspace[];
  counts: CheckRun["counts"];
}

function perDay(usage: KeyUsage | undefined, now: number): number[] {
  const days = new Array<number>(SPARKLINE_DAYS).fill(0);
  for (const request of usage?.recent_activity ?? []) {
    const age = Math.floor((now - ms(request.timestamp)) / DAY);
    if (age >= 0 && age < SPARKLINE_DAYS) days[SPARKLINE_DAYS - 1 - age]! += 1;
  }
  return days;
}

const day = (time: number) => new Date(time).toISOString().slice(0, 10);

export function buildReport(desired: Desired, run: CheckRun): ReportData {
  const now = Date.parse(run.now);
  const workspaces: ReportWorkspace[] = [];
  for (const ws of run.plan.workspaces) {
    const keys: ReportKey[] = [];
    const findings = run.findings.filter((f) => f.workspace === ws.name);
    const byEntry = actionsByEntry(ws.actions);
    for (const entryKeysOf of entryKeys(desired, run.live, ws)) {
      const { entry, current, previous } = entryKeysOf;
      const state = ws.entries.find((e) => e.entryId === entry.id);
      const key = current?.key;
      const created = ms(key?.created_at);
      const expires = ms(key?.expires_at);
      const ageDue = created + entry.rotation.maxAgeDays * DAY;
      const expiryDue = expires - entry.rotation.rotateBeforeExpiryDays * DAY;
      const rotationDue = Math.min(
        Number.isFinite(ageDue) ? ageDue : Infinity,
        Number.isFinite(expiryDue) ? expiryDue : Infinity,
      );
      const promoted = current ? promotedAtMs(current) : Number.NaN;
      const draining = previous[0];
      const deactivated = run.live.workspaces
        .find((w) => w.name === ws.name)
        ?.keys.filter((k) => k.status === "inactive" && k.description.includes(`[tk:${entry.id}#`) && k.id !== key?.id)
        .map((k) => ms(k.deactivated_at))
        .filter((t) => Number.isFinite(t))
        .sort((a, b) => b - a)[0];
      const timeline: TimelineStep[] = [
        { name: "created", state: key ? "done" : "due", at: isoOrNull(created) },
        { name: "promoted", state: current ? "done" : "due", at: isoOrNull(promoted) },
        draining
          ? { name: "draining", state: "now", at: isoOrNull(promoted) }
          : { name: "draining", state: deactivated !== undefined ? "done" : "none", at: null },
        draining
          ? { name: "deactivated", state: "due", at: state?.nextAt ?? null }
          : {
              name: "deactivated",
              state: deactivated !== undefined ? "done" : "none",
              at: isoOrNull(deactivated ?? Number.NaN),
            },
        deactivated !== undefined && !draining
          ? { name: "revoked", state: "due", at: isoOrNull(deactivated + entry.rotation.quarantineSeconds * SECOND) }
          : { name: "revoked", state: "none", at: null },
      ];
      const usage = key ? run.usage.get(key.id) : undefined;
      keys.push({
        entryId: entry.id,
        name: entry.name,
        keyId: key?.id ?? null,
        generation: current?.marker.generation ?? null,
        status: key?.status ?? "missing",
        phase: state ? `${state.phase}${state.step ? ` ${state.step}` : ""}` : "unknown",
        ageDays: Number.isFinite(created) ? Math.max(0, Math.floor((now - created) / DAY)) : null,
        maxAgeDays: entry.rotation.maxAgeDays,
        expiresAt: key?.expires_at ?? null,
        lastUsedAt: key?.last_used_at ?? null,
        rotationDueAt: Number.isFinite(rotationDue) ? isoOrNull(rotationDue) : null,
        nextAt: state?.nextAt ?? null,
        detail: state ? entryDetail(state, byEntry.get(state.entryId) ?? []) : "",
        timeline,
        requestsPerDay: perDay(usage, now),
        totalRequests: usage?.total_requests ?? key?.request_count ?? null,
        successRate: usage?.success_rate ?? null,
        findings: findings.filter((f) => f.entryId === entry.id),
      });
    }
    for (const finding of findings.filter((f) => f.kind === "unmanaged" && f.key)) {
      const live = run.live.workspaces.find((w) => w.name === ws.name)?.keys.find((k) => k.id === finding.key!.id);
      keys.push({
        entryId: null,
        name: finding.key!.name,
        keyId: finding.key!.id,
        generation: null,
        status: live?.status ?? "unknown",
        phase: "unmanaged",
        ageDays: live ? Math.max(0, Math.floor((now - ms(live.created_at)) / DAY)) : null,
        maxAgeDays: null,
        expiresAt: live?.expires_at ?? null,
        lastUsedAt: live?.last_used_at ?? null,
        rotationDueAt: null,
        nextAt: null,
        detail: "not in the manifest",
        timeline: [],
        requestsPerDay: perDay(undefined, now),
        totalRequests: live?.request_count ?? null,
        successRate: null,
        findings: [finding],
      });
    }
    workspaces.push({ name: ws.name, keys, calendar: calendar(keys, now), findings });
  }
  return { generatedAt: run.now, manifest: desired.file, workspaces, counts: run.counts };
}

function calendar(keys: readonly ReportKey[], now: number): CalendarDay[] {
  const days: CalendarDay[] = Array.from({ length: CALENDAR_DAYS }, (_, i) => ({
    date: day(now + i * DAY),
    events: [],
  }));
  const byDate = new Map(days.map((d) => [d.date, d]));
  for (const key of keys) {
    if (key.expiresAt)
      byDate.get(key.expiresAt.slice(0, 10))?.events.push({ kind: "expires", name: key.name, entryId: key.entryId });
    if (key.rotationDueAt) {
      // A rotation already due shows on today.
      const date = Date.parse(key.rotationDueAt) < now ? day(now) : key.rotationDueAt.slice(0, 10);
      byDate.get(date)?.events.push({ kind: "rotation-due", name: key.name, entryId: key.entryId });
    }
  }
  return days;
}

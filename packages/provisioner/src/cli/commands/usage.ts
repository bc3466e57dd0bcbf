// usage: every managed key's status, age, last use, requests and success rate.
import type { TimelyClient } from "@timely-keys/sdk";
import { clientsFromEnv } from "../../clients.js";
import { splitDescription } from "../../marker.js";
import { integrationUse } from "../../self-calls.js";
import { asTokenError, read } from "../../read.js";
import { parseCommandArgs, stringList } from "../args.js";
import { HELP } from "../help.js";
import type { CliIO } from "../io.js";
import { connectionOf, loadDesired, selectedWorkspaces, serverNowOf } from "../pipeline.js";

export interface UsageRow {
  workspace: string;
  id: string;
  keyId: string;
  generation: number;
  status: string;
  ageDays: number;
  /** The integration's last request (timely-keys' own verification calls left out); null: never used. */
  lastUsedAt: string | null;
  /** Requests the integration made. */
  requests: number;
  /** Requests timely-keys made itself to verify the key. */
  selfRequests: number;
  /** Of every request made with the key; null when the integration never used it. */
  successRate: number | null;
}

export async function usageCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "usage",
    argv,
    { file: { type: "string", short: "f" }, workspace: { type: "string", multiple: true }, json: { type: "boolean" } },
    { min: 0, max: 1000 },
  );
  if (values.help) {
    io.stdout.write(`${HELP.usage}\n`);
    return 0;
  }
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const workspaces = stringList(values.workspace);
  const ids = positionals.flatMap((p) => stringList(p));
  const desired = await loadDesired(io, { file, workspaces, targets: ids, requireEnv: true, targetLabel: "usage" });
  const clients = clientsFromEnv(io.env);
  const selected = selectedWorkspaces(desired, workspaces);
  const live = await read(selected.map(connectionOf), { clients });
  const now = serverNowOf(live).getTime();
  const rows: UsageRow[] = [];
  for (const [index, workspace] of selected.entries()) {
    const wanted = new Set(workspace.keys.map((k) => k.id).filter((id) => ids.length === 0 || ids.includes(id)));
    const client = clients(connectionOf(workspace));
    for (const key of live.workspaces[index]?.keys ?? []) {
      const { marker } = splitDescription(key.description);
      if (!marker || !wanted.has(marker.entryId)) continue;
      const usage = await usageOf(client, key.id, workspace);
      const use = integrationUse(usage);
      rows.push({
        workspace: workspace.name,
        id: marker.entryId,
        keyId: key.id,
        generation: marker.generation,
        status: key.status,
        // The server clock comes from a Date header (whole seconds): a key made this second can look younger than 0.
        ageDays: Math.max(0, Math.floor((now - Date.parse(key.created_at)) / 86_400_000)),
        lastUsedAt: use.lastUsedAt,
        requests: use.requests,
        selfRequests: use.selfRequests,
        successRate: use.requests === 0 ? null : usage.success_rate,
      });
    }
  }
  rows.sort(
    (a, b) => a.workspace.localeCompare(b.workspace) || a.id.localeCompare(b.id) || b.generation - a.generation,
  );
  if (values.json) io.stdout.write(`${JSON.stringify({ keys: rows }, null, 2)}\n`);
  else io.stdout.write(`${table(rows, now)}\n`);
  return 0;
}

async function usageOf(client: TimelyClient, keyId: string, workspace: { name: string; tokenEnv: string }) {
  try {
    return await client.apiKeys.usage(keyId);
  } catch (error) {
    throw asTokenError(error, workspace) ?? error;
  }
}

function table(rows: UsageRow[], now: number): string {
  if (rows.length === 0) return "No managed keys found.";
  const header = ["WORKSPACE", "ID", "GEN", "KEY ID", "STATUS", "AGE", "LAST USED", "REQUESTS", "SELF", "SUCCESS"];
  const body = rows.map((r) => [
    r.workspace,
    r.id,
    `#${r.generation}`,
    r.keyId,
    r.status,
    `${r.ageDays}d`,
    r.lastUsedAt ? ago(now - Date.parse(r.lastUsedAt)) : "never",
    String(r.requests),
    String(r.selfRequests),
    r.successRate === null ? "-" : `${(r.successRate * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

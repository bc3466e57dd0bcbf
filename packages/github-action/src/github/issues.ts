// One GitHub issue per failing entry or drifted workspace, found again by a hidden marker in its
// body: opened when a group starts failing, updated while it fails, closed (with a comment) once a
// check that covered it passes. Which groups fail is the library's decision (failingGroups); this is
// only the GitHub plumbing.
import { renderGroupIssue, type FindingGroup } from "@timely-keys/provisioner";
import type { GitHubApi, Repo } from "./rest.js";

export const ISSUE_LABEL = "timely-keys";

interface Issue {
  number: number;
  body?: string | null;
  title: string;
  pull_request?: unknown;
}

export interface IssueSync {
  opened: number[];
  updated: number[];
  closed: number[];
}

/** The hidden marker: which manifest and which group an issue tracks. */
export function issueMarker(manifest: string, groupId: string): string {
  return `<!-- timely-keys-issue manifest=${encodeURIComponent(manifest)} id=${encodeURIComponent(groupId)} -->`;
}

function markerOf(body: string | null | undefined): { manifest: string; id: string } | undefined {
  const match = /<!-- timely-keys-issue manifest=(\S+) id=(\S+) -->/.exec(body ?? "");
  if (!match) return undefined;
  try {
    return { manifest: decodeURIComponent(match[1]!), id: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

export async function syncIssues(
  api: GitHubApi,
  repo: Repo,
  manifest: string,
  groups: readonly FindingGroup[],
  checked: ReadonlySet<string>,
  runUrl: string | undefined,
): Promise<IssueSync> {
  const base = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/issues`;
  const open = (await api.paginate<Issue>(`${base}?state=open&labels=${ISSUE_LABEL}&per_page=100`)).filter(
    (i) => i.pull_request === undefined,
  );
  const tracked = new Map<string, Issue>();
  for (const issue of open) {
    const marker = markerOf(issue.body);
    if (marker?.manifest === manifest && !tracked.has(marker.id)) tracked.set(marker.id, issue);
  }
  const result: IssueSync = { opened: [], updated: [], closed: [] };
  for (const group of groups) {
    const { title, body: text } = renderGroupIssue(group);
    const lastSeen = runUrl ? `\n\nLast seen by [this run](${runUrl}).` : "";
    const body = `${issueMarker(manifest, group.id)}\n${text}${lastSeen}`;
    const existing = tracked.get(group.id);
    if (existing === undefined) {
      const created = await api.request<Issue>("POST", base, { title, body, labels: [ISSUE_LABEL] });
      result.opened.push(created.number);
    } else if (existing.body !== body || existing.title !== title) {
      await api.request<Issue>("PATCH", `${base}/${existing.number}`, { title, body });
      result.updated.push(existing.number);
    }
  }
  const failing = new Set(groups.map((g) => g.id));
  for (const [id, issue] of tracked) {
    // Only what this run looked at can have recovered (a --target run says nothing about the rest).
    if (failing.has(id) || !checked.has(id)) continue;
    await api.request("POST", `${base}/${issue.number}/comments`, {
      body:
        `timely-keys check passes for this ${id.startsWith("drift:") ? "workspace" : "key"} ` +
        `now${runUrl ? ` ([run](${runUrl}))` : ""}: closing.`,
    });
    await api.request("PATCH", `${base}/${issue.number}`, { state: "closed", state_reason: "completed" });
    result.closed.push(issue.number);
  }
  return result;
}

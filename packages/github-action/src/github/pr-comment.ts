// plan on a pull request: one comment per manifest, updated in place on every push (found again by
// a hidden marker). A plan longer than a comment may be (65,536 characters) is in the job summary;
// the comment then says so, with the plan's summary line and a link to the run.
import type { GitHubApi, Repo } from "./rest.js";

/** GitHub refuses an issue or pull request comment body longer than this (characters). */
export const COMMENT_MAX_CHARS = 65_536;

interface Comment {
  id: number;
  body?: string | null;
}

export function commentMarker(manifest: string): string {
  return `<!-- timely-keys-plan manifest=${encodeURIComponent(manifest)} -->`;
}

export interface PlanComment {
  id: number;
  action: "created" | "updated" | "unchanged";
  /** True when the plan did not fit and the comment points at the job summary. */
  fallback: boolean;
}

export async function upsertPlanComment(
  api: GitHubApi,
  repo: Repo,
  pullNumber: number,
  manifest: string,
  plan: { markdown: string; summaryLine: string },
  runUrl: string | undefined,
): Promise<PlanComment> {
  const marker = commentMarker(manifest);
  let body = `${marker}\n${plan.markdown}`;
  let fallback = false;
  if (body.length > COMMENT_MAX_CHARS) {
    fallback = true;
    body = [
      marker,
      `## timely-keys plan: \`${manifest}\``,
      "",
      `**${plan.summaryLine}**`,
      "",
      `The whole plan is ${plan.markdown.length.toLocaleString("en-US")} characters, more than a comment holds ` +
        `(${COMMENT_MAX_CHARS.toLocaleString("en-US")}): it is in the job ` +
        `summary${runUrl ? ` of [this run](${runUrl})` : ""}.`,
    ].join("\n");
  }
  const base = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/issues`;
  const comments = await api.paginate<Comment>(`${base}/${pullNumber}/comments?per_page=100`);
  const mine = comments.find((c) => (c.body ?? "").startsWith(marker));
  if (mine === undefined) {
    const created = await api.request<Comment>("POST", `${base}/${pullNumber}/comments`, { body });
    return { id: created.id, action: "created", fallback };
  }
  if (mine.body === body) return { id: mine.id, action: "unchanged", fallback };
  await api.request<Comment>("PATCH", `${base}/comments/${mine.id}`, { body });
  return { id: mine.id, action: "updated", fallback };
}

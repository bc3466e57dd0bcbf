// timely-keys' own requests made with a managed key (the verification of a new key) carry this
// User-Agent prefix; the API's usage statistics record it per request (recent_activity.user_agent),
// so `usage` can count them apart from the integration's own use.
import type { KeyUsage } from "@timely-keys/sdk";

/** Prepended to the SDK's User-Agent by the client that verifies a new key. */
export const VERIFY_USER_AGENT = "timely-keys-verify/1";

export interface IntegrationUse {
  /** Requests the integration made (total minus timely-keys' own). */
  requests: number;
  /** Requests timely-keys made to verify the key. */
  selfRequests: number;
  /** The integration's last request; null when it never made one. */
  lastUsedAt: string | null;
}

export function integrationUse(
  usage: Pick<KeyUsage, "total_requests" | "last_used_at" | "recent_activity">,
): IntegrationUse {
  const isSelf = (r: { user_agent?: string | null }) => (r.user_agent ?? "").startsWith(VERIFY_USER_AGENT);
  const selfRequests = usage.recent_activity.filter(isSelf).length;
  const requests = Math.max(0, usage.total_requests - selfRequests);
  if (requests === 0) return { requests, selfRequests, lastUsedAt: null };
  // recent_activity is newest first; past its 50 entries the API's last_used_at is the best there is.
  const latest = usage.recent_activity.find((r) => !isSelf(r));
  return { requests, selfRequests, lastUsedAt: latest?.timestamp ?? usage.last_used_at };
}

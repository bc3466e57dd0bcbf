// Where notifications may go: the same rule as the API's origin. HTTPS anywhere; plain http only to
// a loopback host (a local receiver, the tests). A redirect is never followed (send.ts).
// TODO(security, issue 12): when the shared origin rules (with the operator's allow-list) land,
// call them here instead; this function is the one place that decides.
export function notifyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.username !== "" || parsed.password !== "") return "must not carry a user name or password";
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && isLoopback(parsed.hostname)) return undefined;
  return "must be https:// (plain http:// only to a loopback address)";
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

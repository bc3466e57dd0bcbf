// Where notifications may go: the transport rule every credentialed URL follows (the SDK's
// `isSecureOrigin`: HTTPS anywhere, plain http only to a loopback host). A redirect is never
// followed (send.ts). Unlike `apiUrl`, a notification URL needs no operator allow-list: it receives
// no token or secret, only key names, ids and findings (docs/security.md lists this as accepted).
import { isSecureOrigin } from "@timely-keys/sdk";

export function notifyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.username !== "" || parsed.password !== "") return "must not carry a user name or password";
  if (isSecureOrigin(url)) return undefined;
  return "must be https:// (plain http:// only to a loopback address)";
}

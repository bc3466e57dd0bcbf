// How keys and their attributes read in a plan, and the description timely-keys writes on a
// current key (user text + marker, with the hash of what it wrote).
import type { ApiKey } from "@timely-keys/sdk";
import type { SinkConfig } from "../deliver/config.js";
import type { DesiredKey } from "../desired.js";
import { fittedText, markerHash, withMarker, type Marker } from "../marker.js";
import { DAY, ms } from "./time.js";

/** The description of a current key: the marker's hash covers the name and the text as written. */
export function currentDescription(
  name: string,
  text: string,
  base: Omit<Marker, "hash">,
): { marker: Marker; description: string } {
  // The hash has a fixed width, so any value gives the room left for the text.
  const marker = withHash(base, "0000");
  marker.hash = markerHash(name, fittedText(text, marker));
  return { marker, description: withMarker(text, marker) };
}

/** `{ ...base, hash }`: the marker of one managed key, its own object (base is shared). */
function withHash(base: Omit<Marker, "hash">, hash: string): Marker {
  const source = base as Readonly<Record<string, unknown>>;
  const marker: Record<string, unknown> = {};
  for (const key of Object.keys(source)) marker[key] = source[key];
  marker.hash = hash;
  return marker as unknown as Marker;
}

/** A key's lifetime in whole days (expires_at - created_at), or null when it never expires. */
export function lifetimeDays(key: ApiKey): number | null {
  if (key.expires_at === null || key.expires_at === undefined) return null;
  const days = (ms(key.expires_at) - ms(key.created_at)) / DAY;
  return Number.isFinite(days) ? Math.round(days) : Number.NaN;
}

export function expiryOfKey(key: ApiKey): string {
  const days = lifetimeDays(key);
  if (days === null) return "never";
  const until = key.expires_at ? ` (until ${key.expires_at.slice(0, 10)})` : "";
  return Number.isFinite(days) ? `${days} days${until}` : `unknown${until}`;
}

export function expiryOfEntry(entry: DesiredKey): string {
  return entry.expiresInDays === null ? "never" : `${entry.expiresInDays} days`;
}

export function expiryChanged(key: ApiKey, entry: DesiredKey): boolean {
  const days = lifetimeDays(key);
  if (days === null || entry.expiresInDays === null) return days !== entry.expiresInDays;
  return !(Math.abs(days - entry.expiresInDays) < 1);
}

/** `#3 tml_ab12... (uuid)` */
export function keyRef(key: ApiKey, generation?: number): string {
  const gen = generation === undefined ? "" : `#${generation} `;
  return `${gen}${key.prefix} (${key.id})`;
}

export function quoted(text: string): string {
  return JSON.stringify(text);
}

/** A short, secret-free label of a sink for the plan: where the secret goes. */
export function sinkLabel(sink: SinkConfig): string {
  switch (sink.type) {
    case "file":
      return `file ${sink.path}`;
    case "exec":
      return `exec ${sink.command[0] ?? ""}`;
    case "githubSecret": {
      const where = sink.organization ? `org ${sink.organization}` : (sink.repository ?? "");
      return `githubSecret ${where}${sink.environment ? ` env ${sink.environment}` : ""} ${sink.secretName}`;
    }
    case "awsSecretsManager":
      return `awsSecretsManager ${sink.secretId}${sink.key ? `#${sink.key}` : ""}`;
    case "vault":
      return `vault ${sink.mount ?? "secret"}/${sink.path}${sink.field ? `#${sink.field}` : ""}`;
    case "onePassword":
      return `onePassword ${sink.vault}/${sink.item}`;
  }
}

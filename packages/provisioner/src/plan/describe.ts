// What a plan shows of keys and their attributes, as data (render/attributes.ts writes the words),
// and the description timely-keys writes on a current key (user text + marker, with the hash of
// what it wrote).
import type { ApiKey } from "@timely-keys/sdk";
import type { SinkConfig } from "../deliver/config.js";
import type { DesiredKey } from "../desired.js";
import type { Expiry, SinkRef } from "../model.js";
import { withHashedMarker, type Marker } from "../marker.js";
import { DAY, ms } from "./time.js";

/** The description of a current key: the marker's hash covers the name and the text as written. */
export function currentDescription(
  name: string,
  text: string,
  base: Omit<Marker, "hash">,
): { marker: Marker; description: string } {
  const marker = withHash(base, "");
  return { marker, description: withHashedMarker(name, text, marker) };
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

/** The lifetime a live key has (render/attributes.ts writes it: `90 days (until 2027-03-01)`). */
export function keyExpiry(key: ApiKey): Expiry {
  const days = lifetimeDays(key);
  if (days === null) return { days };
  return { days: Number.isFinite(days) ? days : "unknown", ...(key.expires_at ? { until: key.expires_at } : {}) };
}

/** The lifetime the manifest asks of an entry's keys. */
export function entryExpiry(entry: DesiredKey): Expiry {
  return { days: entry.expiresInDays };
}

export function expiryChanged(key: ApiKey, entry: DesiredKey): boolean {
  const days = lifetimeDays(key);
  if (days === null || entry.expiresInDays === null) return days !== entry.expiresInDays;
  return !(Math.abs(days - entry.expiresInDays) < 1);
}

/** Where a sink puts the secret, without its credentials or settings (the plan shows it). */
export function sinkRef(sink: SinkConfig): SinkRef {
  switch (sink.type) {
    case "file":
      return { type: "file", path: sink.path };
    case "exec":
      return { type: "exec", program: sink.command[0] ?? "" };
    case "githubSecret":
      return {
        type: "githubSecret",
        ...(sink.organization ? { organization: sink.organization } : {}),
        ...(sink.repository ? { repository: sink.repository } : {}),
        ...(sink.environment ? { environment: sink.environment } : {}),
        secretName: sink.secretName,
      };
    case "awsSecretsManager":
      return { type: "awsSecretsManager", secretId: sink.secretId, ...(sink.key ? { key: sink.key } : {}) };
    case "vault":
      return {
        type: "vault",
        ...(sink.mount !== undefined ? { mount: sink.mount } : {}),
        path: sink.path,
        ...(sink.field ? { field: sink.field } : {}),
      };
    case "onePassword":
      return { type: "onePassword", vault: sink.vault, item: sink.item };
  }
}

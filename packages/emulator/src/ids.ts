import { createHash, randomUUID } from "node:crypto";

export function newId(): string {
  return randomUUID();
}

/**
 * A stable UUID (version 5 layout, SHA-1 of namespace + name) so seeded workspaces, members and
 * demo data keep their ids across restarts and resets.
 */
export function stableId(...parts: string[]): string {
  const hash = createHash("sha1")
    .update(`timely-emulator\u0000${parts.join("\u0000")}`)
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

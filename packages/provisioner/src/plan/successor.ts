// The spec of a new key for an entry: create body, idempotency key, the markers of each delivery
// phase and what verify must see. The key is created already `delivering 0/n`: it costs no request to
// mark it before the first sink, and a key no sink may hold is revoked by the run that made it (or,
// after a crash, drained like a previous key), so the marker never has to say "no sink has it".
import { createHash } from "node:crypto";
import type { DesiredKey } from "../desired.js";
import { withMarker, type Marker } from "../marker.js";
import type { SuccessorSpec } from "../model.js";
import { currentDescription } from "./describe.js";

const MAX_IDEMPOTENCY_KEY = 255;

/**
 * `tk:<workspace>:<entry>:<generation>`: two runs that plan the same successor send the same key and
 * the same body, so the API replays the first answer and both converge on one key.
 */
export function idempotencyKey(workspace: string, entryId: string, generation: number): string {
  const key = `tk:${workspace}:${entryId}:${generation}`;
  if (key.length <= MAX_IDEMPOTENCY_KEY) return key;
  return `tk:sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

export interface SuccessorInput {
  workspace: string;
  workspaceId: string | null;
  entry: DesiredKey;
  generation: number;
  /** Plan time in unix seconds: the promote time written on the new current key. */
  promotedAt: number;
}

export function successorSpec(input: SuccessorInput): SuccessorSpec {
  const { entry, generation } = input;
  const delivering: Marker = {
    entryId: entry.id,
    generation,
    phase: "delivering",
    progress: { done: 0, total: entry.deliver.length },
  };
  const current = currentDescription(entry.name, entry.description, {
    entryId: entry.id,
    generation,
    phase: "current",
    promotedAt: input.promotedAt,
    ...(entry.protect ? { protect: true } : {}),
  });
  const deliveringDescription = withMarker(entry.description, delivering);
  return {
    generation,
    idempotencyKey: idempotencyKey(input.workspace, entry.id, generation),
    create: {
      name: entry.name,
      description: deliveringDescription,
      scopes: [...entry.scopes],
      expires_in_days: entry.expiresInDays,
    },
    userDescription: entry.description,
    markers: { delivering, current: current.marker },
    descriptions: { delivering: deliveringDescription, current: current.description },
    sinks: entry.deliver.map((sink) => ({ ...sink })),
    verify: { keyName: entry.name, scopes: [...entry.scopes], workspaceId: input.workspaceId },
    ...((entry.verify?.length ?? 0) + (entry.afterDeliver?.length ?? 0) > 0
      ? {
          probes: {
            afterDeliver: structuredClone(entry.afterDeliver ?? []),
            verify: structuredClone(entry.verify ?? []),
          },
        }
      : {}),
  };
}

/**
 * The same successor at another generation. The executor uses it when a replayed create answers
 * with a key that has since been revoked: that generation is spent, the next one is not.
 */
export function successorForGeneration(spec: SuccessorSpec, workspace: string, generation: number): SuccessorSpec {
  const retag = (marker: Marker): Marker => ({ ...marker, generation });
  const delivering = retag(spec.markers.delivering);
  const { hash: _hash, ...currentBase } = retag(spec.markers.current);
  const current = currentDescription(spec.create.name, spec.userDescription, currentBase);
  const deliveringDescription = withMarker(spec.userDescription, delivering);
  return {
    ...spec,
    generation,
    idempotencyKey: idempotencyKey(workspace, spec.markers.current.entryId, generation),
    create: { ...spec.create, description: deliveringDescription },
    markers: { delivering, current: current.marker },
    descriptions: { delivering: deliveringDescription, current: current.description },
  };
}

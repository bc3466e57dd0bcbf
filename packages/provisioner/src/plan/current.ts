// The current key of an entry against the manifest: enabled or not, and its name and description
// (the user's text plus the marker timely-keys keeps on it).
import type { DesiredKey } from "../desired.js";
import { formatMarker, markerHash, stripMarker, type Marker } from "../marker.js";
import type { AttributeChange, KeyAction, KeyOperation, Reason } from "../model.js";
import { keyRefs, planAction } from "./action.js";
import type { WorkspaceContext } from "./context.js";
import { currentDescription } from "./describe.js";
import { isActive, type MarkedKey } from "./keys.js";

/** The marker a current key should carry, before its hash. */
export function wantedCurrentMarker(entry: DesiredKey, current: MarkedKey): Omit<Marker, "hash"> {
  // Field by field (one per managed key each plan), in the order the marker lists them.
  const marker: Omit<Marker, "hash"> = { entryId: entry.id, generation: current.marker.generation, phase: "current" };
  if (current.marker.promotedAt !== undefined) marker.promotedAt = current.marker.promotedAt;
  if (entry.protect) marker.protect = true;
  if (!entry.enabled) marker.off = true;
  // A compromise stays on record until the key is retired.
  if (current.marker.compromised !== undefined) marker.compromised = current.marker.compromised;
  return marker;
}

/**
 * Actions that bring the current key's status, name and description to the manifest. With
 * `statusOnly` (a rotation replaces the key in this plan) its name and description are left alone.
 */
export function planCurrentKey(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  statusOnly: boolean,
): readonly KeyAction[] {
  const key = current.key;
  // A compromised key is never re-activated: it was deactivated on purpose (--revoke-first).
  const toggle = entry.enabled !== isActive(key) && !(current.marker.compromised !== undefined && !isActive(key));
  if (statusOnly) return toggle ? [statusAction(ctx, entry, current, null)] : NO_ACTIONS;

  const base = wantedCurrentMarker(entry, current);
  const wanted = currentDescription(entry.name, entry.description, base);
  const nameDiffers = key.name !== entry.name;
  const descriptionDiffers = key.description !== wanted.description;
  // Is the `off` flag the only difference? Then the status change carries the marker edit. (Only
  // worth writing that other description when this one differs.)
  const offOnly =
    !nameDiffers &&
    descriptionDiffers &&
    currentDescription(entry.name, entry.description, { ...base, off: current.marker.off }).description ===
      key.description;

  // A key as the manifest wants it (nearly all): no action, and no list made for none.
  if (!toggle && !nameDiffers && !descriptionDiffers) return NO_ACTIONS;
  const actions: KeyAction[] = [];
  if (toggle) actions.push(statusAction(ctx, entry, current, offOnly ? wanted.description : null));
  if ((!nameDiffers && !descriptionDiffers) || (toggle && offOnly)) return actions;

  const editedOutside = current.marker.hash !== undefined && current.marker.hash !== markerHash(key.name, current.text);
  const reason: Reason = editedOutside ? "edited_outside" : offOnly ? "enabled_changed" : "manifest_changed";
  const body: { name?: string; description?: string } = {};
  if (nameDiffers) body.name = entry.name;
  if (descriptionDiffers) body.description = wanted.description;
  const attributes: AttributeChange[] = [];
  if (nameDiffers) attributes.push({ name: "name", before: key.name, after: entry.name });
  const wantedText = stripMarker(wanted.description);
  if (current.text !== wantedText) {
    attributes.push({ name: "description", before: current.text, after: wantedText });
  }
  // The hash follows the name and text: the marker is worth showing only when a flag changes
  // (or when nothing else would show why the description is rewritten).
  const flags = (marker: Marker) => formatMarker({ ...marker, hash: undefined });
  if (descriptionDiffers && (flags(current.marker) !== flags(wanted.marker) || attributes.length === 0)) {
    attributes.push({ name: "marker", before: formatMarker(current.marker), after: formatMarker(wanted.marker) });
  }
  actions.push(
    planAction<KeyAction>(
      "update",
      keyRefs(ctx, entry, current),
      reason,
      { say: "update", name: key.name },
      { attributes, operations: [{ op: "update", keyId: key.id, body }] },
    ),
  );
  return actions;
}

const NO_ACTIONS: readonly KeyAction[] = Object.freeze([]);

/** Enable or disable the current key; `description`: the marker edit it carries (the `off` flag only), if any. */
function statusAction(
  ctx: WorkspaceContext,
  entry: DesiredKey,
  current: MarkedKey,
  description: string | null,
): KeyAction {
  const key = current.key;
  const enable = entry.enabled;
  // `off` says timely-keys deactivated the key for the manifest; without it, someone else did.
  const reason: Reason = enable === Boolean(current.marker.off) ? "enabled_changed" : "edited_outside";
  const operations: KeyOperation[] = [{ op: enable ? "activate" : "deactivate", keyId: key.id }];
  if (description !== null) operations.push({ op: "update", keyId: key.id, body: { description } });
  return planAction<KeyAction>(
    enable ? "enable" : "disable",
    keyRefs(ctx, entry, current),
    reason,
    { say: "status", name: key.name },
    { attributes: [{ name: "status", before: key.status, after: enable ? "active" : "inactive" }], operations },
  );
}

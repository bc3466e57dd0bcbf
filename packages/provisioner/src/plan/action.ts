// The one builder of plan actions: every rule states the kind, which key, the reason and the facts
// its words are made of; the builder fills what follows from those (`reasons`, `mutates`, empty
// attributes and operations) and leaves out absent fields, so a plan survives a JSON round trip
// unchanged.
import {
  informationalKinds,
  type ActionBase,
  type ActionFacts,
  type ActionKind,
  type PlanAction,
  type Reason,
} from "../model.js";
import type { DesiredKey } from "../desired.js";
import type { WorkspaceContext } from "./context.js";
import type { MarkedKey } from "./keys.js";

/** Which key an action is about. */
export interface KeyRefs {
  workspace: string;
  entryId?: string;
  keyId?: string;
  keyName?: string;
  generation?: number;
}

const INFORMATIONAL: ReadonlySet<ActionKind> = new Set(informationalKinds);

type Optional = "reasons" | "attributes" | "operations" | "until" | "warning";

/** The fields of an action of kind A the builder does not fill: the kind's own, and the optional common ones. */
export type ActionDetails<A extends PlanAction> = Omit<A, keyof ActionBase | "kind"> &
  Partial<Pick<ActionBase, Optional>>;

export function planAction<A extends PlanAction>(
  kind: A["kind"],
  refs: KeyRefs,
  reason: Reason,
  facts: ActionFacts,
  details: ActionDetails<A>,
): A {
  // Written field by field in the plan's order: a plan builds one action per key, and an object
  // grown by spreads is slower to build and to read.
  const action: Record<string, unknown> = { kind, workspace: refs.workspace };
  if (refs.entryId !== undefined) action.entryId = refs.entryId;
  if (refs.keyId !== undefined) action.keyId = refs.keyId;
  if (refs.keyName !== undefined) action.keyName = refs.keyName;
  if (refs.generation !== undefined) action.generation = refs.generation;
  action.reason = reason;
  action.reasons = details.reasons ?? [reason];
  action.facts = facts;
  const operation = (details as { operation?: string }).operation;
  action.mutates = !INFORMATIONAL.has(kind) && !(kind === "drift" && operation === "report");
  action.attributes = details.attributes ?? [];
  action.operations = details.operations ?? [];
  const extra = details as Record<string, unknown>;
  for (const key in extra) {
    if (key === "reasons" || key === "attributes" || key === "operations") continue;
    if (extra[key] !== undefined) action[key] = extra[key];
  }
  return action as unknown as A;
}

/** A key of an entry, as an action names it. */
export function keyRefs(ctx: WorkspaceContext, entry: DesiredKey, key: MarkedKey): KeyRefs {
  return {
    workspace: ctx.workspace,
    entryId: entry.id,
    keyId: key.key.id,
    keyName: key.key.name,
    generation: key.marker.generation,
  };
}

// The plan as versioned JSON (docs/plan-format.md): the Plan object itself, keys in a fixed
// documented order per object, so equal plans render byte for byte the same and a saved plan
// diffs cleanly.
import type { Plan, PlanAction, PlanWorkspace } from "../model.js";
import { attributeWords } from "./attributes.js";
import { redactingReplacer } from "./redact.js";
import { actionsByEntry, actionSummary, actionWarning, entryDetail, warningText } from "./words.js";

interface Shape {
  /** Keys first, in this order; any other key follows, alphabetically. */
  keys: string[];
  /** The shape of a property's value (or of each item, for arrays). */
  children?: Record<string, string>;
}

const SHAPES: Record<string, Shape> = {
  plan: {
    keys: ["format_version", "generated_at", "manifest", "options", "changes", "summary", "warnings", "workspaces"],
    children: { options: "options", summary: "summary", warnings: "warning", workspaces: "workspace" },
  },
  options: { keys: ["targets", "workspaces", "forceRotate", "rollback", "inFlightLeaseSeconds"] },
  summary: { keys: ["create", "update", "replace", "rotate", "retire", "drift", "noop"] },
  warning: { keys: ["workspace", "entryId", "keyId", "message"] },
  workspace: {
    keys: ["name", "tokenEnv", "apiUrl", "serverNow", "fingerprint", "actions", "entries"],
    children: { actions: "action", entries: "entry" },
  },
  action: {
    keys: [
      "kind",
      "workspace",
      "entryId",
      "keyId",
      "keyName",
      "generation",
      "reason",
      "reasons",
      "summary",
      "mutates",
      "replace",
      "operation",
      "currentKeyId",
      "until",
      "warning",
      "attributes",
      "operations",
      "successor",
      "emergency",
      "dueAt",
    ],
    children: { attributes: "attribute", operations: "operation", successor: "successor" },
  },
  attribute: { keys: ["name", "before", "after", "forcesReplacement"] },
  operation: { keys: ["op", "keyId", "body"], children: { body: "body" } },
  body: { keys: ["name", "description"] },
  successor: {
    keys: [
      "generation",
      "idempotencyKey",
      "create",
      "userDescription",
      "markers",
      "descriptions",
      "sinks",
      "verify",
      "probes",
    ],
    children: { create: "create", markers: "markers", descriptions: "descriptions", sinks: "sink", verify: "verify" },
  },
  create: { keys: ["name", "description", "scopes", "expires_in_days"] },
  markers: {
    keys: ["delivering", "current"],
    children: { delivering: "marker", current: "marker" },
  },
  marker: {
    keys: [
      "entryId",
      "generation",
      "phase",
      "progress",
      "failed",
      "promotedAt",
      "holdFor",
      "protect",
      "off",
      "compromised",
      "hash",
    ],
    children: { progress: "progress" },
  },
  progress: { keys: ["done", "total"] },
  descriptions: { keys: ["delivering", "current"] },
  sink: { keys: ["type"] },
  verify: { keys: ["keyName", "scopes", "workspaceId"] },
  entry: {
    keys: [
      "entryId",
      "name",
      "phase",
      "step",
      "nextAt",
      "nextRotationAt",
      "generation",
      "currentKeyId",
      "detail",
      "unrotatable",
    ],
  },
};

function ordered(value: unknown, shapeName: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shapeName));
  if (value === null || typeof value !== "object") return value;
  const shape = shapeName === undefined ? undefined : SHAPES[shapeName];
  const rank = (key: string) => {
    const index = shape?.keys.indexOf(key) ?? -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  let entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  // An action's facts become its words here, not in a copy of each action: a plan can hold 100,000.
  if (shapeName === "action") entries = actionEntriesInWords(value as PlanAction, entries);
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, v]) => [key, ordered(v, shape?.children?.[key])]));
}

/** Pretty JSON (2 spaces), no trailing newline. */
export function renderJson(plan: Plan): string {
  return JSON.stringify(ordered(inWords(plan), "plan"), redactingReplacer, 2);
}

/**
 * The plan as the JSON format writes it: each fact structure replaced by its words (an action's
 * `summary` and `warning`, an entry's `detail`, a warning's `message`; an action's attributes by
 * their words, render/attributes.ts).
 */
function inWords(plan: Plan): unknown {
  return {
    ...plan,
    warnings: plan.warnings.map((warning) => {
      const { facts: _facts, ...rest } = warning;
      return { ...rest, message: warningText(warning) };
    }),
    workspaces: plan.workspaces.map(workspaceInWords),
  };
}

function workspaceInWords(ws: PlanWorkspace): unknown {
  const byEntry = actionsByEntry(ws.actions);
  return {
    ...ws,
    entries: ws.entries.map((state) => {
      const { facts: _facts, ...rest } = state;
      return { ...rest, detail: entryDetail(state, byEntry.get(state.entryId) ?? []) };
    }),
  };
}

function actionEntriesInWords(action: PlanAction, entries: [string, unknown][]): [string, unknown][] {
  const out = entries.filter(([key]) => key !== "facts" && key !== "warning" && key !== "attributes");
  out.push(["attributes", action.attributes.map(attributeWords)]);
  out.push(["summary", actionSummary(action)]);
  const warning = actionWarning(action);
  if (warning !== undefined) out.push(["warning", warning]);
  return out;
}

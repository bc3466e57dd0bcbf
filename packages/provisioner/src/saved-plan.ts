// A plan saved with `plan --out`: the plan itself plus a digest of its content, so an edited file is
// refused; the fingerprint of each workspace's live state inside it makes a stale plan refused too.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Desired } from "./desired.js";
import { UserError } from "./errors.js";
import type { Plan, SuccessorSpec } from "./model.js";
import { renderJson } from "./render.js";
import { normaliseUrl } from "./validate/origin-rules.js";

const MAX_PLAN_BYTES = 16 * 1024 * 1024;

export function digestOf(planJson: string): string {
  return `sha256:${createHash("sha256").update(planJson, "utf8").digest("hex")}`;
}

/** The saved-plan file's text: `{"digest": ..., "plan": {...}}`. */
export function serializeSavedPlan(plan: Plan): string {
  const planJson = renderJson(plan);
  const digest = JSON.stringify(digestOf(JSON.stringify(JSON.parse(planJson))));
  return `{"kind":"timely-keys-saved-plan","digest":${digest},"plan":${planJson}}\n`;
}

export async function readSavedPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_PLAN_BYTES) throw new UserError(`${file}: too large for a saved plan`);
    text = bytes.toString("utf8");
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `${file}: cannot read the saved plan (${
        code === "ENOENT"
          ? "no such file"
          : code === "EISDIR"
            ? "is a directory"
            : code === "EACCES"
              ? "permission denied"
              : (code ?? "unreadable")
      })`,
    );
  }
  return parseSavedPlan(text, file);
}

export function parseSavedPlan(text: string, file: string): Plan {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not a saved plan (invalid JSON)`);
  }
  if (
    !isRecord(document) ||
    document.kind !== "timely-keys-saved-plan" ||
    !isRecord(document.plan) ||
    typeof document.digest !== "string"
  ) {
    throw new UserError(`${file}: not a saved plan (write one with 'timely-keys plan --out ${file}')`);
  }
  const plan = document.plan;
  // Version 1 differs only in its successors (a `pending` marker and description, and the create
  // written with it): the executor still knows how to finish such a create, so those plans apply.
  if (plan.format_version !== 1 && plan.format_version !== 2)
    throw new UserError(
      `${file}: saved plan format_version ${JSON.stringify(plan.format_version)} is not supported (expected 1 or 2)`,
    );
  if (digestOf(JSON.stringify(plan)) !== document.digest) {
    throw new UserError(
      `${file}: the saved plan was modified after it was written (digest mismatch); ` +
        "make a new one with 'timely-keys plan --out'",
    );
  }
  if (!Array.isArray(plan.workspaces) || typeof plan.manifest !== "string")
    throw new UserError(`${file}: saved plan is missing its workspaces or manifest`);
  return withSavedWords(plan);
}

/**
 * A saved plan holds words, not the facts they were made of: each action, entry
 * and warning gets them back as `saved` facts (and each attribute is marked `saved`), so apply
 * shows the words the plan was approved with and a saved plan written again is the same file.
 */
function withSavedWords(plan: Record<string, unknown>): Plan {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const records = (value: unknown) => (Array.isArray(value) ? value.filter(isRecord) : []);
  for (const warning of records(plan.warnings)) {
    warning.facts = { code: "saved", message: text(warning.message) };
    delete warning.message;
  }
  for (const ws of records(plan.workspaces)) {
    for (const action of records(ws.actions)) {
      action.facts = {
        say: "saved",
        summary: text(action.summary),
        ...(action.warning !== undefined ? { warning: text(action.warning) } : {}),
      };
      delete action.summary;
      delete action.warning;
      // Its attributes are words too (`"CRM sync"`, `90 days`), not the values they were written from.
      for (const attribute of records(action.attributes)) attribute.saved = true;
    }
    for (const entry of records(ws.entries)) {
      entry.facts = { say: "saved", detail: text(entry.detail) };
      delete entry.detail;
    }
  }
  return plan as unknown as Plan;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A saved plan carries nothing the manifest does not: every workspace's tokenEnv and apiUrl, and
 * every sink of every key it would create (exec argv, file paths, URLs), must equal the current
 * manifest's (the one the plan names). The digest only proves the file is whole, not who wrote it:
 * anyone who can edit the file can recompute it. Throws a UserError naming the first difference.
 */
export function checkPlanAgainstManifest(plan: Plan, desired: Desired, file: string): void {
  const refuse = (what: string) =>
    new UserError(
      `${file}: ${what} are not the manifest's (${desired.file}); ` +
        "the saved plan was not applied and nothing was changed. " +
        "Make a new one with 'timely-keys plan --out'.",
    );
  if (plan.manifest !== desired.file) throw refuse(`the manifest path and contents (${plan.manifest})`);
  for (const workspace of plan.workspaces) {
    const declared = desired.workspaces.find((w) => w.name === workspace.name);
    if (declared === undefined) throw refuse(`the settings of workspace ${workspace.name} (it is not in the manifest)`);
    if (workspace.tokenEnv !== declared.tokenEnv) throw refuse(`the tokenEnv settings of workspace ${workspace.name}`);
    if (normaliseUrl(workspace.apiUrl ?? "") !== normaliseUrl(declared.apiUrl ?? ""))
      throw refuse(`the apiUrl settings of workspace ${workspace.name}`);
    for (const action of workspace.actions) {
      const successor = (action as { successor?: SuccessorSpec }).successor;
      if (successor === undefined) continue;
      const entry = declared.keys.find((key) => key.id === action.entryId);
      const label = `the sinks of key ${action.entryId ?? "?"} in workspace ${workspace.name}`;
      if (entry === undefined || canonical(successor.sinks) !== canonical(entry.deliver)) throw refuse(label);
    }
  }
}

/** JSON with sorted object keys, so equal configurations compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isRecord(item)
      ? Object.fromEntries(
          Object.keys(item)
            .sort()
            .map((k) => [k, item[k]]),
        )
      : item,
  );
}

// Policy lint: the API Keys guide's rules, checked on a schema-valid manifest. Findings carry
// their rule's default severity; validate() applies policy.rules afterwards.
import { sinkDestination } from "../deliver/destination.js";
import type { SinkConfig } from "../deliver/config.js";
import type { Desired } from "../desired.js";
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../load.js";
import { dirname, sep } from "node:path";
import { formatDuration } from "./duration.js";
import { finding } from "./finding.js";
import type { ManifestDocument, ManifestRotation } from "./manifest.js";
import type { PathSegment } from "./path.js";
import { mergeRotation } from "./build-desired.js";
import { quoteValue } from "./secret-shapes.js";

/** The guide: rotate every 90 days. */
const RECOMMENDED_MAX_AGE_DAYS = 90;

export function lintManifest(manifest: ManifestDocument, desired: Desired, loaded: LoadedDocument): Diagnostic[] {
  return [
    ...duplicateWorkspaces(manifest, loaded),
    ...duplicateKeys(manifest, loaded),
    ...expiryRules(manifest, desired, loaded),
    ...rotationRules(manifest, desired, loaded),
    ...sharedDestinations(manifest, loaded),
    ...entriesWithoutSinks(manifest, loaded),
    ...entriesWithoutAccess(manifest, loaded),
  ];
}

function lineOf(loaded: LoadedDocument, path: PathSegment[]): number {
  return loaded.positionOf(path).line;
}

function duplicateWorkspaces(manifest: ManifestDocument, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  const first = new Map<string, number>();
  manifest.workspaces.forEach((workspace, w) => {
    const earlier = first.get(workspace.name);
    if (earlier === undefined) first.set(workspace.name, w);
    else {
      found.push(
        finding(
          loaded,
          "duplicate-workspace",
          ["workspaces", w, "name"],
          `workspace ${quoteValue(workspace.name)} is already defined at line ` +
            `${lineOf(loaded, ["workspaces", earlier, "name"])}; list each workspace once`,
        ),
      );
    }
  });
  return found;
}

function duplicateKeys(manifest: ManifestDocument, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  manifest.workspaces.forEach((workspace, w) => {
    for (const field of ["id", "name"] as const) {
      const first = new Map<string, number>();
      workspace.keys.forEach((key, k) => {
        const value = field === "name" ? key.name.trim() : key.id;
        const earlier = first.get(value);
        if (earlier === undefined) {
          first.set(value, k);
          return;
        }
        const where = `line ${lineOf(loaded, ["workspaces", w, "keys", earlier, field])}`;
        found.push(
          finding(
            loaded,
            field === "id" ? "duplicate-id" : "duplicate-name",
            ["workspaces", w, "keys", k, field],
            `key ${field} ${quoteValue(value)} is already used in workspace ${quoteValue(workspace.name)} ` +
              `(${where}); ` +
              (field === "id"
                ? "ids link live keys to entries and must be unique"
                : "give each integration's key its own name"),
          ),
        );
      });
    }
  });
  return found;
}

function expiryRules(manifest: ManifestDocument, desired: Desired, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  const { requireExpiryFor, maxExpiresInDays } = desired.policy;
  manifest.workspaces.forEach((workspace, w) => {
    workspace.keys.forEach((key, k) => {
      const expiry = key.expiresInDays ?? null;
      if (expiry !== null && (maxExpiresInDays === null || expiry <= maxExpiresInDays)) return;
      // Most entries without an expiry need none: checked before building anything for a message.
      if (expiry === null && !requireExpiryFor.some((scope) => key.scopes.includes(scope))) return;
      const path = ["workspaces", w, "keys", k];
      const needing = expiry === null ? requireExpiryFor.filter((scope) => key.scopes.includes(scope)) : [];
      if (expiry === null && needing.length > 0) {
        const at = "expiresInDays" in key ? "expiresInDays" : "scopes";
        found.push(
          finding(
            loaded,
            "write-without-expiry",
            [...path, at],
            `key ${quoteValue(key.id)} has scope${needing.length > 1 ? "s" : ""} ` +
              `${needing.map((s) => `"${s}"`).join(", ")} but no expiresInDays; ` +
              `policy.requireExpiryFor needs an expiry for ${needing.join(", ")} (set expiresInDays, e.g. 90)`,
          ),
        );
      }
      if (expiry !== null && maxExpiresInDays !== null && expiry > maxExpiresInDays) {
        found.push(
          finding(
            loaded,
            "expiry-over-max",
            [...path, "expiresInDays"],
            `expiresInDays ${expiry} of key ${quoteValue(key.id)} is over policy.maxExpiresInDays ` +
              `(${maxExpiresInDays})`,
          ),
        );
      }
    });
  });
  return found;
}

/**
 * Checked where the settings are written: once for policy.rotation, and for each key that
 * overrides them, so an inherited problem is reported once, at the policy.
 */
function rotationRules(manifest: ManifestDocument, desired: Desired, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  const check = (written: ManifestRotation | undefined, path: PathSegment[], effective = desired.policy.rotation) => {
    if (!written) return;
    if (written.maxAgeDays !== undefined && written.maxAgeDays > RECOMMENDED_MAX_AGE_DAYS) {
      found.push(
        finding(
          loaded,
          "rotation-period-over-90-days",
          [...path, "maxAgeDays"],
          `rotation.maxAgeDays is ${written.maxAgeDays}: keys should rotate at least every ` +
            `${RECOMMENDED_MAX_AGE_DAYS} days`,
        ),
      );
    }
    const touchesWindows = written.maxGrace !== undefined || written.drainWindow !== undefined;
    if (touchesWindows && effective.maxGraceSeconds < effective.drainWindowSeconds) {
      found.push(
        finding(
          loaded,
          "grace-shorter-than-drain",
          [...path, written.maxGrace !== undefined ? "maxGrace" : "drainWindow"],
          `rotation.maxGrace (${formatDuration(effective.maxGraceSeconds)}) is shorter than rotation.drainWindow ` +
            `(${formatDuration(effective.drainWindowSeconds)}): the previous key would be retired before its ` +
            `drain window could pass`,
        ),
      );
    }
  };
  check(manifest.policy?.rotation, ["policy", "rotation"]);
  manifest.workspaces.forEach((workspace, w) => {
    workspace.keys.forEach((key, k) => {
      if (key.rotation === undefined) return;
      check(
        key.rotation,
        ["workspaces", w, "keys", k, "rotation"],
        mergeRotation(desired.policy.rotation, key.rotation),
      );
    });
  });
  return found;
}

function sharedDestinations(manifest: ManifestDocument, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  const manifestDir = dirname(loaded.file);
  const first = new Map<string, { w: number; k: number; s: number }>();
  manifest.workspaces.forEach((workspace, w) => {
    workspace.keys.forEach((key, k) => {
      (key.deliver ?? []).forEach((sink, s) => {
        const destination = destinationOf(sink, manifestDir);
        const earlier = first.get(destination);
        if (!earlier) {
          first.set(destination, { w, k, s });
          return;
        }
        const earlierKey = manifest.workspaces[earlier.w]!.keys[earlier.k]!;
        const line = lineOf(loaded, ["workspaces", earlier.w, "keys", earlier.k, "deliver", earlier.s]);
        const message =
          earlier.w === w && earlier.k === k
            ? `this ${sink.type} sink writes to the same destination as deliver[${earlier.s}] (line ${line}) of ` +
              `the same key`
            : `this ${sink.type} sink writes to the same destination as key ${quoteValue(earlierKey.id)} in ` +
              `workspace ${quoteValue(manifest.workspaces[earlier.w]!.name)} (line ${line}): one key per ` +
              "integration, give each key its own destination";
        found.push(finding(loaded, "shared-destination", ["workspaces", w, "keys", k, "deliver", s], message));
      });
    });
  });
  return found;
}

/** A relative path of plain segments (`./secrets/crm.env`): path.resolve would only join it to the directory. */
const PLAIN_RELATIVE_PATH = /^(?:\.\/)?(?:[\w-][\w.-]*\/)*[\w-][\w.-]*$/;

/**
 * sinkDestination, without path.resolve for the file path almost every file sink has (a plain relative
 * one, on a system whose separator is `/`): a manifest of thousands of entries has as many file sinks.
 */
export function destinationOf(sink: SinkConfig, manifestDir: string): string {
  if (sink.type !== "file" || sep !== "/" || !PLAIN_RELATIVE_PATH.test(sink.path)) {
    return sinkDestination(sink, manifestDir);
  }
  const variable = sink.format === "raw" ? "" : (sink.variable ?? "TIMELY_API_KEY");
  const relative = sink.path.startsWith("./") ? sink.path.slice(2) : sink.path;
  return `file:${manifestDir === "/" ? "" : manifestDir}/${relative}#${variable}`;
}

/**
 * An entry nothing can receive a secret from: the plan may adopt its live key, but never creates
 * or rotates one (apply refuses to), so the key ages until someone adds a sink. Disabled entries
 * are skipped: a plan never creates or rotates their keys anyway.
 */
function entriesWithoutSinks(manifest: ManifestDocument, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  manifest.workspaces.forEach((workspace, w) => {
    workspace.keys.forEach((key, k) => {
      if (key.enabled === false || (key.deliver ?? []).length > 0) return;
      const path: PathSegment[] = ["workspaces", w, "keys", k];
      found.push(
        finding(
          loaded,
          "entry-without-sinks",
          "deliver" in key ? [...path, "deliver"] : path,
          `entry ${quoteValue(key.id)} has no deliver sinks: timely-keys can adopt its key but never creates or ` +
            "rotates it (a new secret would reach no one); add a deliver: sink",
        ),
      );
    });
  });
  return found;
}

/**
 * An entry that says nobody can read its secret: `rotate --exposed-to` would never find it when
 * someone who could read it leaves. The workspace's `access` counts for its entries.
 */
function entriesWithoutAccess(manifest: ManifestDocument, loaded: LoadedDocument): Diagnostic[] {
  const found: Diagnostic[] = [];
  // Checked once the manifest records access at all (teams, or access on some workspace or entry):
  // then an entry without it is a gap; a manifest that never uses access is not flagged key by key.
  const usesAccess =
    manifest.teams !== undefined ||
    manifest.workspaces.some((ws) => ws.access !== undefined || ws.keys.some((k) => k.access !== undefined));
  if (!usesAccess) return found;
  manifest.workspaces.forEach((workspace, w) => {
    if ((workspace.access ?? []).length > 0) return;
    workspace.keys.forEach((key, k) => {
      if (key.enabled === false || (key.access ?? []).length > 0) return;
      const path: PathSegment[] = ["workspaces", w, "keys", k];
      found.push(
        finding(
          loaded,
          "entry-without-access",
          "access" in key ? [...path, "access"] : path,
          `entry ${quoteValue(key.id)} lists no access: who can read its secret is unknown, so ` +
            "`timely-keys rotate --exposed-to` cannot find it; add access: [person@example.com, team:NAME] to it " +
            "or its workspace",
        ),
      );
    });
  });
  return found;
}

// The action's inputs (action.yml), read and checked before anything else happens. Pure: the
// caller hands in how to read one input, so tests need no environment. A bad input is a UsageError.
import { isAbsolute, relative, resolve } from "node:path";
import { UsageError } from "@timely-keys/provisioner/errors";

export type Command = "plan" | "apply" | "check" | "rotate" | "matrix";

export const COMMANDS: readonly Command[] = ["plan", "apply", "check", "rotate", "matrix"];

export interface ActionInputs {
  command: Command;
  /** Absolute path of the manifest. */
  manifest: string;
  /** The manifest as annotations name it: relative to the workspace when inside it. */
  manifestDisplay: string;
  workspaces: string[];
  targets: string[];
  failOnDrift: boolean;
  maxOverdueDays: number;
  /** With `matrix`: split the workspaces into this many matrices (undefined: one). */
  shards: number | undefined;
  /** With `check`: fail when a finding is at least this severe. */
  failOn: "error" | "warning" | "info" | "never";
  /** With `check`: open, update and close one GitHub issue per failing entry or drifted workspace. */
  issues: boolean;
  /** With `plan` on a pull request: keep one comment with the plan, updated in place. */
  prComment: boolean;
  /** Token for issues and comments ("" when not given). */
  githubToken: string;
  /** `rotate`: an emergency (`compromised`), and `revoke-first`. */
  compromised: boolean;
  revokeFirst: boolean;
  /** `rotate`: people and teams whose keys rotate (`exposed-to`). */
  exposedTo: string[];
}

/** Reads one input by its action.yml name; "" when not given. */
export type InputReader = (name: string) => string;

/** `a, b` or one per line; empty items dropped, duplicates removed, order kept. */
export function splitList(text: string): string[] {
  const items = text
    .split(/[,\n\r]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return [...new Set(items)];
}

export function parseInputs(read: InputReader, githubWorkspace: string): ActionInputs {
  const command = (read("command") || "plan").toLowerCase();
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`input command: "${command}" is not a command; use plan, apply, check, rotate or matrix`);
  }
  const manifestInput = read("manifest") || "timely-keys.yaml";
  const manifest = resolve(githubWorkspace, manifestInput);
  return {
    command: command as Command,
    manifest,
    manifestDisplay: displayPath(manifest, githubWorkspace),
    workspaces: splitList(read("workspace")),
    targets: splitList(read("target")),
    failOnDrift: parseBoolean("fail-on-drift", read("fail-on-drift") || "false"),
    maxOverdueDays: parseDays("max-overdue-days", read("max-overdue-days") || "7"),
    shards: parseShards(read("shards")),
    failOn: parseFailOn(read("fail-on") || "error"),
    issues: parseBoolean("issues", read("issues") || "false"),
    prComment: parseBoolean("pr-comment", read("pr-comment") || "false"),
    githubToken: read("github-token"),
    ...rotateInputs(read, command),
  };
}

function rotateInputs(
  read: InputReader,
  command: string,
): Pick<ActionInputs, "compromised" | "revokeFirst" | "exposedTo"> {
  const compromised = parseBoolean("compromised", read("compromised") || "false");
  const revokeFirst = parseBoolean("revoke-first", read("revoke-first") || "false");
  const exposedTo = splitList(read("exposed-to"));
  if (command !== "rotate" && (compromised || revokeFirst || exposedTo.length > 0)) {
    throw new UsageError("inputs compromised, revoke-first and exposed-to only apply to command: rotate");
  }
  if (revokeFirst && !compromised) throw new UsageError("input revoke-first only applies with compromised: true");
  if (command === "rotate" && exposedTo.length > 0 && splitList(read("target")).length > 0) {
    throw new UsageError("command rotate: give target or exposed-to, not both");
  }
  if (command === "rotate" && exposedTo.length === 0 && splitList(read("target")).length === 0) {
    throw new UsageError("command rotate: name the keys to rotate in target, or who was exposed in exposed-to");
  }
  return { compromised, revokeFirst, exposedTo };
}

/** Relative to the workspace (what annotations want), or the absolute path when outside it. */
export function displayPath(file: string, githubWorkspace: string): string {
  const rel = relative(githubWorkspace, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : file;
}

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them. */
function parseBoolean(name: string, value: string): boolean {
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new UsageError(`input ${name}: "${value}" is not a boolean; use true or false`);
}

function parseShards(value: string): number | undefined {
  if (value === "") return undefined;
  if (!/^[1-9]\d{0,3}$/.test(value))
    throw new UsageError(`input shards: "${value}" is not a whole number from 1 to 9999`);
  return Number(value);
}

function parseDays(name: string, value: string): number {
  if (!/^\d{1,5}$/.test(value))
    throw new UsageError(`input ${name}: "${value}" is not a whole number of days (0 or more)`);
  return Number(value);
}

function parseFailOn(value: string): ActionInputs["failOn"] {
  if (value === "error" || value === "warning" || value === "info" || value === "never") return value;
  throw new UsageError(`input fail-on: "${value}" is not a level; use error, warning, info or never`);
}

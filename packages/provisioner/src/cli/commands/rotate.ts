// rotate: start a rotation now, of the keys named, or of every key a person (or team) could read
// (`--exposed-to`), optionally as an emergency (`--compromised [--revoke-first]`).
import { clientsFromEnv } from "../../clients.js";
import type { Desired } from "../../desired.js";
import { UserError } from "../../errors.js";
import { exposedEntries } from "../../exposure.js";
import { renderEmergencyNotice, renderExposure } from "../../render/emergency.js";
import { parseCommandArgs, positiveInt, stringList, UsageError } from "../args.js";
import { useColor, type CliIO } from "../io.js";
import { loadDesired } from "../pipeline.js";
import { APPLY_FLAGS, help, pacingRelay, planConfirmExecute } from "./apply.js";

// apply's flags, plus the incident ones.
const ROTATE_FLAGS = {
  ...APPLY_FLAGS,
  compromised: { type: "boolean" },
  "revoke-first": { type: "boolean" },
  "exposed-to": { type: "string", multiple: true },
} as const;

export async function rotateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs("rotate", argv, ROTATE_FLAGS, { min: 0, max: 1000 });
  if (values.help) return help(io, "rotate");
  const ids = positionals.flatMap((p) => stringList(p));
  const exposedTo = stringList(values["exposed-to"]);
  const compromised = values.compromised === true;
  const revokeFirst = values["revoke-first"] === true;
  if (ids.length === 0 && exposedTo.length === 0)
    throw new UsageError(
      "rotate",
      "which key? Give the id of each key to rotate (its keys[].id in the manifest), e.g. 'timely-keys rotate crm', " +
        "or who was exposed: --exposed-to WHO",
    );
  if (ids.length > 0 && exposedTo.length > 0) throw new UsageError("rotate", "give key ids or --exposed-to, not both");
  if (revokeFirst && !compromised) throw new UsageError("rotate", "--revoke-first only applies to --compromised");
  const concurrency = positiveInt("rotate", "concurrency", values.concurrency, 4);
  const pacing = pacingRelay();
  const clients = clientsFromEnv(io.env, { onPacingHold: pacing.hold });

  let targets = ids;
  let force = ids;
  let desired: Desired | undefined;
  if (exposedTo.length > 0) {
    const file = (values.file as string | undefined) ?? "timely-keys.yaml";
    const workspaces = stringList(values.workspace);
    desired = await loadDesired(io, { file, workspaces, targets: [], requireEnv: true });
    const found = exposedEntries(desiredIn(desired, workspaces), exposedTo);
    if (found.length === 0) {
      throw new UserError(
        `--exposed-to ${exposedTo.join(", ")}: no key in ${file} lists them (or their teams) in access: ` +
          "nothing to rotate",
      );
    }
    io.stdout.write(`${renderExposure(exposedTo, found)}\n\n`);
    targets = [...new Set(found.map((f) => f.entryId))];
    force = found.map((f) => `${f.workspace}/${f.entryId}`);
  }
  return planConfirmExecute(
    io,
    "rotate",
    { ...values, target: targets },
    clients,
    { concurrency, quiet: values.quiet === true, pacing },
    compromised ? { forceRotate: force, compromised: force, revokeFirst } : { forceRotate: force },
    (plan) => {
      if (compromised) io.stdout.write(`\n${renderEmergencyNotice(plan, { color: useColor(io) })}\n`);
    },
    desired,
  );
}

function desiredIn(desired: Desired, workspaces: string[]): Desired {
  return workspaces.length === 0
    ? desired
    : { ...desired, workspaces: desired.workspaces.filter((w) => workspaces.includes(w.name)) };
}

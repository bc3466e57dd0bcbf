// rotate: start a rotation now, of the keys named, or of every key a person (or team) could read
// (`--exposed-to`), optionally as an emergency (`--compromised [--revoke-first]`).
import { clientsFromEnv } from "../../clients.js";
import { rotationRequest } from "../../exposure.js";
import { renderEmergencyNotice, renderExposure } from "../../render/emergency.js";
import { parseCommandArgs, positiveInt, stringList, usageError } from "../args.js";
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
    throw usageError(
      "rotate",
      "which key? Give the id of each key to rotate (its keys[].id in the manifest), e.g. 'timely-keys rotate crm', " +
        "or who was exposed: --exposed-to WHO",
    );
  if (ids.length > 0 && exposedTo.length > 0) throw usageError("rotate", "give key ids or --exposed-to, not both");
  if (revokeFirst && !compromised) throw usageError("rotate", "--revoke-first only applies to --compromised");
  const concurrency = positiveInt("rotate", "concurrency", values.concurrency, 4);
  const pacing = pacingRelay();
  const clients = clientsFromEnv(io.env, { onPacingHold: pacing.hold });

  // --exposed-to reads the manifest to find the keys; key ids are checked where the plan is made.
  const file = (values.file as string | undefined) ?? "timely-keys.yaml";
  const desired =
    exposedTo.length > 0
      ? await loadDesired(io, { file, workspaces: stringList(values.workspace), targets: [], requireEnv: true })
      : undefined;
  const request = rotationRequest(
    desired,
    { targets: ids, workspaces: stringList(values.workspace), exposedTo, compromised, revokeFirst },
    { exposedTo: "--exposed-to", manifest: file },
  );
  if (request.exposed.length > 0) io.stdout.write(`${renderExposure(exposedTo, request.exposed)}\n\n`);
  return planConfirmExecute(
    io,
    "rotate",
    { ...values, target: request.targets },
    clients,
    { concurrency, quiet: values.quiet === true, pacing },
    request.options,
    (plan) => {
      if (compromised) io.stdout.write(`\n${renderEmergencyNotice(plan, { color: useColor(io) })}\n`);
    },
    desired,
  );
}

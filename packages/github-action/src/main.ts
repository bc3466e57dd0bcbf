// The action: inputs -> mask credentials -> validate (findings as annotations) -> read -> plan
// (server clock) -> plan | apply | check, with outputs and a job summary. It calls the provisioner
// as a library, as the `timely-keys` CLI does, and never spawns it.
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import type { ApplyReport, ClientFactory, Desired, Plan, Planned } from "@timely-keys/provisioner";
import { describeError } from "@timely-keys/provisioner/errors";
import { sanitizeLines } from "@timely-keys/sdk";
import { diagnosticAnnotation, locationOf, redactTokens, type Annotation } from "./annotations.js";
import { parseInputs, type ActionInputs } from "./inputs.js";
import { idList, planOutputs, type OutputName, type Outputs } from "./outputs.js";
import { COMMENT_MAX_CHARS, upsertPlanComment } from "./github/pr-comment.js";
import { githubApi, repoOf, type GitHubApi } from "./github/rest.js";
import { fileOnlyDeliveries } from "./runner-sinks.js";
import { credentialEnvNames, credentialEnvNamesInText, secretValues } from "./secrets.js";
import type { SummaryInput } from "./summary.js";
import type { Pipeline } from "./pipeline.js";

// The manifest's pipeline (YAML, validation, read, plan, render, apply, check, notifications) is
// imported once the inputs are read and the GitHub token is masked (loadPipeline), not at the
// step's start: see ./pipeline.ts.
let pipeline: Pipeline | undefined;

/** The pipeline, once loadPipeline has run (run() calls it right after masking the inputs). */
function lib(): Pipeline {
  if (pipeline === undefined) throw new Error("internal: the pipeline is used before it is loaded");
  return pipeline;
}

async function loadPipeline(): Promise<Pipeline> {
  pipeline ??= await import("./pipeline.js");
  return pipeline;
}

/** Values already registered with the runner: each is masked once. */
const masked = new Set<string>();

function mask(values: Iterable<string>): void {
  for (const value of values) {
    if (masked.has(value)) continue;
    masked.add(value);
    core.setSecret(value);
  }
}

/**
 * Every log line goes through the SDK's sanitizer: a key name, a program's output or an error text
 * can never start a line, so it can never be a workflow command (`::stop-commands::` would switch
 * off the masking of the new secrets). The Action itself never emits `::stop-commands::`.
 */
function info(text: string): void {
  core.info(sanitizeLines(text));
}

function annotate(annotation: Annotation): void {
  if (annotation.level === "error") core.error(annotation.message, annotation.properties);
  else if (annotation.level === "warning") core.warning(annotation.message, annotation.properties);
  else core.notice(annotation.message, annotation.properties);
}

function setOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs) as Array<[OutputName, string]>) core.setOutput(name, value);
}

export async function run(): Promise<void> {
  const env = process.env;
  try {
    // Before anything can print: whatever in the environment looks like a Timely token.
    mask(secretValues(env, []));
    const githubWorkspace = env.GITHUB_WORKSPACE || process.cwd();
    const inputs = parseInputs((name) => core.getInput(name), githubWorkspace);
    if (inputs.githubToken) mask([inputs.githubToken]);
    await loadPipeline();
    await maskManifestCredentials(inputs.manifest, env);
    const desired = await validated(inputs, env, githubWorkspace);
    lib().checkFilters(desired, inputs, {
      workspace: "input workspace",
      target: "input target",
      manifest: inputs.manifestDisplay,
    });
    if (inputs.command === "matrix") return matrixCommand(desired, inputs);
    lib().checkNotifyTargets(desired, env);
    const clients = lib().clientsFromEnv(env);
    const rotation = inputs.command === "rotate" ? rotateRequest(desired, inputs) : undefined;
    const filters = rotation ? { workspaces: inputs.workspaces, targets: rotation.targets } : inputs;
    const planned = await lib().readAndPlan(desired, clients, filters, rotation?.options ?? {}, env);
    await report(planned.plan, desired, inputs, githubWorkspace, env);
    switch (inputs.command) {
      case "plan":
        return await planCommand(planned, desired, inputs, env);
      case "apply":
      case "rotate":
        return await applyCommand(planned, desired, { ...inputs, ...filters }, clients, env);
      case "check":
        return await checkCommand(planned, desired, inputs, clients, githubWorkspace, env);
    }
  } catch (error) {
    // The same words as the CLI's `error:` line (the provisioner's describeError, from its light
    // errors entry: a bad input fails without loading the pipeline).
    core.setFailed(describeError(error));
  }
}

/**
 * `command: rotate` (workflow_dispatch): the keys named in `target`, or every key whose access lists
 * someone in `exposed-to` (listed in the log first), as an emergency with `compromised: true`.
 */
function rotateRequest(desired: Desired, inputs: ActionInputs) {
  const request = lib().rotationRequest(desired, inputs, { exposedTo: "exposed-to", manifest: inputs.manifestDisplay });
  if (request.exposed.length > 0) core.info(lib().renderExposure(inputs.exposedTo, request.exposed));
  return request;
}

/** The management tokens and sink credentials the manifest names, masked before it is validated. */
async function maskManifestCredentials(manifest: string, env: NodeJS.ProcessEnv): Promise<void> {
  let text: string;
  try {
    text = await lib().readFile(manifest, "utf8");
  } catch {
    return; // validation reports the unreadable file
  }
  const names = new Set(credentialEnvNamesInText(text));
  try {
    for (const name of credentialEnvNames(lib().parseManifest(text, manifest).value)) names.add(name);
  } catch {
    // Not YAML: the names found in the text are all there is.
  }
  mask(secretValues(env, [...names]));
}

/** Validation findings as annotations; a ManifestError when any is an error. */
async function validated(inputs: ActionInputs, env: NodeJS.ProcessEnv, githubWorkspace: string): Promise<Desired> {
  const result = await lib().validateFile(inputs.manifest, {
    env,
    // The job that makes the matrix holds no token: each matrix job checks its own.
    requireEnv: inputs.command !== "matrix",
    // plan and check deliver nothing: a read-only job needs no sink credentials.
    requireSinkEnv: inputs.command === "apply",
    ...(inputs.workspaces.length > 0 ? { workspaces: inputs.workspaces } : {}),
  });
  for (const diagnostic of result.diagnostics) annotate(diagnosticAnnotation(diagnostic, githubWorkspace));
  if (result.desired === undefined) throw new (lib().ManifestError)(inputs.manifestDisplay, result.diagnostics);
  return result.desired;
}

/** `matrix`: the workspaces (or the selected ones) as GitHub Actions matrices, output `matrix`. */
function matrixCommand(desired: Desired, inputs: ActionInputs): void {
  const selected = { ...desired, workspaces: lib().selectedWorkspaces(desired, inputs.workspaces) };
  const matrix = lib().workspaceMatrix(selected, inputs.shards);
  setOutputs({ matrix: JSON.stringify(matrix) });
  const jobs = Array.isArray(matrix) ? matrix.reduce((n, m) => n + m.include.length, 0) : matrix.include.length;
  info(`${jobs} workspace${jobs === 1 ? "" : "s"}${Array.isArray(matrix) ? ` in ${matrix.length} matrices` : ""}`);
}

/** Log, plan file, plan outputs and warnings: the same for every command. */
async function report(
  plan: Plan,
  desired: Desired,
  inputs: ActionInputs,
  githubWorkspace: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  info(lib().renderText(plan, { color: false }));
  for (const warning of plan.warnings) {
    const entry = desired.workspaces
      .find((w) => w.name === warning.workspace)
      ?.keys.find((k) => k.id === warning.entryId);
    const where = [warning.workspace, warning.entryId].filter((p) => p !== undefined && p !== "*").join("/");
    annotate({
      level: "warning",
      message: redactTokens(`${where ? `${where}: ` : ""}${lib().warningText(warning)}`),
      properties: { title: "timely-keys plan", ...(entry?.source ? locationOf(entry.source, githubWorkspace) : {}) },
    });
  }
  if (inputs.command !== "check") {
    for (const warning of fileOnlyDeliveries(plan)) {
      const entry = desired.workspaces
        .find((w) => w.name === warning.workspace)
        ?.keys.find((k) => k.id === warning.entryId);
      annotate({
        level: "warning",
        message: warning.message,
        properties: {
          title: "timely-keys file sink on a runner",
          ...(entry?.source ? locationOf(entry.source, githubWorkspace) : {}),
        },
      });
    }
  }
  setOutputs({ ...planOutputs(plan), "plan-json": await writePlanFile(plan, env) });
}

async function writePlanFile(plan: Plan, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = await lib().mkdtemp(join(env.RUNNER_TEMP || tmpdir(), "timely-keys-plan-"));
  const file = join(dir, "plan.json");
  await lib().writeFile(file, `${lib().renderJson(plan)}\n`, { mode: 0o600 });
  return file;
}

async function writeSummary(input: SummaryInput, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) {
    core.debug("GITHUB_STEP_SUMMARY is not set: no job summary written");
    return;
  }
  await core.summary.addRaw(lib().buildSummary(input), true).write();
}

/** With fail-on-drift: unmanaged keys and changes made outside the manifest fail the step. */
function failOnDrift(plan: Plan, inputs: ActionInputs): boolean {
  if (!inputs.failOnDrift) return false;
  const drift = lib().driftLines(plan);
  if (drift.length === 0) return false;
  for (const line of drift) core.error(redactTokens(line), { title: "timely-keys drift" });
  core.setFailed(
    `fail-on-drift: ${drift.length} key${drift.length === 1 ? "" : "s"} drifted from the manifest ` +
      "(unmanaged, or changed outside it)",
  );
  return true;
}

async function planCommand(
  planned: Planned,
  desired: Desired,
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { plan } = planned;
  // The age and expiry findings need no usage call: plan reports them too, as the `overdue` output.
  const report = lib().findings({ ...planned, desired, usage: new Map() }, { maxOverdueDays: inputs.maxOverdueDays });
  setOutputs({ rotated: "", overdue: idList(lib().overdueEntryIds(report)) });
  await writeSummary({ plan }, env);
  if (inputs.prComment) await commentOnPullRequest(plan, inputs, env);
  // Changes pending are what a plan is for: not a failure.
  failOnDrift(plan, inputs);
}

/** Where the rotations stand once apply is done, for the summary; nothing when the read fails. */
async function replan(desired: Desired, clients: ClientFactory, inputs: ActionInputs): Promise<Plan | undefined> {
  try {
    return (await lib().readAndPlan(desired, clients, inputs, {}, process.env)).plan;
  } catch (error) {
    core.warning(
      `could not read the keys again after apply, the summary shows the plan as applied: ${describeError(error)}`,
    );
    return undefined;
  }
}

async function applyCommand(
  planned: Planned,
  desired: Desired,
  inputs: ActionInputs,
  clients: ClientFactory,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { plan } = planned;
  let result: ApplyReport = { ok: true, results: [], workspaceErrors: [], rotated: [] };
  if (!plan.changes) {
    info("No changes to apply.");
  } else {
    // The workflow that runs this step is the approval: no confirmation. An emergency says what it does first.
    const notice = lib().renderEmergencyNotice(plan, { color: false });
    if (notice) core.info(notice);
    // The same log lines as the CLI's apply.
    const log = new (lib().ApplyLog)(plan);
    // Every new secret is registered with the runner the moment it exists, before any sink sees it.
    // The sinks and probes send through the same HTTP client as the API's clients (clientsFromEnv).
    const fetch = lib().fetchFromEnv(env);
    result = await lib().apply(plan, {
      clients,
      env,
      fetch,
      probeOptions: { fetch },
      onSecret: (secret) => mask([secret]),
      onEvent: (event) => {
        const line = log.line(event);
        if (line !== null) info(line);
      },
    });
    for (const line of log.closingLines(result)) info(line);
    // A notification that cannot be sent is a warning: it never fails the rotation it reports.
    for (const failure of await lib().notifyApply(desired, result, { env, fetch }))
      core.warning(redactTokens(failure), { title: "timely-keys notification" });
  }
  setOutputs({ rotated: idList(result.rotated), overdue: "" });
  const after = result.results.some((r) => r.status === "done") ? await replan(desired, clients, inputs) : undefined;
  await writeSummary({ plan, apply: result, ...(after ? { after } : {}) }, env);
  if (!result.ok) {
    for (const line of lib().applyFailureLines(result)) core.error(line, { title: "timely-keys apply" });
    core.setFailed(lib().applyFailureSummary(result, plan));
  }
}

async function checkCommand(
  planned: Planned,
  desired: Desired,
  inputs: ActionInputs,
  clients: ClientFactory,
  githubWorkspace: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  // The library's check, the same as `timely-keys check`: this only shows its findings.
  const report = await lib().checkPlanned(desired, clients, planned, { maxOverdueDays: inputs.maxOverdueDays });
  for (const finding of report.findings) {
    annotate({
      level: finding.severity === "error" ? "error" : finding.severity === "warning" ? "warning" : "notice",
      message: redactTokens(lib().findingLine(finding)),
      properties: {
        title: `timely-keys ${lib().findingTitle(finding.kind)}`,
        ...(finding.source ? locationOf(finding.source, githubWorkspace) : {}),
      },
    });
  }
  setOutputs({
    rotated: "",
    overdue: idList(lib().overdueEntryIds(report)),
    "report-path": await writeReportFile(lib().renderReportHtml(lib().buildReport(desired, report)), env),
  });
  await writeSummary({ plan: planned.plan, check: report }, env);
  if (inputs.issues) {
    const api = gitHub(inputs, env);
    const repo = repoOf(env);
    if (api === undefined || repo === undefined) {
      core.warning("issues: needs github-token and GITHUB_REPOSITORY; no issue was opened or closed", {
        title: "timely-keys issues",
      });
    } else {
      try {
        const sync = await lib().syncIssues(
          api,
          repo,
          inputs.manifestDisplay,
          lib().failingGroups(report, inputs.failOn),
          lib().checkedGroupIds(planned.plan),
          runUrl(env),
        );
        info(`issues: ${sync.opened.length} opened, ${sync.updated.length} updated, ${sync.closed.length} closed.`);
      } catch (error) {
        core.warning(`issues: could not sync the GitHub issues: ${describeError(error)}`, {
          title: "timely-keys issues",
        });
      }
    }
  }
  const notified = await lib().notifyFindings(desired, report.findings, {
    env,
    at: report.now,
    fetch: lib().fetchFromEnv(env),
  });
  for (const failure of notified) {
    core.warning(redactTokens(failure), { title: "timely-keys notification" });
  }
  failOnDrift(planned.plan, inputs);
  const failing = report.findings.filter((f) => lib().reaches(f.severity, inputs.failOn));
  if (failing.length > 0) {
    const ids = idList(failing.map((f) => f.entryId ?? f.key?.name ?? f.workspace));
    core.setFailed(
      `check: ${failing.length} finding${failing.length === 1 ? "" : "s"} at ${inputs.failOn} or above ` +
        `(fail-on ${inputs.failOn}): ${ids}`,
    );
  } else {
    info(`check: no finding at ${inputs.failOn} or above (${report.findings.length} in all).`);
  }
}

function gitHub(inputs: ActionInputs, env: NodeJS.ProcessEnv): GitHubApi | undefined {
  if (!inputs.githubToken) return undefined;
  return githubApi({
    baseUrl: env.GITHUB_API_URL || "https://api.github.com",
    token: inputs.githubToken,
    fetch: lib().fetchFromEnv(env),
  });
}

function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

/** The pull request's number from the event payload, when this run is for one. */
async function pullRequestNumber(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(await lib().readFile(env.GITHUB_EVENT_PATH, "utf8")) as {
      pull_request?: { number?: unknown };
    };
    return typeof event.pull_request?.number === "number" ? event.pull_request.number : undefined;
  } catch {
    return undefined;
  }
}

async function commentOnPullRequest(plan: Plan, inputs: ActionInputs, env: NodeJS.ProcessEnv): Promise<void> {
  const api = gitHub(inputs, env);
  const repo = repoOf(env);
  const pull = await pullRequestNumber(env);
  if (api === undefined || repo === undefined || pull === undefined) {
    core.warning("pr-comment: not a pull_request event (or no github-token): no comment written", {
      title: "timely-keys pr-comment",
    });
    return;
  }
  try {
    // A markdown a little over the limit is still worth rendering whole: the helper decides.
    const markdown = lib().renderMarkdown(plan, { maxBytes: 4 * COMMENT_MAX_CHARS });
    const comment = await upsertPlanComment(
      api,
      repo,
      pull,
      inputs.manifestDisplay,
      { markdown, summaryLine: lib().summaryLine(plan) },
      runUrl(env),
    );
    info(
      `pr-comment: comment ${comment.id} ${comment.action}` +
        `${comment.fallback ? " (the plan is in the job summary: too long for a comment)" : ""}.`,
    );
  } catch (error) {
    core.warning(`pr-comment: could not write the comment: ${describeError(error)}`, {
      title: "timely-keys pr-comment",
    });
  }
}

async function writeReportFile(html: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = await lib().mkdtemp(join(env.RUNNER_TEMP || tmpdir(), "timely-keys-report-"));
  const file = join(dir, "timely-keys-report.html");
  await lib().writeFile(file, html);
  return file;
}

// Everything the Action needs past its inputs, imported by main.ts in one import() once they are
// read (its loadPipeline). Kept out of the entry chunk, the YAML parser, the manifest validator and
// the rest of the pipeline are compiled only by a step that reads a manifest, so a step's start-up
// costs about what Node's own does (bench/cold-start.ts; test/build.test.ts checks the split).
export {
  apply,
  ApplyLog,
  applyFailureLines,
  applyFailureSummary,
  checkFilters,
  checkNotifyTargets,
  checkPlanned,
  findingLine,
  findings,
  findingTitle,
  notifyApply,
  notifyFindings,
  reaches,
  buildReport,
  checkedGroupIds,
  failingGroups,
  renderMarkdown,
  renderReportHtml,
  clientsFromEnv,
  fetchFromEnv,
  driftLines,
  ManifestError,
  overdueEntryIds,
  parseManifest,
  readAndPlan,
  renderEmergencyNotice,
  renderExposure,
  renderJson,
  renderText,
  rotationRequest,
  selectedWorkspaces,
  summaryLine,
  validateFile,
  warningText,
  workspaceMatrix,
} from "@timely-keys/provisioner";
export { syncIssues } from "./github/issues.js";
// The files a step reads and writes once past its inputs (the manifest, the event payload, the plan
// and report files): node:fs/promises loads with the pipeline, not at the start.
export { mkdtemp, readFile, writeFile } from "node:fs/promises";
export { buildSummary } from "./summary.js";

export type Pipeline = typeof import("./pipeline.js");

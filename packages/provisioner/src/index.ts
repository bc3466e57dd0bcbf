// @timely-keys/provisioner: the pipeline load -> validate -> read -> plan -> render -> apply, as a
// library (the GitHub Action uses it this way). The `timely-keys` CLI's commands are the "./cli" entry.
export { load, parseManifest, type LoadedDocument, type LoadOptions } from "./load.js";
export { validate, validateFile, type ValidateOptions, type ValidationResult } from "./validate.js";
export { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export { read, readWorkspace, type ReadOptions } from "./read.js";
export { plan } from "./plan.js";
export { renderText, renderJson, renderMarkdown, markdownCell, summaryLine } from "./render.js";
export { renderEmergencyNotice, renderExposure } from "./render/emergency.js";
export {
  actionsByEntry,
  actionSummary,
  actionWarning,
  entryDetail,
  triggerPhrases,
  warningText,
} from "./render/words.js";
export { exposedEntries, rotationRequest, type ExposedEntry, type RotationRequest } from "./exposure.js";
export {
  apply,
  countResults,
  type ApplyOptions,
  type ApplyReport,
  type ActionResult,
  type ApplyEvent,
  type ApplyStep,
} from "./apply.js";
export {
  ApplyLog,
  applyCountsLine,
  applyFailureLines,
  applyFailureSummary,
  LONG_APPLY_ACTIONS,
} from "./apply/progress.js";
export {
  clientsFromEnv,
  fetchFromEnv,
  resolveBaseUrl,
  type ClientFactory,
  type WorkspaceConnection,
} from "./clients.js";
export { httpFetch } from "./http-fetch.js";
export { importManifest } from "./import.js";
export { workspaceMatrix, MAX_JOBS_PER_MATRIX, type Matrix, type MatrixJob } from "./matrix.js";
export {
  checkFilters,
  connectionOf,
  readAndPlan,
  selectedWorkspaces,
  serverNowOf,
  type Filters,
  type Planned,
} from "./pipeline.js";
export { serializeSavedPlan, parseSavedPlan, readSavedPlan } from "./saved-plan.js";
export { parseMarker, formatMarker, withMarker, stripMarker, type Marker } from "./marker.js";
export {
  describeError,
  DeliveryError,
  ManagementTokenError,
  ManifestError,
  StepError,
  UsageError,
  UserError,
  type DeliveryErrorInit,
  type DescribeErrorOptions,
} from "./errors.js";
export type { Desired, DesiredKey, DesiredWorkspace, Policy, RotationSettings, SourceRef } from "./desired.js";
export type * from "./model.js";
export type { SinkConfig } from "./deliver/config.js";
export {
  runCheck,
  checkPlanned,
  findings,
  DEFAULT_MAX_OVERDUE_DAYS,
  type CheckOptions,
  type CheckInput,
  type CheckRun,
} from "./check/run.js";
export { expiryMarginMs, entryKeys, type EntryKeys } from "./check/lifecycle.js";
export { reaches, countBySeverity, DEFAULT_MONITOR, FINDING_KINDS, FINDING_SEVERITIES } from "./check/model.js";
export type {
  CheckReport,
  Finding,
  FindingKind,
  FindingSeverity,
  FixKind,
  MonitorSettings,
  EvidenceValue,
  FindingKey,
} from "./check/model.js";
export {
  renderGroupIssue,
  renderCheckText,
  renderCheckJson,
  renderCheckMarkdown,
  findingLine,
  findingTitle,
  findingSubject,
  evidenceText,
  fixText,
} from "./render/check.js";
export { checkNotifyTargets, notifyApply, notifyFindings, sendEvents, type NotifyOptions } from "./notify/send.js";
export { eventsOfApply, eventsOfFindings, eventText, webhookBody, slackBody } from "./notify/events.js";
export { notifyUrlProblem } from "./notify/origin.js";
export type { NotifyEvent, NotifyEventType, NotifyTarget } from "./notify/model.js";
export { buildReport, type ReportData, type ReportKey, type ReportWorkspace } from "./report/model.js";
export { renderReportHtml, escapeHtml } from "./render/report-html.js";
export { failingGroups, checkedGroupIds, driftLines, overdueEntryIds, type FindingGroup } from "./check/groups.js";

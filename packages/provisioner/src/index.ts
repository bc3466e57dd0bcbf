// @timely-keys/provisioner: the pipeline load -> validate -> read -> plan -> render -> apply, as a
// library (the GitHub Action uses it this way). The `timely-keys` CLI's commands are the "./cli" entry.
export { load, parseManifest, type LoadedDocument, type LoadOptions } from "./load.js";
export { validate, validateFile, type ValidateOptions, type ValidationResult } from "./validate.js";
export { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export { read, readWorkspace, type ReadOptions } from "./read.js";
export { plan } from "./plan.js";
export { renderText, renderJson, renderMarkdown, markdownCell, summaryLine } from "./render.js";
export { renderEmergencyNotice, renderExposure } from "./render/emergency.js";
export { exposedEntries, type ExposedEntry } from "./exposure.js";
export { apply, countResults, describeStep, type ApplyOptions, type ApplyReport, type ActionResult, type ApplyEvent, type ApplyStep } from "./apply.js";
export { clientsFromEnv, resolveBaseUrl, type ClientFactory, type WorkspaceConnection } from "./clients.js";
export { importManifest } from "./import.js";
export { checkFilters, connectionOf, readAndPlan, selectedWorkspaces, serverNowOf, type Filters, type Planned } from "./pipeline.js";
export { serializeSavedPlan, parseSavedPlan, readSavedPlan } from "./saved-plan.js";
export { parseMarker, formatMarker, withMarker, stripMarker, type Marker } from "./marker.js";
export { UserError, ManagementTokenError, ReportedError } from "./errors.js";
export type { Desired, DesiredKey, DesiredWorkspace, Policy, RotationSettings, SourceRef } from "./desired.js";
export type * from "./model.js";
export type { SinkConfig } from "./deliver/config.js";

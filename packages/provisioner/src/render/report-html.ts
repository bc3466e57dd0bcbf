// The HTML report: one self-contained page (inline CSS, a few lines of inline JS, inline SVG; a
// Content-Security-Policy that forbids every network load), readable from file://. Every string
// from outside (key names, details, findings' evidence) is HTML-escaped after redactText.
import { TIMELINE_STEPS, type ReportData, type ReportKey, type ReportWorkspace } from "../report/model.js";
import { evidenceText, findingTitle, fixText } from "./check.js";
import { redactText } from "./redact.js";

/** Text safe in HTML content and in double-quoted attributes. */
export function escapeHtml(text: string): string {
  return redactText(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—");
const date = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

/** Nothing loads from anywhere: the report is one file, its style and script inline. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const CSS = `
:root { color-scheme: light; --ink: #1a1f24; --muted: #4a5560; --line: #c9d1d9; --ok: #1a7f37; --warn: #8a5a00;
  --bad: #b42318; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0;
  background: #f6f8fa; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
.muted { color: var(--muted); }
section.workspace { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
  margin: 16px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  border: 1px solid currentColor; }
.error { color: var(--bad); } .warning { color: var(--warn); } .info { color: var(--accent); } .ok { color: var(--ok); }
ol.timeline { list-style: none; display: flex; gap: 4px; padding: 0; margin: 0; flex-wrap: wrap; }
ol.timeline li { font-size: 12px; padding: 2px 6px; border-radius: 4px; border: 1px solid var(--line); }
ol.timeline li.done { background: #dafbe1; } ol.timeline li.now { background: #fff1c2; font-weight: 600; }
ol.timeline li.due { background: #ddf4ff; } ol.timeline li.none { color: var(--muted); border-style: dashed; }
.calendar { display: grid; grid-template-columns: repeat(15, 1fr); gap: 3px; max-width: 640px; }
.calendar .day { font-size: 11px; min-height: 34px; border: 1px solid var(--line); border-radius: 3px; padding: 2px;
  background: #fff; }
.calendar .day.expires { background: #ffebe9; border-color: var(--bad); }
.calendar .day.rotation-due { background: #fff1c2; border-color: var(--warn); }
.filter { margin: 8px 0; } .filter input { font: inherit; padding: 4px 8px; min-width: 280px; }
tr[hidden] { display: none; }
`;

const SCRIPT = `
document.querySelectorAll("input[data-filter]").forEach(function (input) {
  input.addEventListener("input", function () {
    var wanted = input.value.toLowerCase();
    document.querySelectorAll("#" + input.dataset.filter + " tbody tr").forEach(function (row) {
      row.hidden = wanted !== "" && row.textContent.toLowerCase().indexOf(wanted) === -1;
    });
  });
});
`;

function ageBar(key: ReportKey): string {
  if (key.ageDays === null) return "—";
  if (key.maxAgeDays === null) return `${key.ageDays} days`;
  const ratio = Math.min(key.ageDays / key.maxAgeDays, 1.5);
  const width = Math.round((ratio / 1.5) * 120);
  const tone = key.ageDays > key.maxAgeDays ? "#b42318" : key.ageDays > key.maxAgeDays * 0.8 ? "#8a5a00" : "#1a7f37";
  const label = `${key.ageDays} of ${key.maxAgeDays} days`;
  return (
    `<svg width="124" height="12" role="img" aria-label="${e(label)}"><rect x="0" y="1" width="122" height="10" ` +
    `fill="#eaeef2" rx="2"></rect><rect x="0" y="1" width="${width}" height="10" fill="${tone}" rx="2"></rect><line ` +
    `x1="81" x2="81" y1="0" y2="12" stroke="#1a1f24" stroke-width="1"></line></svg> <span>${e(label)}</span>`
  );
}

function sparkline(key: ReportKey): string {
  const values = key.requestsPerDay;
  const total = values.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i * 100) / (values.length - 1)},${20 - (v / max) * 18}`).join(" ");
  const label = `${total} recent requests in the last ${values.length} days`;
  return (
    `<svg width="100" height="22" viewBox="-1 0 102 22" role="img" aria-label="${e(label)}"><polyline ` +
    `fill="none" stroke="#0b5cad" stroke-width="1.5" points="${points}"></polyline></svg>`
  );
}

function timeline(key: ReportKey): string {
  if (key.timeline.length === 0) return `<span class="muted">—</span>`;
  const steps = TIMELINE_STEPS.map((name) => key.timeline.find((s) => s.name === name)).filter((s) => s !== undefined);
  const items = steps.map((s) => {
    const state = { done: "done", now: "now", due: "due", none: "not in this rotation" }[s.state];
    const title = e(`${s.name}: ${state}${s.at ? ` ${when(s.at)}` : ""}`);
    const at = s.at && s.state !== "none" ? ` <span class="muted">${e(date(s.at))}</span>` : "";
    return (
      `<li class="${s.state}" title="${title}">${e(s.name)}${at}` +
      `<span class="visually-hidden"> (${e(state)})</span></li>`
    );
  });
  return `<ol class="timeline" aria-label="rotation timeline">${items.join("")}</ol>`;
}

function severityBadge(severity: string): string {
  return `<span class="badge ${e(severity)}">${e(severity)}</span>`;
}

function keyRows(ws: ReportWorkspace): string {
  return ws.keys
    .map((key) => {
      const findings =
        key.findings.map((f) => `${severityBadge(f.severity)} ${e(findingTitle(f.kind))}`).join("<br>") ||
        `<span class="ok">none</span>`;
      const generation = key.generation !== null ? ` #${key.generation}` : "";
      const next = `next: ${e(when(key.nextAt))}; rotation due ${e(date(key.rotationDueAt))}`;
      const rate = key.successRate !== null ? `, ${(key.successRate * 100).toFixed(1)}% ok` : "";
      const usage = `${key.totalRequests ?? 0} total${rate}; last ${e(when(key.lastUsedAt))}`;
      return `<tr data-key="${e(key.entryId ?? key.keyId ?? key.name)}">
<th scope="row">${e(key.name)}<br><code class="muted">${e(key.entryId ?? "unmanaged")}${generation}</code></th>
<td>${e(key.status)}<br><span class="muted">${e(key.phase)}</span></td>
<td>${ageBar(key)}</td>
<td>${timeline(key)}<div class="muted">${next}</div></td>
<td>${e(date(key.expiresAt))}</td>
<td>${sparkline(key)}<div class="muted">${usage}</div></td>
<td>${findings}</td>
</tr>`;
    })
    .join("\n");
}

function eventsText(events: ReportWorkspace["calendar"][number]["events"]): string {
  return events.map((ev) => `${ev.kind === "expires" ? "expires" : "rotation due"}: ${e(ev.name)}`).join("; ");
}

function calendarGrid(ws: ReportWorkspace): string {
  const cells = ws.calendar.map((d) => {
    const kinds = new Set(d.events.map((ev) => ev.kind));
    const cls = kinds.has("expires") ? "expires" : kinds.has("rotation-due") ? "rotation-due" : "";
    const text = d.events.map((ev) => `${ev.kind === "expires" ? "expires" : "rotation due"}: ${ev.name}`).join("; ");
    const hidden = d.events.length > 0 ? `<span class="visually-hidden"> ${e(text)}</span> ●` : "";
    return `<div class="day ${cls}" title="${e(text || d.date)}"><span>${e(d.date.slice(5))}</span>${hidden}</div>`;
  });
  const listed = ws.calendar.filter((d) => d.events.length > 0);
  const list =
    listed.length === 0
      ? `<p class="muted">Nothing expires and no rotation falls due in the next ${ws.calendar.length} days.</p>`
      : `<ul>${listed.map((d) => `<li>${e(d.date)}: ${eventsText(d.events)}</li>`).join("")}</ul>`;
  return `<div class="calendar" aria-hidden="true">${cells.join("")}</div>${list}`;
}

function findingsTable(ws: ReportWorkspace): string {
  if (ws.findings.length === 0) return `<p class="ok">No findings.</p>`;
  const rows = ws.findings.map(
    (f) =>
      `<tr><td>${severityBadge(f.severity)}</td><td>${e(f.entryId ?? "")}${f.key ? ` ${e(f.key.name)}` : ""}</td>` +
      `<td>${e(findingTitle(f.kind))}</td><td>${e(evidenceText(f))}</td><td>${e(fixText(f.fix))}</td></tr>`,
  );
  return (
    `<table><thead><tr><th scope="col">Severity</th><th scope="col">Key</th><th scope="col">Finding</th><th ` +
    `scope="col">Evidence</th><th scope="col">Fix</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
  );
}

function workspaceSection(ws: ReportWorkspace, index: number): string {
  const id = `keys-${index}`;
  return `<section class="workspace" aria-labelledby="ws-${index}">
<h2 id="ws-${index}">Workspace ${e(ws.name)} <span class="muted">(${ws.keys.length} keys)</span></h2>
<div class="filter"><label>Filter keys <input type="search" data-filter="${id}"></label></div>
<table id="${id}"><caption class="visually-hidden">Keys of ${e(ws.name)}</caption>
<thead><tr><th scope="col">Key</th><th scope="col">Status</th>
<th scope="col">Age vs policy</th><th scope="col">Rotation</th>
<th scope="col">Expires</th><th scope="col">Usage</th><th scope="col">Findings</th></tr></thead>
<tbody>
${keyRows(ws)}
</tbody></table>
<h3>Expiry calendar, next ${ws.calendar.length} days</h3>
${calendarGrid(ws)}
<h3>Check findings</h3>
${findingsTable(ws)}
</section>`;
}

export function renderReportHtml(report: ReportData): string {
  const { error, warning, info } = report.counts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>timely-keys report ${e(report.generatedAt.slice(0, 10))}</title>
<style>${CSS}
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }</style>
</head>
<body>
<header>
<h1>timely-keys report</h1>
<p class="muted">${e(report.manifest)} — generated ${e(when(report.generatedAt))} (server clock).
<span class="error">${error} errors</span>, <span class="warning">${warning} warnings</span>, ${info} info.</p>
</header>
<main>
${report.workspaces.map(workspaceSection).join("\n")}
</main>
<footer class="muted">Written by timely-keys report: no network, nothing loaded from elsewhere.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

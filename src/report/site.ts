// The static report site published to GitHub Pages: an overview page and one page per pipeline.
// Plain HTML with one inline stylesheet, no scripts and no external assets, so it also works offline
// and from a file:// URL.

import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type {
  CheckStatus,
  FreshnessState,
  FreshnessStatus,
  PipelineStatus,
  RunHistoryPoint,
  RunState,
  StatusReport,
  StepState,
  TableStatus,
} from '../state/types.js';
import { formatCount, formatDuration } from './format.js';

export type { RunHistoryPoint } from '../state/types.js';
import { isConserved, isFreshnessBreach, sortChecksBySeverity, tallyPipeline, tallyReport, type ReportState } from './tally.js';

export interface BuildSiteOptions {
  /** Past runs of every pipeline; each pipeline page shows its most recent ones. */
  history?: RunHistoryPoint[];
}

export interface BuiltSite {
  indexPath: string;
  /** Every file written, as absolute paths inside the final output folder. */
  files: string[];
}

/** A day of hourly runs: enough to see a trend without turning the page into a log. */
const RECENT_RUNS = 24;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * The page's file name for a pipeline. Pipeline names are validated identifiers, but the report must not
 * write outside its folder even for a name it did not expect, so anything else is percent-encoded.
 */
export function pipelinePageName(name: string): string {
  return `${encodeURIComponent(name)}.html`;
}

export async function buildSite(report: StatusReport, outDir: string, options: BuildSiteOptions = {}): Promise<BuiltSite> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  // Built beside the target (same file system, so the final rename is atomic) and swapped in only when
  // complete: a failure half-way leaves the previously published site untouched.
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.building-`));
  const relativeFiles: string[] = [];
  try {
    const history = groupHistory(options.history ?? []);
    await writeFile(path.join(staging, 'index.html'), renderIndex(report));
    relativeFiles.push('index.html');
    await mkdir(path.join(staging, 'pipelines'));
    for (const pipeline of report.pipelines) {
      const file = path.join('pipelines', pipelinePageName(pipeline.name));
      await writeFile(path.join(staging, file), renderPipelinePage(report, pipeline, history.get(pipeline.name) ?? []));
      relativeFiles.push(file);
    }
    await swapInto(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    indexPath: path.join(target, 'index.html'),
    files: relativeFiles.map((file) => path.join(target, file)),
  };
}

/** rename() cannot replace a non-empty folder, so the old site steps aside first and comes back on failure. */
async function swapInto(staging: string, target: string): Promise<void> {
  const previous = `${staging}.previous`;
  let moved = false;
  try {
    await rename(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (moved) await rename(previous, target);
    throw error;
  }
  if (moved) await rm(previous, { recursive: true, force: true });
}

function groupHistory(history: readonly RunHistoryPoint[]): Map<string, RunHistoryPoint[]> {
  const byPipeline = new Map<string, RunHistoryPoint[]>();
  for (const point of history) {
    const runs = byPipeline.get(point.pipeline);
    if (runs) runs.push(point);
    else byPipeline.set(point.pipeline, [point]);
  }
  for (const [name, runs] of byPipeline) {
    // ISO 8601 UTC strings sort chronologically as text.
    runs.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
    byPipeline.set(name, runs.slice(0, RECENT_RUNS));
  }
  return byPipeline;
}

// ---- pages ----

function renderIndex(report: StatusReport): string {
  const total = tallyReport(report);
  const overall = OVERALL[total.state];
  const pipelineRows = report.pipelines.map((pipeline) => {
    const tally = tallyPipeline(pipeline);
    return `<tr>
<th scope="row"><a href="pipelines/${escapeHtml(encodeURIComponent(pipelinePageName(pipeline.name)))}">${escapeHtml(pipeline.name)}</a></th>
<td>${runBadge(pipeline.last_run?.status ?? null)}</td>
<td>${timeOrDash(pipeline.last_run?.started_at ?? null)}</td>
<td class="n">${formatCount(tally.loaded)}</td>
<td class="n">${formatCount(tally.accepted)}</td>
<td class="n">${formatCount(tally.rejected)}</td>
<td class="n">${formatCount(tally.checksPassed)}</td>
<td class="n">${formatCount(tally.checksWarned)}</td>
<td class="n">${formatCount(tally.checksFailed)}</td>
<td>${conservationBadge(tally.conserved)}</td>
</tr>`;
  });
  const body = `<h1>Data-ops status</h1>
${facts([
    ['Overall', overall],
    ['Target', `${escapeHtml(report.target.kind)} · <code>${escapeHtml(report.target.database)}</code>`],
    ['Generated', timeOrDash(report.generated_at)],
    ['Failed runs', `${formatCount(total.failedRuns)} of ${formatCount(report.pipelines.length)} <span class="note">pipelines whose last run failed</span>`],
    ['Rows loaded', `${formatCount(total.loaded)} <span class="note">by each pipeline’s last run</span>`],
    ['Rejected', `${formatCount(total.rejected)} <span class="note">by each pipeline’s last run; each pipeline page lists all rejected rows kept</span>`],
    ['Checks', `${formatCount(total.checksPassed)} passed, ${formatCount(total.checksWarned)} warned, ${formatCount(total.checksFailed)} failed <span class="note">in each pipeline’s latest checked run</span>`],
    ['Conservation', `${conservationBadge(report.conservation_ok && total.conserved)} <span class="note">bronze = accepted + rejected for every silver load of each last run</span>`],
  ])}
${attentionSection(report)}
<section aria-labelledby="pipelines">
<h2 id="pipelines">Pipelines</h2>
${report.pipelines.length === 0 ? '<p>No pipelines reported.</p>' : table(
    'Each pipeline’s last run',
    ['Pipeline', 'Last run', 'Started', { label: 'Loaded', numeric: true }, { label: 'Accepted', numeric: true },
      { label: 'Rejected', numeric: true }, { label: 'Checks passed', numeric: true },
      { label: 'Checks warned', numeric: true }, { label: 'Checks failed', numeric: true }, 'Conservation'],
    pipelineRows,
  )}
</section>
<section aria-labelledby="freshness">
<h2 id="freshness">Freshness</h2>
${freshnessTable(report.tables, 'Every table, its rows and how fresh it is', true)}
</section>`;
  return page({ title: `Data-ops status: ${report.target.database}`, body, generatedAt: report.generated_at, root: '' });
}

function renderPipelinePage(report: StatusReport, pipeline: PipelineStatus, history: RunHistoryPoint[]): string {
  const tally = tallyPipeline(pipeline);
  const run = pipeline.last_run;
  const runFacts: Array<[string, string]> = run
    ? [
        ['Last run', `${runBadge(run.status)} <code>${escapeHtml(run.run_id)}</code>`],
        ['Started', timeOrDash(run.started_at)],
        ['Finished', timeOrDash(run.finished_at)],
      ]
    : [['Last run', runBadge(null)]];
  if (run?.error) runFacts.push(['Error', `<pre class="error">${escapeHtml(run.error)}</pre>`]);
  const steps = (run?.steps ?? []).map((step) => `<tr>
<th scope="row">${escapeHtml(step.step)}</th>
<td>${runBadge(step.status)}</td>
<td>${timeOrDash(step.started_at)}</td>
<td>${timeOrDash(step.finished_at)}</td>
<td class="message">${step.error ? `<pre class="error">${escapeHtml(step.error)}</pre>` : '—'}</td>
</tr>`);
  const checksOf = pipeline.checks_run_id && pipeline.checks_run_id !== run?.run_id
    ? `Check results of run ${pipeline.checks_run_id} (the last run ran no checks), failing first`
    : 'Check results of the last run, failing first';

  const batches = pipeline.batches.map((batch) => `<tr>
<th scope="row"><code>${escapeHtml(batch.batch_id)}</code></th>
<td>${escapeHtml(batch.resource)}${batch.backfill ? ` (backfill from ${timeOrDash(batch.backfill.from)} to ${timeOrDash(batch.backfill.to)})` : ''}</td>
<td class="n">${formatCount(batch.received)}</td>
<td class="n">${formatCount(batch.bronze_rows)}</td>
<td class="n">${formatCount(batch.rejected)}</td>
<td>${timeOrDash(batch.fetched_at)}</td>
</tr>`);
  const loads = pipeline.silver_loads.map((load) => `<tr>
<th scope="row">${escapeHtml(load.table)}</th>
<td><code>${escapeHtml(load.batch_id)}</code></td>
<td class="n">${formatCount(load.bronze)}</td>
<td class="n">${formatCount(load.accepted)}</td>
<td class="n">${formatCount(load.rejected)}</td>
<td class="n">${formatCount(load.inserted)}</td>
<td class="n">${formatCount(load.updated)}</td>
<td>${conservationBadge(isConserved(load))}</td>
</tr>`);
  const checks = sortChecksBySeverity(pipeline.checks).map((check) => `<tr>
<th scope="row">${escapeHtml(check.check)}</th>
<td>${escapeHtml(check.table)}</td>
<td>${escapeHtml(check.severity)}</td>
<td>${checkBadge(check.status)}</td>
<td class="n">${formatCount(check.failing_rows)}</td>
<td class="message">${escapeHtml(check.message)}</td>
</tr>`);
  const rejected = pipeline.rejected.map((reason) => `<tr>
<th scope="row">${escapeHtml(reason.reason)}</th>
<td>${escapeHtml(reason.table)}</td>
<td class="n">${formatCount(reason.rows)}</td>
</tr>`);
  const drift = pipeline.schema_drift.map((change) => `<tr>
<th scope="row"><code>${escapeHtml(change.path)}</code></th>
<td>${escapeHtml(change.resource)}</td>
<td>${escapeHtml(change.change.replace('_', ' '))}</td>
<td>${escapeHtml(change.old_type ?? '—')} → ${escapeHtml(change.new_type ?? '—')}</td>
</tr>`);
  const runs = history.map((point) => `<tr>
<th scope="row"><code>${escapeHtml(point.run_id)}</code></th>
<td>${timeOrDash(point.started_at)}</td>
<td>${runBadge(point.status)}</td>
<td class="n">${formatCount(point.rejected)}</td>
<td class="n">${formatCount(point.checks_failed)}</td>
</tr>`);
  const ownTables = report.tables.filter((t) => t.pipeline === pipeline.name);

  const body = `<p class="crumb"><a href="../index.html">← All pipelines</a></p>
<h1>Pipeline ${escapeHtml(pipeline.name)}</h1>
${pipeline.description ? `<p>${escapeHtml(pipeline.description)}</p>` : ''}
${facts([
    ['Owner', pipeline.owner ? escapeHtml(pipeline.owner) : '—'],
    ['File', `<code>${escapeHtml(pipeline.file)}</code>`],
    ...runFacts,
    ['Loaded', `${formatCount(tally.loaded)} rows to bronze; ${formatCount(tally.accepted)} accepted, ${formatCount(tally.rejected)} rejected`],
    ['Checks', `${formatCount(tally.checksPassed)} passed, ${formatCount(tally.checksWarned)} warned, ${formatCount(tally.checksFailed)} failed`],
    ['Conservation', conservationBadge(tally.conserved)],
  ])}
${steps.length === 0 ? '' : section('steps', 'Steps of the last run', table(
    'Each step of the last run; the first failed step is the root cause of what follows',
    ['Step', 'Status', 'Started', 'Finished', 'Error'],
    steps,
  ))}
${section('batches', 'Batches', batches.length === 0 ? '<p>No batches in the last run.</p>' : table(
    'Batches fetched by the last run',
    ['Batch', 'Resource', { label: 'Received', numeric: true }, { label: 'Bronze rows', numeric: true }, { label: 'Rejected', numeric: true }, 'Fetched at'],
    batches,
  ))}
${section('silver-loads', 'Silver loads', loads.length === 0 ? '<p>No silver loads in the last run.</p>' : table(
    'Silver loads of the last run: bronze = accepted + rejected',
    ['Table', 'Batch', { label: 'Bronze', numeric: true }, { label: 'Accepted', numeric: true },
      { label: 'Rejected', numeric: true }, { label: 'Inserted', numeric: true }, { label: 'Updated', numeric: true }, 'Conserved'],
    loads,
  ))}
${section('checks', 'Checks', checks.length === 0 ? '<p>No check results.</p>' : table(
    checksOf,
    ['Check', 'Table', 'Severity', 'Status', { label: 'Failing rows', numeric: true }, 'Message'],
    checks,
  ))}
${section('rejected', 'Rejected rows', rejected.length === 0 ? '<p>No rejected rows kept.</p>' : table(
    'Rejected rows kept, by reason',
    ['Reason', 'Table', { label: 'Rows', numeric: true }],
    rejected,
  ))}
${drift.length === 0 ? '' : section('schema-drift', 'Schema drift', table(
    'Fields that appeared, disappeared or changed type in the last run (no record was dropped)',
    ['Field', 'Resource', 'Change', 'Type'],
    drift,
  ))}
${section('tables', 'Tables', freshnessTable(ownTables, `Tables of ${pipeline.name} and their freshness`, false))}
${history.length === 0 ? '' : section('recent-runs', 'Recent runs', table(
    `The ${runs.length} most recent runs`,
    ['Run', 'Started', 'Status', { label: 'Rejected', numeric: true }, { label: 'Checks failed', numeric: true }],
    runs,
  ))}`;
  return page({ title: `${pipeline.name} · Data-ops status`, body, generatedAt: report.generated_at, root: '../' });
}

/** What needs someone: failed runs with their root cause, failing and warning checks, late tables. */
function attentionSection(report: StatusReport): string {
  const failedRuns = report.pipelines.filter((p) => p.last_run?.status === 'failed').map((p) => `<tr>
<th scope="row"><a href="pipelines/${escapeHtml(encodeURIComponent(pipelinePageName(p.name)))}">${escapeHtml(p.name)}</a></th>
<td><code>${escapeHtml(p.last_run!.run_id)}</code></td>
<td class="message"><pre class="error">${escapeHtml(p.last_run!.error ?? '(no error recorded)')}</pre></td>
</tr>`);
  const checks = report.pipelines.flatMap((p) => sortChecksBySeverity(p.checks.filter((c) => c.status !== 'pass')).map((c) => `<tr>
<th scope="row">${escapeHtml(c.check)}</th>
<td>${escapeHtml(c.table)}</td>
<td>${escapeHtml(p.name)}</td>
<td>${checkBadge(c.status)}</td>
<td class="n">${formatCount(c.failing_rows)}</td>
<td class="message">${escapeHtml(c.message)}</td>
</tr>`));
  const late = report.tables.filter(isFreshnessBreach);
  if (failedRuns.length + checks.length + late.length === 0) return '';
  return section('attention', 'Needs attention', [
    failedRuns.length === 0 ? '' : table('Failed runs: each pipeline whose last run failed, with its errors (root cause first)', ['Pipeline', 'Run', 'Error'], failedRuns),
    checks.length === 0 ? '' : table('Checks that failed or warned', ['Check', 'Table', 'Pipeline', 'Status', { label: 'Failing rows', numeric: true }, 'Message'], checks),
    late.length === 0 ? '' : freshnessTable(late, 'Tables past their freshness SLA', true),
  ].filter(Boolean).join('\n'));
}

// ---- pieces ----

type Column = string | { label: string; numeric: true };

function table(caption: string, columns: Column[], rows: string[]): string {
  const head = columns
    .map((column) => (typeof column === 'string'
      ? `<th scope="col">${escapeHtml(column)}</th>`
      : `<th scope="col" class="n">${escapeHtml(column.label)}</th>`))
    .join('');
  // The wrapper scrolls sideways on a phone instead of squeezing every column; it takes the keyboard focus
  // (and is named by the caption) so that a reader without a mouse can scroll it too.
  return `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(caption)}"><table>
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function section(id: string, heading: string, content: string): string {
  return `<section aria-labelledby="${id}">
<h2 id="${id}">${escapeHtml(heading)}</h2>
${content}
</section>`;
}

function facts(entries: Array<[string, string]>): string {
  return `<dl class="facts">
${entries.map(([term, html]) => `<dt>${escapeHtml(term)}</dt><dd>${html}</dd>`).join('\n')}
</dl>`;
}

function freshnessTable(tables: readonly TableStatus[], caption: string, withPipeline: boolean): string {
  if (tables.length === 0) return '<p>No tables reported.</p>';
  const rows = tables.map((t) => `<tr>
<th scope="row">${escapeHtml(t.name)}</th>
<td>${escapeHtml(t.layer)}</td>${withPipeline ? `\n<td>${t.pipeline === null ? '—' : escapeHtml(t.pipeline)}</td>` : ''}
<td class="n">${formatCount(t.rows)}</td>
<td>${timeOrDash(t.last_loaded_at)}</td>
<td>${freshnessBadge(t.freshness?.state ?? null)}</td>
<td>${t.freshness ? `${escapeHtml(t.freshness.field)}: ${timeOrDash(t.freshness.latest)}` : '—'}</td>
<td class="n">${t.freshness ? formatDuration(t.freshness.age_seconds) : '—'}</td>
<td>${t.freshness ? slaText(t.freshness) : '—'}</td>
</tr>`);
  const columns: Column[] = ['Table', 'Layer', ...(withPipeline ? ['Pipeline'] : []), { label: 'Rows', numeric: true },
    'Last loaded', 'Freshness', 'Newest value', { label: 'Age', numeric: true }, 'SLA'];
  return table(caption, columns, rows);
}

function slaText(freshness: FreshnessStatus): string {
  return `warn after ${formatDuration(freshness.warn_after_seconds)}, error after ${formatDuration(freshness.error_after_seconds)}`;
}

type Tone = 'ok' | 'warn' | 'bad' | 'muted';

/** The state is always spelled out in text; colour only reinforces it. */
function badge(text: string, tone: Tone): string {
  return `<span class="badge ${tone}">${escapeHtml(text)}</span>`;
}

/** The overview's verdict: "All good" only when nothing fails and nothing warns. */
const OVERALL: Record<ReportState, string> = {
  ok: badge('All good', 'ok'),
  warn: badge('Warnings', 'warn'),
  fail: badge('Needs attention', 'bad'),
};

const freshnessTones: Record<FreshnessState, Tone> = { fresh: 'ok', warn: 'warn', error: 'bad', unknown: 'muted' };
const checkTones: Record<CheckStatus, Tone> = { pass: 'ok', warn: 'warn', fail: 'bad', error: 'bad' };
const runTones: Record<StepState, Tone> = { success: 'ok', failed: 'bad', running: 'muted', skipped: 'muted' };

function freshnessBadge(state: FreshnessState | null): string {
  return state === null ? badge('no SLA', 'muted') : badge(state, freshnessTones[state]);
}

function checkBadge(status: CheckStatus): string {
  return badge(status, checkTones[status]);
}

function runBadge(state: StepState | null): string {
  return state === null ? badge('never run', 'muted') : badge(state, runTones[state]);
}

function conservationBadge(conserved: boolean): string {
  return conserved ? badge('OK', 'ok') : badge('broken', 'bad');
}

function timeOrDash(iso: string | null): string {
  return iso === null ? '—' : `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso)}</time>`;
}

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:72rem;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem}
a{color:#0550ae}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;color:#57606a;padding:.25rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom-width:2px}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.message{overflow-wrap:anywhere;min-width:12rem}
.badge{display:inline-block;padding:0 .5rem;border:1px solid;border-radius:1rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.ok{background:#dafbe1;color:#116329;border-color:#4ac26b}
.warn{background:#fff8c5;color:#7d4e00;border-color:#d4a72c}
.bad{background:#ffebe9;color:#a40e26;border-color:#ff8182}
.muted{background:#f6f8fa;color:#57606a;border-color:#d0d7de}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}
.facts dt{font-weight:600}.facts dd{margin:0}
.note{color:#57606a;font-size:.85rem}
pre.error{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;background:#ffebe9;padding:.5rem}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
`;

function page(options: { title: string; body: string; generatedAt: string; root: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${options.body}
</main>
<footer>Generated ${timeOrDash(options.generatedAt)} · <a href="${options.root}index.html">Overview</a></footer>
</body>
</html>
`;
}

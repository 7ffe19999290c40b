// The GitHub job summary: what an on-call engineer reads first after a run. GitHub refuses a step summary
// over 1,024 KB, so the text is cut to a byte budget, dropping detail rows before the headline.

import { appendFile } from 'node:fs/promises';

import type { CheckResult, PipelineStatus, StatusReport } from '../state/types.js';
import { formatCount, formatDuration } from './format.js';
import { isConserved, isFailingCheck, isFreshnessBreach, tallyPipeline, tallyReport, type ReportState } from './tally.js';

export interface SummaryOptions {
  title?: string;
  /** Upper bound in UTF-8 bytes for the whole text; default 1,000,000 (GitHub's limit is 1,048,576). */
  maxBytes?: number;
  /** What the counts are of: one run (a step's summary, a PR comment) or each pipeline's last run (the default). */
  scope?: { runId: string };
}

const DEFAULT_MAX_BYTES = 1_000_000;

/** A headline's mark: it follows the report's state, and a warning is not a failure. */
export const STATE_ICON: Record<ReportState, string> = { ok: '✅', warn: '⚠️', fail: '❌' };

/**
 * Makes text safe inside a GFM table cell. Backslashes are escaped too, otherwise a value ending in "\"
 * would escape the pipe added after it; "<" and "&" are escaped because GitHub renders inline HTML.
 */
export function escapeTableCell(value: string | number): string {
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** For text outside tables (headings, paragraphs): one line, no raw HTML. */
function escapeInline(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s*[\r\n]+\s*/g, ' ');
}

export function renderSummaryMarkdown(report: StatusReport, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const total = tallyReport(report);
  const title = options.title ?? 'Data-ops status';

  const freshness = total.freshnessError + total.freshnessWarn === 0
    ? 'all fresh'
    : `${formatCount(total.freshnessError)} error, ${formatCount(total.freshnessWarn)} warn`;
  // Every headline number is here so that truncation never hides that something is wrong.
  const headline = [
    `## ${STATE_ICON[total.state]} ${escapeInline(title)}`,
    '',
    `**${formatCount(total.loaded)} rows loaded · ${formatCount(total.accepted)} accepted · ${formatCount(total.rejected)} rejected · ` +
      `checks: ${formatCount(total.checksPassed)} passed, ${formatCount(total.checksWarned)} warned, ${formatCount(total.checksFailed)} failed** ` +
      (options.scope ? `(run \`${options.scope.runId.replace(/`/g, "'")}\` only)` : '(each pipeline’s last run)'),
    '',
    `Target ${escapeInline(report.target.kind)} \`${report.target.database.replace(/`/g, "'")}\` · ` +
      `generated ${escapeInline(report.generated_at)} · ` +
      `failed runs: ${formatCount(total.failedRuns)} · freshness: ${freshness} · ` +
      `conservation: ${total.conserved ? '✅ OK' : '❌ broken'}`,
  ].join('\n');

  const details: string[] = [];
  details.push(...pipelineSection(report.pipelines));
  details.push(...failedRunsSection(report.pipelines));
  const checks = report.pipelines.flatMap((pipeline) => pipeline.checks.map((check) => ({ pipeline: pipeline.name, check })));
  details.push(...checkSection('Failed checks', checks.filter(({ check }) => isFailingCheck(check))));
  details.push(...checkSection('Warned checks', checks.filter(({ check }) => check.status === 'warn')));
  details.push(...freshnessSection(report));
  details.push(...schemaDriftSection(report.pipelines));
  details.push(...conservationSection(report.pipelines, total.conserved));

  return fitToBytes(headline, details, maxBytes);
}

// ---- sections: each returns lines; a heading and its table header form one line so a cut never orphans them ----

function pipelineSection(pipelines: readonly PipelineStatus[]): string[] {
  if (pipelines.length === 0) return ['', 'No pipelines reported.'];
  const rows = pipelines.map((pipeline) => {
    const tally = tallyPipeline(pipeline);
    return row([
      pipeline.name,
      pipeline.last_run ? `${runIcon(pipeline.last_run.status)} ${pipeline.last_run.status}` : 'never run',
      formatCount(tally.loaded),
      formatCount(tally.accepted),
      formatCount(tally.rejected),
      formatCount(tally.checksPassed),
      formatCount(tally.checksWarned),
      formatCount(tally.checksFailed),
      tally.conserved ? '✅' : '❌',
    ]);
  });
  return [
    heading('Pipelines', ['Pipeline', 'Last run', 'Loaded', 'Accepted', 'Rejected', 'Passed', 'Warned', 'Failed', 'Conserved'], 'llrrrrrrc'),
    ...rows,
  ];
}

function failedRunsSection(pipelines: readonly PipelineStatus[]): string[] {
  const failed = pipelines.filter((pipeline) => pipeline.last_run?.status === 'failed');
  if (failed.length === 0) return [];
  return [
    heading('Failed runs', ['Pipeline', 'Run', 'Started', 'Error'], 'llll'),
    ...failed.map((pipeline) => {
      const run = pipeline.last_run!;
      return row([pipeline.name, run.run_id, run.started_at, run.error ?? '(no error recorded)']);
    }),
  ];
}

function checkSection(title: string, checks: Array<{ pipeline: string; check: CheckResult }>): string[] {
  if (checks.length === 0) return [];
  return [
    heading(`${title} (${formatCount(checks.length)})`, ['Pipeline', 'Table', 'Check', 'Severity', 'Status', 'Failing rows', 'Message'], 'lllllrl'),
    ...checks.map(({ pipeline, check }) => row([
      pipeline, check.table, check.check, check.severity, check.status, formatCount(check.failing_rows), check.message,
    ])),
    ...checks.flatMap(({ pipeline, check }) => checkSamples(pipeline, check)),
  ];
}

/** Sample rows shown per check in a summary or PR comment; the site and `dataops status --json` have all kept. */
export const SUMMARY_SAMPLES = 5;

/**
 * A check's kept failing rows (masked when they were kept) as a table, and its failing-rows SQL to copy,
 * folded under the check's name; nothing for a check that kept none.
 */
export function checkSamples(pipeline: string, check: CheckResult, limit = SUMMARY_SAMPLES): string[] {
  const samples = check.samples ?? [];
  if (samples.length === 0) return [];
  const shown = samples.slice(0, limit);
  const columns = [...new Set(shown.flatMap((sample) => Object.keys(sample)))];
  const cell = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
  const fence = '`'.repeat(Math.max(3, ...[...(check.sql ?? '').matchAll(/`+/g)].map((m) => m[0].length + 1)));
  // One entry: the byte budget keeps or drops the block whole, never leaving a <details> open.
  return [[
    '',
    `<details><summary>${escapeInline(`${pipeline} ${check.table} ${check.check}`)}: ${formatCount(shown.length)} of ${formatCount(check.failing_rows)} failing rows (sensitive columns masked)</summary>`,
    '',
    row(columns),
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...shown.map((sample) => row(columns.map((c) => cell(sample[c])))),
    ...(check.sql ? ['', 'The failing rows:', '', `${fence}sql`, check.sql, fence] : []),
    '',
    '</details>',
  ].join('\n')];
}

function freshnessSection(report: StatusReport): string[] {
  const breaches = report.tables.filter(isFreshnessBreach);
  if (breaches.length === 0) return [];
  // Errors before warnings: the reader acts on those first.
  breaches.sort((a, b) => (a.freshness!.state === b.freshness!.state ? 0 : a.freshness!.state === 'error' ? -1 : 1));
  return [
    heading(`Freshness breaches (${formatCount(breaches.length)})`, ['Table', 'State', 'Newest value', 'Age', 'Warn after', 'Error after'], 'lllrrr'),
    ...breaches.map((table) => {
      const f = table.freshness!;
      return row([
        table.name,
        `${f.state === 'error' ? '❌' : '⚠️'} ${f.state}`,
        f.latest === null ? `${f.field}: none` : `${f.field}: ${f.latest}`,
        formatDuration(f.age_seconds),
        formatDuration(f.warn_after_seconds),
        formatDuration(f.error_after_seconds),
      ]);
    }),
  ];
}

/** Fields a source started or stopped sending, or sends as another type: records are kept, but models may need a change. */
function schemaDriftSection(pipelines: readonly PipelineStatus[]): string[] {
  const changes = pipelines.flatMap((pipeline) => pipeline.schema_drift.map((change) => ({ pipeline: pipeline.name, change })));
  if (changes.length === 0) return [];
  const what = { added: '➕ added', removed: '➖ removed', type_changed: '🔀 type changed' } as const;
  return [
    heading(`Schema drift (${formatCount(changes.length)})`, ['Pipeline', 'Resource', 'Field', 'Change', 'Was', 'Now', 'Batch'], 'lllllll'),
    ...changes.map(({ pipeline, change }) => row([
      pipeline, change.resource, change.path, what[change.change], change.old_type ?? '—', change.new_type ?? '—', change.batch_id,
    ])),
  ];
}

function conservationSection(pipelines: readonly PipelineStatus[], conserved: boolean): string[] {
  const broken = pipelines.flatMap((pipeline) => pipeline.silver_loads
    .filter((load) => !isConserved(load))
    .map((load) => ({ pipeline: pipeline.name, load })));
  if (conserved && broken.length === 0) {
    return ['', '### Conservation', '', '✅ Every silver load of each last run kept bronze = accepted + rejected.'];
  }
  if (broken.length === 0) return ['', '### Conservation', '', '❌ The engine reports conservation broken.'];
  return [
    heading(`Conservation broken (${formatCount(broken.length)})`, ['Pipeline', 'Table', 'Batch', 'Bronze', 'Accepted', 'Rejected', 'Missing'], 'lllrrrr'),
    ...broken.map(({ pipeline, load }) => row([
      pipeline, load.table, load.batch_id, formatCount(load.bronze), formatCount(load.accepted), formatCount(load.rejected),
      formatCount(load.bronze - load.accepted - load.rejected),
    ])),
  ];
}

function heading(title: string, columns: string[], align: string): string {
  const separator = [...align].map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'));
  return ['', `### ${escapeInline(title)}`, '', row(columns), `| ${separator.join(' | ')} |`].join('\n');
}

function row(cells: Array<string | number>): string {
  return `| ${cells.map(escapeTableCell).join(' | ')} |`;
}

function runIcon(status: string): string {
  return status === 'success' ? '✅' : status === 'failed' ? '❌' : '⏳';
}

// ---- byte budget ----

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function truncationNote(omitted: number, maxBytes: number): string {
  return `_Truncated: ${formatCount(omitted)} more lines not shown to keep this summary under ${formatCount(maxBytes)} bytes; the report site and \`dataops status\` have everything._`;
}

/** Keeps the headline and as many detail lines as fit, then says how many were left out. */
function fitToBytes(headline: string, details: string[], maxBytes: number): string {
  const full = `${[headline, ...details].join('\n')}\n`;
  if (byteLength(full) <= maxBytes) return full;

  // Reserved with the largest possible count, so the real note (fewer or equal digits) always fits.
  const reserve = byteLength(`\n\n${truncationNote(details.length, maxBytes)}\n`);
  let used = byteLength(headline);
  if (used + reserve > maxBytes) {
    // Budget smaller than the headline itself: cut bytes, never characters in half.
    return cutToBytes(`${headline}\n\n${truncationNote(details.length, maxBytes)}\n`, maxBytes);
  }
  const kept = [headline];
  for (const line of details) {
    const cost = byteLength(line) + 1;
    if (used + cost + reserve > maxBytes) break;
    kept.push(line);
    used += cost;
  }
  const omitted = details.length - (kept.length - 1);
  return `${kept.join('\n')}\n\n${truncationNote(omitted, maxBytes)}\n`;
}

function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Step back over UTF-8 continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * Appends to the job summary file the runner names in GITHUB_STEP_SUMMARY. Returns false outside Actions
 * (variable unset), so the caller can print to the console instead.
 */
export async function writeStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}

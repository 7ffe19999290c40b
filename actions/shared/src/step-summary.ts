// The job summary of one action: the project's status (the same view as `dataops status` and the site)
// followed by what this step itself did, so an on-call engineer sees both on one screen.
import { readFileSync } from 'node:fs';
import { formatCount } from '../../../src/report/format.js';
import { escapeTableCell, renderSummaryMarkdown } from '../../../src/report/summary.js';
import type { StatusReport } from '../../../src/state/types.js';
import type { RunTotals, StepRun } from './step-run.js';

/** GitHub refuses a step summary over 1,024 KB; the status view gets what the step detail leaves. */
const SUMMARY_BYTES = 1_000_000;
const DETAIL_BYTES = 200_000;

export function renderStepSummary(step: StepRun, report: StatusReport, totals: RunTotals): string {
  const detail = fitLines(stepDetail(step, totals), DETAIL_BYTES);
  const status = renderSummaryMarkdown(report, {
    title: `${step.action}: run ${step.result.runId}`,
    scope: { runId: step.result.runId },
    maxBytes: SUMMARY_BYTES - Buffer.byteLength(detail, 'utf8'),
  });
  return `${status}\n${detail}`;
}

export function renderFailureSummary(action: string, message: string): string {
  return [`## ❌ ${action} failed`, '', trigger(), '', '```text', message.replace(/```/g, "'''"), '```', ''].join('\n');
}

function stepDetail(step: StepRun, totals: RunTotals): string[] {
  const { result } = step;
  const lines = [
    `### This step: ${step.action}`,
    '',
    `${trigger()} · pipelines: ${result.pipelines.map((p) => p.pipeline).join(', ') || 'none'}`,
    '',
    `Run so far: ${formatCount(totals.loaded)} loaded, ${formatCount(totals.accepted)} accepted, ${formatCount(totals.rejected)} rejected · ` +
      `checks this step: ${formatCount(totals.checksPassed)} passed, ${formatCount(totals.checksWarned)} warned, ${formatCount(totals.checksFailed)} failed`,
  ];
  const backfill = result.pipelines.find((p) => p.backfill)?.backfill;
  if (backfill) {
    // What the window meant for each resource, and where each cursor stayed (a cursor is data: escaped).
    lines.push(...table(`A backfill of [${backfill.from}, ${backfill.to})`, ['What it fetched, and where each cursor is'], 'l',
      result.pipelines.flatMap((p) => p.backfill?.notes ?? []).map((note) => [note])));
  }
  const batches = result.pipelines.flatMap((p) => p.batches);
  if (batches.length) {
    lines.push(...table('Ingested', ['Pipeline', 'Resource', 'Received', 'Appended to bronze', 'Table'], 'llrrl',
      batches.map((b) => [b.pipeline, b.resource, formatCount(b.received), formatCount(b.bronzeRows), `bronze.${b.table}`])));
  }
  const loads = result.pipelines.flatMap((p) => p.silverLoads.map((l) => ({ pipeline: p.pipeline, l })));
  if (loads.length) {
    lines.push(...table('Silver', ['Pipeline', 'Table', 'Bronze', 'Accepted', 'Rejected', 'New', 'Updated'], 'llrrrrr',
      loads.map(({ pipeline, l }) => [pipeline, l.table, formatCount(l.bronze), formatCount(l.accepted), formatCount(l.rejected), formatCount(l.inserted), formatCount(l.updated)])));
  }
  if (result.models.length) {
    lines.push(...table('SQL models', ['Model', 'File', 'Rows'], 'llr', result.models.map((m) => [m.model, m.file, formatCount(m.rows)])));
  }
  const notPassed = result.pipelines.flatMap((p) => p.checks).filter((c) => c.status !== 'pass');
  if (notPassed.length) {
    lines.push(...table('Checks not passed', ['Table', 'Check', 'Severity', 'Status', 'Failing rows', 'Declared at', 'Message'], 'llllrll',
      notPassed.map((c) => [c.table, c.check, c.severity, c.status, formatCount(c.failing_rows), `${c.file}:${c.line}`, c.message])));
  }
  const errors = [
    ...step.result.earlierFailures.map((f) => [`${f.pipeline} (${f.step}, earlier in this run)`, f.error]),
    ...result.pipelines.filter((p) => p.error).map((p) => [p.pipeline, p.error!]),
    ...(result.modelError ? [['gold models', result.modelError]] : []),
  ];
  if (errors.length) lines.push(...table('Errors', ['Where', 'Error'], 'll', errors));
  return lines;
}

function table(title: string, columns: string[], align: string, rows: string[][]): string[] {
  const separator = [...align].map((a) => (a === 'r' ? '---:' : '---'));
  const row = (cells: string[]) => `| ${cells.map(escapeTableCell).join(' | ')} |`;
  return ['', `#### ${title}`, '', row(columns), `| ${separator.join(' | ')} |`, ...rows.map(row)];
}

/** Keeps whole lines within the budget and says how many were left out. */
function fitLines(lines: string[], maxBytes: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    used += Buffer.byteLength(line, 'utf8') + 1;
    if (used > maxBytes - 200) {
      kept.push('', `_Truncated: ${formatCount(lines.length - kept.length)} more lines not shown._`);
      break;
    }
    kept.push(line);
  }
  return `${kept.join('\n')}\n`;
}

/** What started the workflow, from the runner's environment and event payload. */
function trigger(): string {
  const event = process.env.GITHUB_EVENT_NAME;
  if (!event) return 'Run outside GitHub Actions';
  let payload: Record<string, unknown> = {};
  try {
    if (process.env.GITHUB_EVENT_PATH) payload = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    // The payload only adds detail to one line; a missing or odd file is not worth failing for.
  }
  const detail =
    event === 'schedule' && typeof payload.schedule === 'string' ? ` \`${payload.schedule}\``
    : event === 'pull_request' && typeof payload.number === 'number' ? ` #${payload.number}`
    : process.env.GITHUB_REF_NAME ? ` on ${process.env.GITHUB_REF_NAME}`
    : '';
  return `Triggered by ${event}${detail.replace(/[<>&|]/g, '')}`;
}

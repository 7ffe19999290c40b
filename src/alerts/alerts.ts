// What a run tells the people on call: a failed run, a failing error-severity check, a table past its
// freshness SLA, each as an alert that fires while the problem lasts and resolves when it is gone. Where
// alerts go (GitHub issues, a webhook) is decided elsewhere; warnings never become alerts.
import type { RunResult } from '../engine.js';
import { formatDuration } from '../report/format.js';
import { escapeTableCell } from '../report/summary.js';
import type { CheckOutcome } from '../quality/freshness.js';
import type { FreshnessStatus, TableStatus } from '../state/types.js';

export type AlertKind = 'run' | 'check' | 'freshness';

export interface Alert {
  kind: AlertKind;
  /** Identity across runs: one open issue per kind and key (pipeline, pipeline + check, table). */
  key: string;
  pipeline: string | null;
  /** firing: the problem is there in this run; resolved: this run shows it gone. */
  state: 'firing' | 'resolved';
  /** An issue's title, and the headline of a webhook message. */
  title: string;
  /** One line for logs and webhook messages. */
  summary: string;
  /** Markdown: the issue's body when it is opened. */
  body: string;
  /** Markdown: the comment on an open issue for a new occurrence; none for kinds that stay one quiet issue. */
  again?: string;
  /** Markdown: the comment an issue is closed with. */
  recovered: string;
}

export interface AlertContext {
  runId: string;
  /** Link to the workflow run, for the issue and its comments. */
  runUrl?: string;
}

/**
 * One `run` alert per pipeline the step ran (firing when any step of the run failed for it), and one
 * `check` alert per error-severity check it ran (firing when it failed or could not run). A check that
 * could not run because an earlier step failed is the run alert's knock-on, and neither fires nor
 * resolves its own; `skipCheckKinds` leaves out kinds reported elsewhere (freshness has its own issues).
 */
export function runAlerts(result: Pick<RunResult, 'pipelines' | 'earlierFailures'>, context: AlertContext, options: { skipCheckKinds?: readonly string[] } = {}): Alert[] {
  const alerts: Alert[] = [];
  for (const run of result.pipelines) {
    const errors = [
      ...result.earlierFailures.filter((f) => f.pipeline === run.pipeline).map((f) => `${f.step}: ${f.error}`),
      ...(run.error ? [run.error] : []),
    ];
    alerts.push(runAlert(run.pipeline, errors, context));
    for (const check of run.checks) {
      if (options.skipCheckKinds?.includes(check.kind)) continue;
      const failing = check.severity === 'error' && (check.status === 'fail' || check.status === 'error');
      if (failing && check.status === 'error' && errors.length) continue;
      alerts.push(checkAlert(check, failing, context));
    }
  }
  return alerts;
}

function runAlert(pipeline: string, errors: string[], context: AlertContext): Alert {
  const run = runLink(context);
  const error = errors.join('\n');
  return {
    kind: 'run',
    key: pipeline,
    pipeline,
    state: errors.length ? 'firing' : 'resolved',
    title: `Run failed: pipeline ${pipeline}`,
    summary: errors.length ? `pipeline ${pipeline}: run ${context.runId} failed: ${errors[0]}` : `pipeline ${pipeline}: run ${context.runId} succeeded`,
    body: [
      `Run \`${context.runId}\` of pipeline \`${pipeline}\` failed${run ? ` (${run})` : ''}:`,
      '',
      codeBlock(error),
      '',
      'A failed run keeps bronze and leaves the cursor where it was, so the next run resumes. `npx dataops status` and the ' +
        'run’s job summary say more. New failures are added below as comments; the issue is closed when a run succeeds.',
    ].join('\n'),
    again: [`Failed again: run \`${context.runId}\`${run ? ` (${run})` : ''}:`, '', codeBlock(error)].join('\n'),
    recovered: `Recovered: run \`${context.runId}\` of \`${pipeline}\` succeeded${run ? ` (${run})` : ''}. Closing.`,
  };
}

function checkAlert(check: CheckOutcome, failing: boolean, context: AlertContext): Alert {
  const run = runLink(context);
  const what = check.status === 'error' ? 'could not run' : `failed: ${check.failing_rows} failing ${check.failing_rows === 1 ? 'row' : 'rows'}`;
  return {
    kind: 'check',
    key: `${check.pipeline}/${check.table}/${check.check}`,
    pipeline: check.pipeline,
    state: failing ? 'firing' : 'resolved',
    title: `Check failed: ${check.table} ${check.check}`,
    summary: failing ? `${check.table} ${check.check} ${what} (${check.file}:${check.line})` : `${check.table} ${check.check} passes again`,
    body: [
      `The error-severity check \`${check.check}\` on \`${check.table}\` (pipeline \`${check.pipeline}\`, declared at \`${check.file}:${check.line}\`) ${what} in run \`${context.runId}\`${run ? ` (${run})` : ''}.`,
      '',
      '| Table | Check | Status | Failing rows | Message |',
      '| --- | --- | --- | ---: | --- |',
      `| ${escapeTableCell(check.table)} | ${escapeTableCell(check.check)} | ${check.status} | ${check.failing_rows} | ${escapeTableCell(check.message)} |`,
      '',
      'The failing rows:',
      '',
      codeBlock(check.sql, 'sql'),
      '',
      'Each new failure is added below as a comment; the issue is closed when the check passes (or only warns) again.',
    ].join('\n'),
    again: `Failed again in run \`${context.runId}\`${run ? ` (${run})` : ''}: ${check.status === 'error' ? escapeTableCell(check.message) : `${check.failing_rows} failing ${check.failing_rows === 1 ? 'row' : 'rows'}`}.`,
    recovered: `Recovered: \`${check.check}\` on \`${check.table}\` ${check.status === 'pass' ? 'passes' : 'no longer fails at error severity'} in run \`${context.runId}\`${run ? ` (${run})` : ''}. Closing.`,
  };
}

/**
 * One `freshness` alert per table with an SLA: firing in `error`, resolved when `fresh` or `warn`;
 * `unknown` (an empty or missing table) gives none. A stale table stays one quiet issue: no comment per run.
 */
export function freshnessAlerts(tables: readonly TableStatus[], context: Partial<AlertContext> = {}): Alert[] {
  const alerts: Alert[] = [];
  for (const table of tables) {
    const f = table.freshness;
    if (!f || f.state === 'unknown') continue;
    alerts.push({
      kind: 'freshness',
      key: table.name,
      pipeline: table.pipeline,
      state: f.state === 'error' ? 'firing' : 'resolved',
      title: freshnessIssueTitle(table.name),
      summary: f.state === 'error' ? `${table.name} is stale: newest ${f.field} is ${formatDuration(f.age_seconds)} old (SLA ${formatDuration(f.error_after_seconds)})` : `${table.name} is fresh again`,
      body: freshnessBody(table, f, context.runUrl),
      recovered: freshnessRecovered(table, f, context.runUrl),
    });
  }
  return alerts;
}

export function freshnessIssueTitle(table: string): string {
  return `Freshness: ${table} is stale`;
}

function freshnessBody(table: TableStatus, f: FreshnessStatus, runUrl: string | undefined): string {
  return [
    `\`${table.name}\` is past its freshness SLA: its newest \`${f.field}\` is ${f.latest === null ? 'missing (the table is empty)' : `\`${f.latest}\`, ${formatDuration(f.age_seconds)} old`}, ` +
      `and the SLA errors after ${formatDuration(f.error_after_seconds)} (warns after ${formatDuration(f.warn_after_seconds)}).`,
    '',
    '| Table | Pipeline | Newest value | Age | Error after |',
    '| --- | --- | --- | ---: | ---: |',
    `| ${escapeTableCell(table.name)} | ${escapeTableCell(table.pipeline ?? '—')} | ${escapeTableCell(f.latest ?? 'none')} | ${formatDuration(f.age_seconds)} | ${formatDuration(f.error_after_seconds)} |`,
    '',
    runUrl ? `Measured by [this run](${runUrl}). ` : '',
    'Look at the last runs of the pipeline (`npx dataops status`, or the Ingest workflow’s job summaries) for a failed ' +
      'source or a cursor that stopped moving. This issue is closed automatically when the table is fresh again.',
  ].join('\n');
}

function freshnessRecovered(table: TableStatus, f: FreshnessStatus, runUrl: string | undefined): string {
  return (
    `Recovered: \`${table.name}\` is ${f.state === 'fresh' ? 'fresh' : 'back within its error threshold (still past the warning one)'} again; ` +
    `newest \`${f.field}\` is \`${f.latest}\`, ${formatDuration(f.age_seconds)} old${runUrl ? ` ([run](${runUrl}))` : ''}. Closing.`
  );
}

function runLink(context: AlertContext): string {
  return context.runUrl ? `[workflow run](${context.runUrl})` : '';
}

/** A fenced block that the text cannot close early. */
function codeBlock(text: string, language = 'text'): string {
  return ['```' + language, text.replace(/```/g, "'''"), '```'].join('\n');
}

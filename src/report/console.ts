// The few lines printed at the end of a CLI run: enough to see whether it worked and where to look next.
// Plain text without colour codes, so it reads the same in a terminal, a CI log and a pasted issue.

import type { StatusReport } from '../state/types.js';
import { formatCount, formatDuration } from './format.js';
import { isFailingCheck, isFreshnessBreach, tallyPipeline, tallyReport } from './tally.js';

export interface ConsoleSummaryOptions {
  /** Path or URL of the built report site, printed last. */
  siteIndex?: string;
}

/** Beyond this the console becomes a log; the site and job summary list everything. */
const MAX_LISTED = 5;
const MAX_MESSAGE = 120;
/** Checks whose samples are shown, sample rows shown per check, and how much of each. */
const MAX_SAMPLED_CHECKS = 10;
const MAX_SAMPLES = 2;
const MAX_SAMPLE = 200;

export function renderConsoleSummary(report: StatusReport, options: ConsoleSummaryOptions = {}): string {
  const total = tallyReport(report);
  const lines: string[] = [];
  lines.push(`${total.state === 'fail' ? 'FAILED' : total.state === 'warn' ? 'WARN' : 'OK'}  ${oneLine(report.target.kind)}:${oneLine(report.target.database)}  generated ${report.generated_at}`);
  // The period, and the count of failed runs the job summaries and the site show too.
  lines.push(
    `${formatCount(total.loaded)} rows loaded, ${formatCount(total.accepted)} accepted, ${formatCount(total.rejected)} rejected; ` +
      `checks ${formatCount(total.checksPassed)} passed, ${formatCount(total.checksWarned)} warned, ${formatCount(total.checksFailed)} failed; ` +
      `failed runs: ${formatCount(total.failedRuns)} of ${formatCount(report.pipelines.length)} (each pipeline's last run)`,
  );

  const width = Math.max(8, ...report.pipelines.map((pipeline) => oneLine(pipeline.name).length));
  for (const pipeline of report.pipelines) {
    const tally = tallyPipeline(pipeline);
    const state = pipeline.last_run?.status ?? 'never run';
    lines.push(
      `  ${oneLine(pipeline.name).padEnd(width)}  ${state.padEnd(9)}  loaded ${formatCount(tally.loaded)}, ` +
        `rejected ${formatCount(tally.rejected)}, checks ${tally.checksPassed}/${tally.checksWarned}/${tally.checksFailed} pass/warn/fail` +
        (tally.conserved ? '' : ', CONSERVATION BROKEN'),
    );
    if (pipeline.last_run?.status === 'failed' && pipeline.last_run.error) {
      lines.push(`    error: ${clip(pipeline.last_run.error)}`);
    }
  }

  lines.push(total.conserved
    ? 'Conservation: OK (bronze = accepted + rejected for every silver load)'
    : 'Conservation: BROKEN (some silver load lost or invented rows: bronze != accepted + rejected)');

  const failing = report.pipelines.flatMap((pipeline) => pipeline.checks
    .filter(isFailingCheck)
    .map((check) => `  ${oneLine(pipeline.name)} ${oneLine(check.table)} ${oneLine(check.check)} [${check.status}, ${formatCount(check.failing_rows)} rows]: ${clip(check.message)}`));
  if (failing.length > 0) {
    lines.push(`Failing checks (${failing.length}):`);
    lines.push(...listed(failing));
  }

  // A few failing rows of each check that kept some (masked when kept), so the fix can start here.
  const sampled = report.pipelines.flatMap((pipeline) => pipeline.checks.map((check) => ({ pipeline, check })))
    .filter(({ check }) => check.status !== 'pass' && (check.samples?.length ?? 0) > 0)
    // Failing checks first: they are what the reader acts on.
    .sort((a, b) => Number(a.check.status === 'warn') - Number(b.check.status === 'warn'))
    .map(({ pipeline, check }) => [
      `  ${oneLine(pipeline.name)} ${oneLine(check.table)} ${oneLine(check.check)} (${formatCount(check.samples!.length)} of ${formatCount(check.failing_rows)} failing rows kept):`,
      ...check.samples!.slice(0, MAX_SAMPLES).map((sample) => `    ${clip(JSON.stringify(sample), MAX_SAMPLE)}`),
    ]);
  if (sampled.length > 0) {
    lines.push('Failing-row samples (sensitive columns masked; all of them: dataops status --json):');
    lines.push(...sampled.slice(0, MAX_SAMPLED_CHECKS).flat());
    if (sampled.length > MAX_SAMPLED_CHECKS) lines.push(`  ... and ${sampled.length - MAX_SAMPLED_CHECKS} more checks`);
  }

  const stale = report.tables.filter(isFreshnessBreach).map((table) => {
    const f = table.freshness!;
    const limit = f.state === 'error' ? f.error_after_seconds : f.warn_after_seconds;
    return `  ${oneLine(table.name)} ${f.state}: age ${formatDuration(f.age_seconds)} (limit ${formatDuration(limit)})`;
  });
  if (stale.length > 0) {
    lines.push(`Freshness breaches (${stale.length}):`);
    lines.push(...listed(stale));
  }

  if (options.siteIndex) lines.push(`Report: ${options.siteIndex}`);
  return `${lines.join('\n')}\n`;
}

function listed(lines: string[]): string[] {
  if (lines.length <= MAX_LISTED) return lines;
  return [...lines.slice(0, MAX_LISTED), `  ... and ${lines.length - MAX_LISTED} more`];
}

/** A stray newline or control character from a message must not break or forge terminal lines. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function clip(text: string, max = MAX_MESSAGE): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

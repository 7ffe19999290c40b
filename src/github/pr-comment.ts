// The one sticky comment on a pull request: found by a hidden marker, created the first time and
// edited in place after that, so a PR with twenty pushes still has one report, always the latest.
import { basename } from 'node:path';
import { codeCell, renderDiffMarkdown, type DiffReport } from '../diff/render.js';
import type { Diagnostic } from '../errors.js';
import { formatCount } from '../report/format.js';
import { escapeTableCell, renderSummaryMarkdown, STATE_ICON } from '../report/summary.js';
import { tallyReport } from '../report/tally.js';
import { mask } from '../secrets.js';
import type { StatusReport } from '../state/types.js';
import { describeGitHubError, type GitHub, type Repo } from './client.js';
import { renderPlanMarkdown } from './pr-plan.js';
import type { PrScope } from './pr-scope.js';

/** The comment's first line; hidden when rendered. A reply quoting it does not start with it. */
export const PR_REPORT_MARKER = '<!-- dataops:pr-report -->';

/** GitHub refuses an issue comment body longer than this many characters. */
export const COMMENT_MAX_CHARS = 65_536;

/** Kept below the limit for the truncation note and any character GitHub counts differently. */
const BODY_BUDGET = COMMENT_MAX_CHARS - 1_536;

/** More than this many diagnostics say nothing new; `dataops validate` lists them all. */
const SHOWN_DIAGNOSTICS = 50;

export interface PrReport {
  /** The project's status after the gate, narrowed to what the PR built; absent when the gate failed first. */
  report?: StatusReport;
  scope?: PrScope;
  /** From validating the whole project: errors and warnings. */
  diagnostics: readonly Diagnostic[];
  /** The gate's failure message, when it failed. */
  failure?: string;
  runId?: string;
  runUrl?: string;
  /** Base of links to the commit under test: `${blobUrl}/<file>#L<line>`. */
  blobUrl?: string;
  /** Shown in the footer, e.g. the head commit. */
  sha?: string;
  /** What the change does to the data (`dataops diff --json`), when a step computed it. */
  diff?: DiffReport;
  /** Why there is no diff where one was expected (its file is empty or not a diff); shown in its place. */
  diffUnavailable?: string;
}

export function renderPrComment(input: PrReport): string {
  const errors = input.diagnostics.filter((d) => d.severity === 'error');
  const reportState = input.report ? tallyReport(input.report).state : 'ok';
  const state = input.failure || errors.length || reportState === 'fail' ? 'fail' : reportState;
  const head = [PR_REPORT_MARKER, `## ${STATE_ICON[state]} Data-ops: ${HEADLINES[state]}`, ''];
  // The root cause leads: a step that failed (the ingest) comes before the checks that failed because of it.
  const rootCause = input.report ? rootCauseSection(input.report) : [];
  head.push(...rootCause);
  if (input.failure) head.push(rootCause.length ? '#### What the gate reported' : '', '```text', fence(mask(input.failure)), '```', '');
  const footer = [
    '',
    '---',
    `<sub>Updated ${new Date().toISOString()}${input.sha ? ` for ${input.sha.slice(0, 7)}` : ''}` +
      `${input.runId ? ` · run \`${input.runId}\`` : ''}${input.runUrl ? ` · [workflow run](${input.runUrl})` : ''}` +
      ' · this comment is edited in place on every push</sub>',
  ].join('\n');

  // Each part gets the room its precedence leaves: the root cause and validation always, then the plan, the
  // data diff and the checks, each cut to fit what is left (GitHub refuses a longer comment).
  const lead = [...head, ...scopeSection(input.scope)].join('\n');
  const validation = validationSection(input.diagnostics, input.blobUrl).join('\n');
  let room = BODY_BUDGET - lead.length - validation.length - footer.length - 8;
  const take = (text: string) => {
    room -= text.length + 2;
    return text;
  };
  const plan = input.scope?.changes ? take(renderPlanMarkdown(input.scope.changes, { maxChars: room })) : '';
  const diff = take(renderDiffSection(input, { maxChars: room }));
  // The status renderer counts UTF-8 bytes, which are never fewer than characters: its text fits.
  const checks = input.report && room > 500
    ? renderSummaryMarkdown(input.report, { title: 'Checks on the pull request’s copy of the warehouse', maxBytes: room, scope: input.runId ? { runId: input.runId } : undefined })
    : '';
  const body = [lead, plan && `\n${plan.trimEnd()}`, validation, diff && `\n${diff.trimEnd()}`, checks && `\n${checks}`].filter(Boolean).join('\n');
  return fitComment(`${mask(body)}\n${footer}`);
}

/**
 * The data diff: the tables the change touches, compared by `dataops diff`, with where each side is and
 * which touched tables were not built; or why there is none. The empty string when it does not fit.
 */
export function renderDiffSection(change: Pick<PrReport, 'diff' | 'diffUnavailable'>, limits: { maxChars: number; maxBytes?: number }): string {
  const fits = (text: string) => text.length <= limits.maxChars && (limits.maxBytes === undefined || Buffer.byteLength(text, 'utf8') <= limits.maxBytes);
  if (change.diffUnavailable) {
    const text = `### Data diff\n\n⚠️ No data diff: ${escapeTableCell(change.diffUnavailable)}\n`;
    return fits(text) ? text : '';
  }
  if (!change.diff) return '';
  const { diff } = change;
  const sides = `_Base: ${codeCell(sideName(diff.base))}; pull request: ${codeCell(sideName(diff.changed))}._`;
  const notBuilt = diff.not_built?.length
    ? `_Not built on either side, so not compared: ${diff.not_built.map(codeCell).join(', ')} (usually a model waiting for a table of a pipeline this pull request does not run: the transform step's log names it)._`
    : '';
  const extra = [sides, notBuilt].filter(Boolean).join('\n\n');
  const maxBytes = limits.maxBytes === undefined ? undefined : limits.maxBytes - Buffer.byteLength(extra, 'utf8') - 4;
  const section = renderDiffMarkdown(diff.tables, { maxChars: limits.maxChars - extra.length - 4, maxBytes, title: 'Data diff' });
  return section ? `${section.trimEnd()}\n\n${extra}\n` : '';
}

/** A DuckDB file by its name (the runner's folders say nothing); a Snowflake database as the diff names it. */
function sideName(label: string): string {
  return /[\\/]/.test(label) ? basename(label) : label;
}

const HEADLINES = {
  ok: 'this pull request validates and its checks pass',
  warn: 'this pull request validates; some checks warn',
  fail: 'this pull request needs attention',
} as const;

/**
 * Each failed step of the run, earliest first, with its error (for an ingest: the resource, the URL
 * without secrets and what went wrong), then the checks that could not run, as what followed from it.
 */
function rootCauseSection(report: StatusReport): string[] {
  const failed = report.pipelines.flatMap((p) => (p.last_run?.steps ?? []).filter((s) => s.status === 'failed').map((s) => ({ pipeline: p.name, step: s })));
  if (failed.length === 0) return [];
  const lines = ['### Root cause', ''];
  for (const { pipeline, step } of failed.filter((f) => f.step.step !== 'check')) {
    lines.push(`**\`${pipeline}\`: the ${step.step} step failed**`, '', '```text', fence(step.error ?? 'failed'), '```', '');
  }
  const knockOn = report.pipelines.flatMap((p) => p.checks.filter((c) => c.status === 'error').map((c) => ({ pipeline: p.name, check: c })));
  const rootIsCheck = failed.every((f) => f.step.step === 'check');
  if (rootIsCheck) {
    for (const { pipeline, step } of failed) lines.push(`**\`${pipeline}\`: ${escapeTableCell(step.error ?? 'checks failed')}**`, '');
  } else if (knockOn.length) {
    lines.push(`Because of it, ${formatCount(knockOn.length)} check${knockOn.length === 1 ? '' : 's'} could not run:`, '');
    for (const { pipeline, check } of knockOn.slice(0, 20)) lines.push(`- \`${pipeline}\` ${escapeTableCell(check.table)} ${escapeTableCell(check.check)}: ${escapeTableCell(check.message)}`);
    if (knockOn.length > 20) lines.push(`- … and ${formatCount(knockOn.length - 20)} more`);
    lines.push('');
  }
  return lines;
}

function scopeSection(scope: PrScope | undefined): string[] {
  if (!scope) return [];
  const lines = ['### What this pull request builds', ''];
  const list = (names: string[]) => (names.length ? names.map((n) => `\`${n}\``).join(', ') : 'none');
  lines.push(`- Changed pipelines: ${list(scope.changedPipelines)}`);
  lines.push(`- Changed models and their downstream: ${list(scope.changedModels)}`);
  if (scope.everything) lines.push(`- Every pipeline runs: ${escapeTableCell(scope.everything)}`);
  if (scope.pipelines.length) {
    lines.push(`- Run on an isolated copy: pipelines ${list(scope.pipelines)}; gold models rebuilt ${list(scope.models)}`);
  } else if (scope.skipped.length === 0) {
    lines.push('- Nothing to build: no pipeline or model changed.');
  }
  for (const s of scope.skipped) {
    const why = s.cause === 'env_unset' ? ' (a pull request from a fork gets no secrets)' : '';
    lines.push(`- Not run here: \`${s.pipeline}\`, ${escapeTableCell(s.reason)}${why}`);
  }
  lines.push(`- ${formatCount(scope.files.length)} file${scope.files.length === 1 ? '' : 's'} changed`);
  return lines;
}

function validationSection(diagnostics: readonly Diagnostic[], blobUrl: string | undefined): string[] {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return ['', '### Validation', '', '✅ Every pipeline and SQL file is valid.'];
  const lines = [
    '',
    `### Validation: ${formatCount(errors)} error${errors === 1 ? '' : 's'}, ${formatCount(warnings)} warning${warnings === 1 ? '' : 's'}`,
    '',
    '| | Where | Problem |',
    '| --- | --- | --- |',
  ];
  // Errors first: they are what blocks the merge.
  const sorted = [...diagnostics].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const d of sorted.slice(0, SHOWN_DIAGNOSTICS)) {
    const where = `${d.file}:${d.line}:${d.col}`;
    const place = blobUrl ? `[${escapeTableCell(where)}](${blobUrl}/${encodeURI(d.file)}#L${d.line})` : escapeTableCell(where);
    lines.push(`| ${d.severity === 'error' ? '❌' : '⚠️'} | ${place} | ${escapeTableCell(d.message)} |`);
  }
  if (sorted.length > SHOWN_DIAGNOSTICS) lines.push('', `_${formatCount(sorted.length - SHOWN_DIAGNOSTICS)} more: run \`npx dataops validate\`._`);
  return lines;
}

/** A failure message inside a ``` block must not close it. */
function fence(text: string): string {
  return text.replace(/```/g, "'''");
}

/**
 * Cuts a body that is still over the limit at a line boundary, keeping the marker line, and says so.
 * Never splits a surrogate pair: the cut is on a newline.
 */
export function fitComment(body: string, maxChars = COMMENT_MAX_CHARS): string {
  if (body.length <= maxChars) return body;
  const note = '\n\n_Truncated to fit GitHub’s comment limit; the job summary and `npx dataops status` have everything._\n';
  let cut = body.lastIndexOf('\n', maxChars - note.length);
  if (cut < PR_REPORT_MARKER.length) cut = PR_REPORT_MARKER.length;
  return `${body.slice(0, cut)}${note}`;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

/** Creates our comment on the pull request, or edits the one already there (the first, if a race made two). */
export async function upsertPrComment(github: GitHub, repo: Repo, pullNumber: number, body: string): Promise<CommentResult> {
  if (!body.startsWith(PR_REPORT_MARKER)) throw new Error('upsertPrComment: the body must start with PR_REPORT_MARKER, or the next run cannot find it');
  if (body.length > COMMENT_MAX_CHARS) throw new Error(`upsertPrComment: the body has ${body.length} characters; GitHub accepts ${COMMENT_MAX_CHARS}`);
  try {
    const comments = await github.paginate(github.rest.issues.listComments, { ...repo, issue_number: pullNumber, per_page: 100 });
    const ours = comments.find((c) => c.body?.startsWith(PR_REPORT_MARKER));
    if (ours && ours.body === body) return { action: 'unchanged', id: ours.id, url: ours.html_url };
    if (ours) {
      const { data } = await github.rest.issues.updateComment({ ...repo, comment_id: ours.id, body });
      return { action: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await github.rest.issues.createComment({ ...repo, issue_number: pullNumber, body });
    return { action: 'created', id: data.id, url: data.html_url };
  } catch (e) {
    throw describeGitHubError(`posting the report comment on pull request #${pullNumber}`, e);
  }
}

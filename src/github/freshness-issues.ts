// Freshness breaches as GitHub issues: one open issue per table in the `error` state, opened once and
// closed with a comment when the table is fresh again, so the on-call sees each stale table exactly once.
import { formatDuration } from '../report/format.js';
import { escapeTableCell } from '../report/summary.js';
import type { FreshnessStatus, TableStatus } from '../state/types.js';
import { describeGitHubError, type GitHub, type Repo } from './client.js';

export const FRESHNESS_LABEL = 'dataops:freshness';

export function freshnessIssueTitle(table: string): string {
  return `Freshness: ${table} is stale`;
}

/** Hidden in the body: finds the issue of a table even after someone edits its title. */
function marker(table: string): string {
  return `<!-- dataops:freshness table=${table} -->`;
}

const MARKER = /<!-- dataops:freshness table=([\w.]+) -->/;
const TITLE = /^Freshness: ([\w.]+) is stale$/;

export interface FreshnessSync {
  opened: Array<{ table: string; number: number; url: string }>;
  closed: Array<{ table: string; number: number; url: string }>;
  /** Tables still in error whose issue was already open. */
  alreadyOpen: Array<{ table: string; number: number; url: string }>;
}

export interface FreshnessSyncOptions {
  /** Link to the run that measured the freshness, for the issue and the closing comment. */
  runUrl?: string;
}

/**
 * Brings the issues in line with the given tables: each table in `error` has one open issue, and each
 * open issue whose table is now `fresh` or `warn` is closed. Tables not given are left alone, so a job
 * that ran one pipeline never touches another pipeline's issues; `unknown` (an empty or missing table)
 * neither opens nor closes one.
 */
export async function syncFreshnessIssues(github: GitHub, repo: Repo, tables: readonly TableStatus[], options: FreshnessSyncOptions = {}): Promise<FreshnessSync> {
  const result: FreshnessSync = { opened: [], closed: [], alreadyOpen: [] };
  const measured = tables.filter((t): t is TableStatus & { freshness: FreshnessStatus } => t.freshness !== null);
  if (measured.length === 0) return result;

  let open: Array<{ number: number; html_url: string; title: string; body?: string | null; pull_request?: unknown }>;
  try {
    open = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: 'open', labels: FRESHNESS_LABEL, per_page: 100 });
  } catch (e) {
    throw describeGitHubError(`listing the open ${FRESHNESS_LABEL} issues`, e);
  }
  const openByTable = new Map<string, { number: number; html_url: string }>();
  for (const issue of open) {
    if (issue.pull_request) continue;
    const table = MARKER.exec(issue.body ?? '')?.[1] ?? TITLE.exec(issue.title)?.[1];
    // The oldest issue of a table is the one kept (the listing is newest first).
    if (table) openByTable.set(table, issue);
  }

  for (const table of measured) {
    const issue = openByTable.get(table.name);
    const state = table.freshness.state;
    if (state === 'error' && issue) {
      result.alreadyOpen.push({ table: table.name, number: issue.number, url: issue.html_url });
    } else if (state === 'error') {
      try {
        const { data } = await github.rest.issues.create({
          ...repo,
          title: freshnessIssueTitle(table.name),
          body: openingBody(table, options.runUrl),
          labels: [FRESHNESS_LABEL],
        });
        result.opened.push({ table: table.name, number: data.number, url: data.html_url });
      } catch (e) {
        throw describeGitHubError(`opening the freshness issue for ${table.name}`, e);
      }
    } else if (issue && (state === 'fresh' || state === 'warn')) {
      try {
        await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: closingBody(table, options.runUrl) });
        await github.rest.issues.update({ ...repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
        result.closed.push({ table: table.name, number: issue.number, url: issue.html_url });
      } catch (e) {
        throw describeGitHubError(`closing freshness issue #${issue.number} of ${table.name}`, e);
      }
    }
  }
  return result;
}

function openingBody(table: TableStatus & { freshness: FreshnessStatus }, runUrl: string | undefined): string {
  const f = table.freshness;
  return [
    marker(table.name),
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

function closingBody(table: TableStatus & { freshness: FreshnessStatus }, runUrl: string | undefined): string {
  const f = table.freshness;
  return (
    `Recovered: \`${table.name}\` is ${f.state === 'fresh' ? 'fresh' : 'back within its error threshold (still past the warning one)'} again; ` +
    `newest \`${f.field}\` is \`${f.latest}\`, ${formatDuration(f.age_seconds)} old${runUrl ? ` ([run](${runUrl}))` : ''}. Closing.`
  );
}

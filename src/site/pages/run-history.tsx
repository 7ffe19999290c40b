// A pipeline's runs over time: what the period held (runs, failures, durations), each run of the last week
// linked to its own page, and the older days that had a failure.
import type { VNode } from 'preact';

import { formatCount, formatDuration } from '../../report/format.js';
import type { HistoryWindow, RunTrendPoint } from '../../state/history.js';
import { describePeriod } from '../history-input.js';
import { ErrorText, Facts, Link, Note, RunBadge, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';

/** A run's id, linked to its page when it has one (the runs of the last week do). */
export function RunLink({ runId, pages }: { runId: string; pages: ReadonlySet<string> }): VNode {
  return pages.has(runId) ? <Link to={pagePaths.run(runId)}><code>{runId}</code></Link> : <code>{runId}</code>;
}

export function RunHistory({ points, window, pages }: { points: readonly RunTrendPoint[]; window: HistoryWindow; pages: ReadonlySet<string> }): VNode {
  const runs = points.filter((p) => p.period === 'run');
  const days = points.filter((p) => p.period === 'day');
  const total = points.reduce((n, p) => n + p.runs, 0);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  const durations = runs.map((r) => r.duration_seconds).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const badDays = days.filter((d) => d.failed > 0).reverse();
  return (
    <>
      <Facts entries={[
        ['Period', describePeriod(window)],
        ['Runs', <>{formatCount(total)} <Note>{formatCount(failed)} failed ({total ? ((failed / total) * 100).toFixed(1) : '0.0'}%)</Note></>],
        ['Duration', durations.length
          ? <>median {formatDuration(durations[Math.floor(durations.length / 2)])}, longest {formatDuration(durations.at(-1)!)} <Note>of the last {formatCount(runs.length)} runs</Note></>
          : '—'],
      ]} />
      {runs.length === 0 ? <p>No runs in the last {window.recentDays} days.</p> : (
        <Table
          caption={`Runs of the last ${window.recentDays} days, newest first; each links to its page`}
          columns={['Run', 'Started', 'Status', { label: 'Duration', numeric: true }, { label: 'Rejected', numeric: true }, { label: 'Checks failed', numeric: true }, { label: 'Checks warned', numeric: true }]}
        >
          {[...runs].reverse().map((r) => (
            <tr>
              <th scope="row"><RunLink runId={r.run_id!} pages={pages} /></th>
              <td><Time iso={r.at} /></td>
              <td><RunBadge state={r.status} /></td>
              <td class="n">{formatDuration(r.duration_seconds)}</td>
              <td class="n">{formatCount(r.rejected)}</td>
              <td class="n">{formatCount(r.checks_failed)}</td>
              <td class="n">{formatCount(r.checks_warned)}</td>
            </tr>
          ))}
        </Table>
      )}
      {badDays.length > 0 && (
        <Table caption="Earlier days with a failed run, newest first" columns={['Day', { label: 'Runs', numeric: true }, { label: 'Failed', numeric: true }, { label: 'Mean duration', numeric: true }, { label: 'Longest', numeric: true }, { label: 'Checks failed', numeric: true }]}>
          {badDays.map((d) => (
            <tr>
              <th scope="row">{d.at.slice(0, 10)}</th>
              <td class="n">{formatCount(d.runs)}</td>
              <td class="n">{formatCount(d.failed)}</td>
              <td class="n">{formatDuration(d.duration_seconds)}</td>
              <td class="n">{formatDuration(d.max_duration_seconds)}</td>
              <td class="n">{formatCount(d.checks_failed)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** The failed runs' errors in full, newest first, so a pattern shows without opening each run. */
export function RecentFailures({ points, pages }: { points: readonly RunTrendPoint[]; pages: ReadonlySet<string> }): VNode | null {
  const failed = points.filter((p) => p.period === 'run' && p.status === 'failed').reverse().slice(0, 10);
  if (failed.length === 0) return null;
  return (
    <Table caption="The last failed runs and their errors" columns={['Run', 'Started', 'Error']}>
      {failed.map((r) => (
        <tr>
          <th scope="row"><RunLink runId={r.run_id!} pages={pages} /></th>
          <td><Time iso={r.at} /></td>
          <td class="message"><ErrorText text={r.error ?? 'failed'} /></td>
        </tr>
      ))}
    </Table>
  );
}

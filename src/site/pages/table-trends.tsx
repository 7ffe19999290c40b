// A table's trends, for the table's own page (the catalog) to include: its rows over time, its freshness
// lag against its SLA, and its rejected rows by reason, over the history's period (each run of the last
// week, one point per day before it).
import type { VNode } from 'preact';

import { formatCount, formatDuration } from '../../report/format.js';
import type { HistoryWindow, RejectedTrendPoint, TableTrendPoint } from '../../state/history.js';
import { describePeriod } from '../history-input.js';
import { Facts, Note, Table } from '../components.js';

export interface TableHistory {
  /** Schema-qualified, e.g. "silver.transactions". */
  table: string;
  window: HistoryWindow;
  /** Oldest first (readTableTrends). */
  points: readonly TableTrendPoint[];
  /** Oldest first (readRejectedTrends). */
  rejected: readonly RejectedTrendPoint[];
  /** The table's freshness SLA, when it has one. */
  freshness?: { field: string; warn_after_seconds: number; error_after_seconds: number } | null;
}

export function TableTrends({ history }: { history: TableHistory }): VNode {
  const { points, rejected, freshness, window } = history;
  if (points.length === 0 && rejected.length === 0) return <p>No history for {history.table} yet: each run that builds or checks it adds a point.</p>;
  const first = points[0];
  const last = points.at(-1);
  const lags = points.filter((p) => p.lag_seconds !== null);
  const over = (limit: number) => lags.filter((p) => p.lag_seconds! > limit);
  const unit = (p: readonly TableTrendPoint[]) => {
    const runs = p.filter((x) => x.period === 'run').length;
    const days = p.length - runs;
    return [days ? `${formatCount(days)} ${days === 1 ? 'day' : 'days'}` : '', runs ? `${formatCount(runs)} ${runs === 1 ? 'run' : 'runs'}` : ''].filter(Boolean).join(' and ') || 'none';
  };
  return (
    <>
      <Facts entries={[
        ['Period', describePeriod(window)],
        ['Rows', last && first
          ? <>{formatCount(last.rows)} <Note>after the last run; {formatCount(first.rows)} at the start of the period ({signed(last.rows - first.rows)})</Note></>
          : '—'],
        ...(freshness
          ? [['Freshness lag', lags.length
            ? <>{formatDuration(lags.at(-1)!.lag_seconds)} now, at most {formatDuration(Math.max(...lags.map((p) => p.lag_seconds!)))} <Note>
                {`newest ${freshness.field} behind the run's clock; over the ${formatDuration(freshness.warn_after_seconds)} warning in ${unit(over(freshness.warn_after_seconds))}, over the ${formatDuration(freshness.error_after_seconds)} error in ${unit(over(freshness.error_after_seconds))}`}
              </Note></>
            : '—'] as [string, VNode | string]]
          : []),
      ]} />
      <RejectedByReason rejected={rejected} table={history.table} recentDays={window.recentDays} />
    </>
  );
}

function RejectedByReason({ rejected, table, recentDays }: { rejected: readonly RejectedTrendPoint[]; table: string; recentDays: number }): VNode {
  if (rejected.length === 0) return <p>No rows of {table} rejected in this period.</p>;
  const totals = new Map<string, { rows: number; recent: number; last: string }>();
  for (const p of rejected) {
    const t = totals.get(p.reason) ?? { rows: 0, recent: 0, last: p.at };
    t.rows += p.rows;
    if (p.period === 'run') t.recent += p.rows;
    if (p.at > t.last) t.last = p.at;
    totals.set(p.reason, t);
  }
  return (
    <Table caption={`Rows of ${table} rejected in this period, by reason (a row with two reasons counts under each)`} columns={['Reason', { label: 'Rows', numeric: true }, { label: `Of them in the last ${recentDays} days`, numeric: true }, 'Last seen']}>
      {[...totals].sort((a, b) => b[1].rows - a[1].rows).map(([reason, t]) => (
        <tr><th scope="row"><code>{reason}</code></th><td class="n">{formatCount(t.rows)}</td><td class="n">{formatCount(t.recent)}</td><td>{t.last.slice(0, 10)}</td></tr>
      ))}
    </Table>
  );
}

function signed(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

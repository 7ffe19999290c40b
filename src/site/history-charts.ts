// The charts of the operations pages, as chart specs (src/render/chart.ts) built from the operations history
// (history-input.ts): a pipeline's run durations, a table's rows, freshness lag against its SLA and rejected
// rows by reason. The specs are plain data, so what a chart claims is testable without drawing it; page kinds
// render them (renderCharts) just before their page and hand the SVG to the page's component.
import type { HistoryWindow, RejectedTrendPoint, RunTrendPoint, TableTrendPoint } from '../state/history.js';
import { renderChart, type ChartSpec } from '../render/chart.js';
import type { CatalogTable } from './catalog.js';
import type { OperationsHistory } from './history-input.js';

/** What a table's page shows over time (pages/table-trends.tsx). */
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

export function tableHistoryOf(table: CatalogTable, operations: OperationsHistory): TableHistory {
  return {
    table: table.name,
    window: operations.window,
    points: operations.tables.get(table.name) ?? [],
    rejected: operations.rejected.get(table.name) ?? [],
    freshness: table.freshness ?? null,
  };
}

export function renderCharts(specs: readonly ChartSpec[]): Promise<string[]> {
  return Promise.all(specs.map(renderChart));
}

const DURATION = { field: 'duration', title: 'Duration', format: 'duration' } as const;

/**
 * A pipeline's run durations: a bar per run of the recent days, and a bar per day (the mean of its runs)
 * before them. Two charts, not one: on a single time axis a week of hourly runs would be a sliver of a year.
 * Bars, not a line, so every run is a mark of its own however many there are.
 */
export function runDurationCharts(pipeline: string, points: readonly RunTrendPoint[], window: HistoryWindow): ChartSpec[] {
  const runs = points.filter((p) => p.period === 'run');
  const days = points.filter((p) => p.period === 'day');
  const specs: ChartSpec[] = [];
  if (runs.length) {
    specs.push({
      id: 'chart-run-duration',
      kind: 'bar',
      title: `Duration of each run of ${pipeline}, the last ${plural(window.recentDays, 'day')}`,
      data: runs.map((r) => ({ started: r.at, duration: r.duration_seconds })),
      x: { field: 'started', title: 'Run started (UTC)', type: 'time' },
      y: DURATION,
    });
  }
  if (days.length) {
    specs.push({
      id: 'chart-run-duration-by-day',
      kind: 'bar',
      title: `Mean run duration of ${pipeline} by day, before the last ${plural(window.recentDays, 'day')}`,
      data: days.map((d) => ({ day: d.at, duration: d.duration_seconds })),
      x: { field: 'day', title: 'Day (UTC)', type: 'time' },
      y: DURATION,
    });
  }
  return specs;
}

/**
 * A table's rows over time, its freshness lag against its SLA's warning and error (as rules), and its
 * rejected rows by day, stacked by reason. Rows and lag are one line over the whole period (a point per run
 * of the recent days, per day before them: for a day, the rows after its last run and the most it lagged).
 */
export function tableTrendCharts(history: TableHistory): ChartSpec[] {
  const { table, points, freshness } = history;
  const specs: ChartSpec[] = [];
  const at = { field: 'at', title: 'Measured (UTC)', type: 'time' } as const;
  if (points.length) {
    specs.push({
      id: 'chart-rows',
      kind: 'line',
      title: `Rows of ${table} over time`,
      data: points.map((p) => ({ at: p.at, rows: p.rows })),
      x: at,
      y: { field: 'rows', title: 'Rows', format: 'integer' },
    });
  }
  const lags = points.filter((p) => p.lag_seconds !== null);
  if (freshness && lags.length) {
    specs.push({
      id: 'chart-freshness-lag',
      kind: 'line',
      title: `Freshness lag of ${table} against its SLA`,
      data: lags.map((p) => ({ at: p.at, lag: p.lag_seconds })),
      x: at,
      y: { field: 'lag', title: `Lag of the newest ${freshness.field}`, format: 'duration' },
      rules: [
        { y: freshness.warn_after_seconds, label: 'Warning' },
        { y: freshness.error_after_seconds, label: 'Error' },
      ],
    });
  }
  if (history.rejected.length) {
    specs.push({
      id: 'chart-rejected',
      kind: 'bar',
      title: `Rejected rows of ${table} by day and reason`,
      data: rejectedByDay(history.rejected),
      x: { field: 'day', title: 'Day (UTC)', type: 'time' },
      y: { field: 'rows', title: 'Rejected rows', format: 'integer' },
      series: 'reason',
      stacked: true,
    });
  }
  return specs;
}

/** The recent days' per-run points summed into their day, so every bar is a day wide. */
function rejectedByDay(points: readonly RejectedTrendPoint[]): Array<{ day: string; reason: string; rows: number }> {
  const byDay = new Map<string, { day: string; reason: string; rows: number }>();
  for (const p of points) {
    const day = `${p.at.slice(0, 10)}T00:00:00.000Z`;
    const key = `${day}\u0000${p.reason}`;
    const row = byDay.get(key) ?? { day, reason: p.reason, rows: 0 };
    row.rows += p.rows;
    byDay.set(key, row);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day) || a.reason.localeCompare(b.reason));
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

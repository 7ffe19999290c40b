// Where an anomaly check's series come from, all in meta, all of earlier runs only (the run being judged
// is the detection window; it never trains its own baseline):
// - volume: rows added per run, the growth of the table's row count between consecutive runs'
//   meta.table_snapshots (for bronze, exactly the rows each batch loaded); per day, the growth over each
//   UTC day;
// - freshness_lag: the lag meta.table_snapshots keeps for a table with a freshness SLA;
// - null_rate, distinct_count: meta.column_profiles, one row per profiled column per run, written by
//   profileColumns in one scan per table for all its column metrics.
import { ident, sqlString, timestampLiteral, type Warehouse } from '../../warehouse/adapter.js';
import type { MetricPoint } from './detect.js';
import type { AnomalyMetric } from './metric-kinds.js';

const DAY_MS = 86_400_000;

export interface SeriesRequest {
  table: string;
  metric: AnomalyMetric;
  column?: string;
  per: 'run' | 'day';
  /** The run being judged: its own rows are never history. */
  runId: string;
  /** History older than this is not read. */
  since: Date;
  /** Nor history at or after this (the judged run's clock). */
  until: Date;
}

/** Timestamps arrive as ISO strings or Dates depending on the adapter; DuckDB's text has a space and no zone. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

interface SnapshotRow {
  run_id: string;
  row_count: number | string;
  lag_seconds: number | string | null;
  measured_at: unknown;
}

function between(warehouse: Warehouse, request: Pick<SeriesRequest, 'since' | 'until'>): string {
  const at = (t: Date) => timestampLiteral(warehouse.dialect, t);
  return `measured_at >= ${at(request.since)} AND measured_at < ${at(request.until)}`;
}

/** A table's rows and freshness lag after each earlier run, oldest first. */
export async function readSnapshots(warehouse: Warehouse, request: Pick<SeriesRequest, 'table' | 'runId' | 'since' | 'until'>): Promise<Array<{ at: Date; rows: number; lag: number | null }>> {
  const rows = await warehouse.query<SnapshotRow>(
    `SELECT run_id, row_count, lag_seconds, measured_at FROM meta.table_snapshots
     WHERE table_name = ${sqlString(request.table)} AND run_id <> ${sqlString(request.runId)}
       AND ${between(warehouse, request)}
     ORDER BY measured_at, run_id`,
  );
  return rows.map((r) => ({ at: toDate(r.measured_at), rows: Number(r.row_count), lag: r.lag_seconds === null ? null : Number(r.lag_seconds) }));
}

/** The metric's history before the run being judged, oldest first. */
export async function readSeries(warehouse: Warehouse, request: SeriesRequest): Promise<MetricPoint[]> {
  switch (request.metric) {
    case 'volume': {
      const points = await readSnapshots(warehouse, request);
      return request.per === 'day' ? dailyGrowth(points) : runGrowth(points);
    }
    case 'freshness_lag':
      return (await readSnapshots(warehouse, request)).flatMap((p) => (p.lag === null ? [] : [{ at: p.at, value: p.lag }]));
    case 'null_rate':
    case 'distinct_count': {
      const value = request.metric === 'null_rate' ? 'CAST(null_count AS DOUBLE) / row_count' : 'distinct_count';
      const rows = await warehouse.query<{ v: number | string | null; measured_at: unknown }>(
        `SELECT ${value} AS v, measured_at FROM meta.column_profiles
         WHERE table_name = ${sqlString(request.table)} AND column_name = ${sqlString(request.column ?? '')} AND run_id <> ${sqlString(request.runId)}
           AND ${between(warehouse, request)}
           AND ${request.metric === 'null_rate' ? 'row_count > 0' : 'distinct_count IS NOT NULL'}
         ORDER BY measured_at, run_id`,
      );
      return rows.filter((r) => r.v !== null).map((r) => ({ at: toDate(r.measured_at), value: Number(r.v) }));
    }
  }
}

/** Rows added by each run: its row count minus the run's before. */
export function runGrowth(points: ReadonlyArray<{ at: Date; rows: number }>): MetricPoint[] {
  return points.slice(1).map((p, i) => ({ at: p.at, value: p.rows - points[i].rows }));
}

/**
 * Rows added per UTC day: the last row count of each day minus the last of the day before (only between
 * days that both have a run, so a gap in the runs is not read as a day of nothing). Each point is at its
 * day's midnight.
 */
export function dailyGrowth(points: ReadonlyArray<{ at: Date; rows: number }>): MetricPoint[] {
  const lastOfDay = new Map<number, number>();
  for (const p of points) lastOfDay.set(Math.floor(p.at.getTime() / DAY_MS), p.rows);
  const out: MetricPoint[] = [];
  for (const [day, rows] of lastOfDay) {
    const before = lastOfDay.get(day - 1);
    if (before !== undefined) out.push({ at: new Date(day * DAY_MS), value: rows - before });
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** A day's midnight (UTC) for a time. */
export function dayOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

export interface ColumnProfile {
  column: string;
  rows: number;
  nulls: number;
  /** Only measured for a column with a distinct_count check: COUNT(DISTINCT) is the costly part. */
  distinct: number | null;
}

/**
 * Measures a table's profiled columns in one scan (row count, NULLs per column, distinct values where
 * asked) and keeps them for the run in meta.column_profiles, replacing what an earlier step of the same run
 * wrote for the table.
 */
export async function profileColumns(
  warehouse: Warehouse,
  context: { runId: string; pipeline: string; table: string },
  columns: ReadonlyArray<{ column: string; distinct: boolean }>,
): Promise<ColumnProfile[]> {
  const parts = columns.flatMap((c, i) => [`COUNT(${ident(c.column)}) AS nn_${i}`, ...(c.distinct ? [`COUNT(DISTINCT ${ident(c.column)}) AS d_${i}`] : [])]);
  const [row] = await warehouse.query<Record<string, number | string>>(`SELECT COUNT(*) AS n, ${parts.join(', ')} FROM ${context.table}`);
  const get = (name: string) => Number(row[name]);
  const rows = get('n');
  const profiles = columns.map((c, i) => ({ column: c.column, rows, nulls: rows - get(`nn_${i}`), distinct: c.distinct ? get(`d_${i}`) : null }));
  const text = sqlString;
  await warehouse.transaction(async () => {
    await warehouse.execute(`DELETE FROM meta.column_profiles WHERE run_id = ${text(context.runId)} AND table_name = ${text(context.table)}`);
    await warehouse.execute(
      `INSERT INTO meta.column_profiles VALUES ${profiles
        .map((p) => `(${text(context.runId)}, ${text(context.pipeline)}, ${text(context.table)}, ${text(p.column)}, ${p.rows}, ${p.nulls}, ${p.distinct ?? 'NULL'}, ${warehouse.dialect.now})`)
        .join(', ')}`,
    );
  });
  return profiles;
}

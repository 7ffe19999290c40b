// History for the operations pages, read from meta: per pipeline its runs' outcome and duration, per table
// its rows and freshness lag (meta.table_snapshots) and its rejected rows by reason, per check its results,
// and schema drift. A page must stay small at a year of hourly runs, so every series is one point per run
// for the recent days and one point per UTC day before them, aggregated in SQL: a series holds at most
// `recentDays` x runs a day + `days` points, however long the history is. The SQL is plain enough to run
// on DuckDB and on Snowflake alike (no date arithmetic: the window's bounds are computed here).
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import type { CheckStatus, RunState } from './types.js';
import { withoutDeadSteps } from './runs.js';

/** A point of one run, or the aggregate of one UTC day's runs. */
export type Period = 'run' | 'day';

export interface HistoryOptions {
  /**
   * The day the recent days end on (default: the newest run's start, so an old database still shows its
   * last week). Nothing newer is left out: a run's checks and snapshots come seconds after its start.
   */
  now?: Date;
  /** Days shown run by run, the day of `now` included (default 7). */
  recentDays?: number;
  /** Days shown at all, the recent ones included (default 366): older history is left out. */
  days?: number;
}

/** The period a history covers; pages say it next to every number they show from it. */
export interface HistoryWindow {
  /** ISO; the newest run's start, or the `now` given: what "the last 7 days" count back from. */
  until: string;
  /** ISO, a UTC midnight: from here on each run is a point; before it, each day is one. */
  recentSince: string;
  /** ISO, a UTC midnight: nothing older is read. */
  since: string;
  recentDays: number;
  days: number;
}

export interface RunTrendPoint {
  period: Period;
  /** A run's start, or a day's UTC midnight (ISO). */
  at: string;
  /** The run; null for a day. */
  run_id: string | null;
  runs: number;
  succeeded: number;
  failed: number;
  running: number;
  /** A run's status; for a day, the worst of its runs'. */
  status: RunState;
  /** A run's duration; for a day, the mean of its finished runs'. Null while running. */
  duration_seconds: number | null;
  max_duration_seconds: number | null;
  /** Records rejected (before bronze, and by silver). */
  rejected: number;
  /** Checks that failed or could not run. */
  checks_failed: number;
  checks_warned: number;
  /** A run's error in full (each failed step's, in step order); null for a day. */
  error: string | null;
}

export interface TableTrendPoint {
  period: Period;
  at: string;
  run_id: string | null;
  /** Rows after the run; for a day, after its last run. */
  rows: number;
  /** How far the freshness field's newest value lagged the run's clock; for a day, the most it lagged. Null without an SLA. */
  lag_seconds: number | null;
  /** Runs that measured the table (1 for a run). */
  runs: number;
}

export interface RejectedTrendPoint {
  period: Period;
  at: string;
  run_id: string | null;
  reason: string;
  /** A row rejected for two reasons counts under each. */
  rows: number;
}

export interface CheckTrendPoint {
  period: Period;
  at: string;
  run_id: string | null;
  /** A run's status; for a day, the worst of the day's (error > fail > warn > pass). */
  status: CheckStatus;
  pass: number;
  warn: number;
  fail: number;
  error: number;
  /** For a day, the most of its runs'. */
  failing_rows: number;
  /** A run's message; for a day, that of its last run that did not pass (null when all passed). */
  message: string | null;
}

export interface CheckHistory {
  pipeline: string;
  table: string;
  check: string;
  kind: string;
  points: CheckTrendPoint[];
}

export interface DriftEvent {
  period: Period;
  at: string;
  /** The run and batch that saw it; null for a day. */
  run_id: string | null;
  batch_id: string | null;
  pipeline: string;
  resource: string;
  path: string;
  change: 'added' | 'removed' | 'type_changed';
  old_type: string | null;
  new_type: string | null;
  /** How many batches saw this change (1 for a run). */
  batches: number;
}

/** A long history of a flapping field would otherwise list thousands of events; the newest are kept. */
export const MAX_DRIFT_EVENTS = 500;

const DAY_MS = 86_400_000;

export async function historyWindow(warehouse: Warehouse, options: HistoryOptions = {}): Promise<HistoryWindow> {
  const recentDays = options.recentDays ?? 7;
  const days = Math.max(options.days ?? 366, recentDays);
  let until = options.now;
  if (!until) {
    const [row] = await warehouse.query<{ t: string | null }>('SELECT MAX(started_at) AS t FROM meta.runs');
    until = row?.t ? new Date(row.t) : new Date();
  }
  const midnight = Math.floor(until.getTime() / DAY_MS) * DAY_MS;
  return {
    until: until.toISOString(),
    recentSince: new Date(midnight - (recentDays - 1) * DAY_MS).toISOString(),
    since: new Date(midnight - (days - 1) * DAY_MS).toISOString(),
    recentDays,
    days,
  };
}

/** Per pipeline, its runs' outcome and duration over time, oldest first. */
export async function readRunTrends(warehouse: Warehouse, window: HistoryWindow): Promise<Map<string, RunTrendPoint[]>> {
  const d = warehouse.dialect;
  const b = bounds(warehouse, window);
  // Each run with its duration, rejected rows and check counts; the days aggregate the same rows.
  const perRun = `
    SELECT r.run_id, r.pipeline, r.started_at, r.status, r.error,
           ${d.epochSeconds('r.finished_at')} - ${d.epochSeconds('r.started_at')} AS duration_seconds,
           COALESCE(l.rejected, 0) + COALESCE(bt.rejected, 0) AS rejected,
           COALESCE(c.failed, 0) AS checks_failed, COALESCE(c.warned, 0) AS checks_warned
    FROM meta.runs r
    LEFT JOIN (SELECT run_id, pipeline, SUM(rejected) AS rejected FROM meta.silver_loads
               WHERE run_id IN (SELECT run_id FROM meta.runs WHERE started_at >= ${b.since}) GROUP BY run_id, pipeline) l
      ON l.run_id = r.run_id AND l.pipeline = r.pipeline
    LEFT JOIN (SELECT run_id, pipeline, SUM(COALESCE(rejected, 0)) AS rejected FROM meta.batches
               WHERE run_id IN (SELECT run_id FROM meta.runs WHERE started_at >= ${b.since}) GROUP BY run_id, pipeline) bt
      ON bt.run_id = r.run_id AND bt.pipeline = r.pipeline
    LEFT JOIN (SELECT run_id, pipeline, SUM(CASE WHEN status IN ('fail', 'error') THEN 1 ELSE 0 END) AS failed,
                      SUM(CASE WHEN status = 'warn' THEN 1 ELSE 0 END) AS warned
               FROM meta.check_results WHERE checked_at >= ${b.since} GROUP BY run_id, pipeline) c
      ON c.run_id = r.run_id AND c.pipeline = r.pipeline
    WHERE r.started_at >= ${b.since}`;
  const runs = await warehouse.query<{
    run_id: string; pipeline: string; started_at: string; status: RunState; error: string | null;
    duration_seconds: number | null; rejected: number; checks_failed: number; checks_warned: number;
  }>(`SELECT * FROM (${perRun}) AS x WHERE started_at >= ${b.recentSince} ORDER BY pipeline, started_at, run_id`);
  const days = await warehouse.query<{
    pipeline: string; day_on: string; runs: number; succeeded: number; failed: number; running: number;
    duration_seconds: number | null; max_duration_seconds: number | null; rejected: number; checks_failed: number; checks_warned: number;
  }>(
    `SELECT pipeline, CAST(started_at AS DATE) AS day_on, COUNT(*) AS runs,
            SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS succeeded,
            SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
            SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
            AVG(duration_seconds) AS duration_seconds, MAX(duration_seconds) AS max_duration_seconds,
            SUM(rejected) AS rejected, SUM(checks_failed) AS checks_failed, SUM(checks_warned) AS checks_warned
     FROM (${perRun}) AS x WHERE started_at < ${b.recentSince}
     GROUP BY pipeline, CAST(started_at AS DATE) ORDER BY pipeline, day_on`,
  );
  const out = new Map<string, RunTrendPoint[]>();
  for (const r of days) {
    push(out, r.pipeline, {
      period: 'day', at: dayStart(r.day_on), run_id: null,
      runs: num(r.runs), succeeded: num(r.succeeded), failed: num(r.failed), running: num(r.running),
      status: num(r.failed) > 0 ? 'failed' : num(r.running) > 0 ? 'running' : 'success',
      duration_seconds: numOrNull(r.duration_seconds), max_duration_seconds: numOrNull(r.max_duration_seconds),
      rejected: num(r.rejected), checks_failed: num(r.checks_failed), checks_warned: num(r.checks_warned), error: null,
    });
  }
  for (const recorded of runs) {
    // A run still marked running whose process is gone counts as failed (interrupted), as status shows it.
    const { run: r } = await withoutDeadSteps(warehouse, recorded.pipeline, recorded, []);
    const duration = numOrNull(r.duration_seconds);
    push(out, r.pipeline, {
      period: 'run', at: iso(r.started_at), run_id: r.run_id, runs: 1,
      succeeded: r.status === 'success' ? 1 : 0, failed: r.status === 'failed' ? 1 : 0, running: r.status === 'running' ? 1 : 0,
      status: r.status, duration_seconds: duration, max_duration_seconds: duration,
      rejected: num(r.rejected), checks_failed: num(r.checks_failed), checks_warned: num(r.checks_warned), error: r.error,
    });
  }
  return out;
}

/** Per table, its rows and freshness lag after each run (meta.table_snapshots), oldest first. */
export async function readTableTrends(warehouse: Warehouse, window: HistoryWindow): Promise<Map<string, TableTrendPoint[]>> {
  const b = bounds(warehouse, window);
  const runs = await warehouse.query<{ table_name: string; measured_at: string; run_id: string; row_count: number; lag_seconds: number | null }>(
    `SELECT table_name, measured_at, run_id, row_count, lag_seconds FROM meta.table_snapshots
     WHERE measured_at >= ${b.recentSince} ORDER BY table_name, measured_at, run_id`,
  );
  const days = await warehouse.query<{ table_name: string; day_on: string; row_count: number; lag_seconds: number | null; runs: number }>(
    `SELECT table_name, day_on, MAX(CASE WHEN newest_first = 1 THEN row_count END) AS row_count, MAX(lag_seconds) AS lag_seconds, COUNT(*) AS runs
     FROM (SELECT table_name, CAST(measured_at AS DATE) AS day_on, row_count, lag_seconds,
                  ROW_NUMBER() OVER (PARTITION BY table_name, CAST(measured_at AS DATE) ORDER BY measured_at DESC, run_id DESC) AS newest_first
           FROM meta.table_snapshots WHERE measured_at >= ${b.since} AND measured_at < ${b.recentSince}) AS s
     GROUP BY table_name, day_on ORDER BY table_name, day_on`,
  );
  const out = new Map<string, TableTrendPoint[]>();
  for (const r of days) push(out, r.table_name, { period: 'day', at: dayStart(r.day_on), run_id: null, rows: num(r.row_count), lag_seconds: numOrNull(r.lag_seconds), runs: num(r.runs) });
  for (const r of runs) push(out, r.table_name, { period: 'run', at: iso(r.measured_at), run_id: r.run_id, rows: num(r.row_count), lag_seconds: numOrNull(r.lag_seconds), runs: 1 });
  return out;
}

/** Per table, the rows meta.rejected keeps, by reason, per run and per day, oldest first. */
export async function readRejectedTrends(warehouse: Warehouse, window: HistoryWindow): Promise<Map<string, RejectedTrendPoint[]>> {
  const b = bounds(warehouse, window);
  // Grouped by the reasons list as stored; split into single reasons below (few groups, not rows).
  const runs = await warehouse.query<{ table_name: string; run_id: string; first_at: string; reasons: string; n: number }>(
    `SELECT table_name, run_id, MIN(rejected_at) AS first_at, reasons, COUNT(*) AS n FROM meta.rejected
     WHERE rejected_at >= ${b.recentSince} GROUP BY table_name, run_id, reasons`,
  );
  const days = await warehouse.query<{ table_name: string; day_on: string; reasons: string; n: number }>(
    `SELECT table_name, CAST(rejected_at AS DATE) AS day_on, reasons, COUNT(*) AS n FROM meta.rejected
     WHERE rejected_at >= ${b.since} AND rejected_at < ${b.recentSince} GROUP BY table_name, CAST(rejected_at AS DATE), reasons`,
  );
  const points = new Map<string, RejectedTrendPoint & { table: string }>();
  const add = (table: string, period: Period, at: string, runId: string | null, reasons: string, n: number) => {
    for (const reason of reasons.split(',').filter(Boolean)) {
      const key = [table, period, runId ?? at, reason].join('\u0000');
      const point = points.get(key) ?? { table, period, at, run_id: runId, reason, rows: 0 };
      // A run's rows may have been rejected over several seconds: the point is at its first.
      if (point.at > at) point.at = at;
      point.rows += n;
      points.set(key, point);
    }
  };
  for (const r of days) add(r.table_name, 'day', dayStart(r.day_on), null, r.reasons, num(r.n));
  for (const r of runs) add(r.table_name, 'run', iso(r.first_at), r.run_id, r.reasons, num(r.n));
  const out = new Map<string, RejectedTrendPoint[]>();
  const sorted = [...points.values()].sort((x, y) => x.table.localeCompare(y.table) || x.at.localeCompare(y.at) || x.reason.localeCompare(y.reason));
  for (const { table, ...point } of sorted) push(out, table, point);
  return out;
}

/** Per pipeline, each check's results over time (pass/warn/fail/error), checks by table and name. */
export async function readCheckHistory(warehouse: Warehouse, window: HistoryWindow): Promise<Map<string, CheckHistory[]>> {
  const b = bounds(warehouse, window);
  const runs = await warehouse.query<{
    pipeline: string; table_name: string; check_name: string; kind: string; run_id: string; checked_at: string;
    status: CheckStatus; failing_rows: number; message: string;
  }>(
    `SELECT pipeline, table_name, check_name, kind, run_id, checked_at, status, failing_rows, message FROM meta.check_results
     WHERE checked_at >= ${b.recentSince} ORDER BY checked_at, run_id`,
  );
  const days = await warehouse.query<{
    pipeline: string; table_name: string; check_name: string; kind: string; day_on: string;
    n_pass: number; n_warn: number; n_fail: number; n_error: number; failing_rows: number; message: string | null;
  }>(
    // Counts by a plain GROUP BY; the day's last message that was not "ok" from the few results that did not pass.
    `SELECT c.pipeline, c.table_name, c.check_name, c.kind, c.day_on, c.n_pass, c.n_warn, c.n_fail, c.n_error, c.failing_rows, m.message
     FROM (SELECT pipeline, table_name, check_name, MAX(kind) AS kind, CAST(checked_at AS DATE) AS day_on,
                  SUM(CASE WHEN status = 'pass' THEN 1 ELSE 0 END) AS n_pass, SUM(CASE WHEN status = 'warn' THEN 1 ELSE 0 END) AS n_warn,
                  SUM(CASE WHEN status = 'fail' THEN 1 ELSE 0 END) AS n_fail, SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS n_error,
                  MAX(failing_rows) AS failing_rows
           FROM meta.check_results WHERE checked_at >= ${b.since} AND checked_at < ${b.recentSince}
           GROUP BY pipeline, table_name, check_name, CAST(checked_at AS DATE)) AS c
     LEFT JOIN (SELECT pipeline, table_name, check_name, CAST(checked_at AS DATE) AS day_on, message,
                       ROW_NUMBER() OVER (PARTITION BY pipeline, table_name, check_name, CAST(checked_at AS DATE) ORDER BY checked_at DESC, run_id DESC) AS newest_first
                FROM meta.check_results WHERE checked_at >= ${b.since} AND checked_at < ${b.recentSince} AND status <> 'pass') AS m
       ON m.pipeline = c.pipeline AND m.table_name = c.table_name AND m.check_name = c.check_name AND m.day_on = c.day_on AND m.newest_first = 1
     ORDER BY c.day_on`,
  );
  const checks = new Map<string, CheckHistory>();
  const historyOf = (pipeline: string, table: string, check: string, kind: string) => {
    const key = [pipeline, table, check].join('\u0000');
    let h = checks.get(key);
    if (!h) checks.set(key, (h = { pipeline, table, check, kind, points: [] }));
    h.kind = kind;
    return h;
  };
  for (const r of days) {
    const counts = { pass: num(r.n_pass), warn: num(r.n_warn), fail: num(r.n_fail), error: num(r.n_error) };
    const status: CheckStatus = counts.error ? 'error' : counts.fail ? 'fail' : counts.warn ? 'warn' : 'pass';
    historyOf(r.pipeline, r.table_name, r.check_name, r.kind).points.push({
      period: 'day', at: dayStart(r.day_on), run_id: null, status, ...counts, failing_rows: num(r.failing_rows), message: r.message,
    });
  }
  for (const r of runs) {
    historyOf(r.pipeline, r.table_name, r.check_name, r.kind).points.push({
      period: 'run', at: iso(r.checked_at), run_id: r.run_id, status: r.status,
      pass: r.status === 'pass' ? 1 : 0, warn: r.status === 'warn' ? 1 : 0, fail: r.status === 'fail' ? 1 : 0, error: r.status === 'error' ? 1 : 0,
      failing_rows: num(r.failing_rows), message: r.message,
    });
  }
  const out = new Map<string, CheckHistory[]>();
  const sorted = [...checks.values()].sort((x, y) => x.pipeline.localeCompare(y.pipeline) || x.table.localeCompare(y.table) || x.check.localeCompare(y.check));
  for (const h of sorted) push(out, h.pipeline, h);
  return out;
}

/**
 * Per pipeline, schema drift as a timeline, oldest first: each change a recent batch saw, and before that
 * one event per day, resource, path and change. At most MAX_DRIFT_EVENTS per pipeline, the newest.
 */
export async function readDriftTimeline(warehouse: Warehouse, window: HistoryWindow): Promise<Map<string, DriftEvent[]>> {
  const out = new Map<string, DriftEvent[]>();
  if (!(await warehouse.tableExists('meta.schema_drift'))) return out;
  const b = bounds(warehouse, window);
  const rows = await warehouse.query<{
    point_kind: Period; event_at: string; run_id: string | null; batch_id: string | null; pipeline: string; resource: string; path: string;
    change: DriftEvent['change']; old_type: string | null; new_type: string | null; batches: number;
  }>(
    `SELECT * FROM (
       SELECT e.*, ROW_NUMBER() OVER (PARTITION BY pipeline ORDER BY event_at DESC, path) AS newest_first FROM (
         SELECT 'run' AS point_kind, d.detected_at AS event_at, bt.run_id, d.batch_id, d.pipeline, d.resource, d.path, d.change, d.old_type, d.new_type, 1 AS batches
         FROM meta.schema_drift d LEFT JOIN meta.batches bt ON bt.batch_id = d.batch_id
         WHERE d.detected_at >= ${b.recentSince}
         UNION ALL
         SELECT 'day' AS point_kind, CAST(CAST(detected_at AS DATE) AS ${warehouse.dialect.timestampType}) AS event_at, NULL AS run_id, NULL AS batch_id,
                pipeline, resource, path, change, old_type, new_type, COUNT(*) AS batches
         FROM meta.schema_drift WHERE detected_at >= ${b.since} AND detected_at < ${b.recentSince}
         GROUP BY CAST(detected_at AS DATE), pipeline, resource, path, change, old_type, new_type) AS e) AS ranked
     WHERE newest_first <= ${MAX_DRIFT_EVENTS} ORDER BY pipeline, event_at, resource, path`,
  );
  for (const { pipeline, ...r } of rows) {
    push(out, pipeline, {
      period: r.point_kind, at: iso(r.event_at), run_id: r.run_id, batch_id: r.batch_id, pipeline, resource: r.resource, path: r.path,
      change: r.change, old_type: r.old_type, new_type: r.new_type, batches: num(r.batches),
    });
  }
  return out;
}

/** The window's bounds as timestamp literals of the warehouse. */
function bounds(warehouse: Warehouse, window: HistoryWindow): { since: string; recentSince: string } {
  const ts = (iso: string) => `CAST(${sqlString(iso.replace('T', ' ').replace(/Z$/, ''))} AS ${warehouse.dialect.timestampType})`;
  return { since: ts(window.since), recentSince: ts(window.recentSince) };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Timestamps arrive as ISO strings from both adapters; a Date only from an unusual driver path. */
function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** A DATE (YYYY-MM-DD) as its UTC midnight. */
function dayStart(value: unknown): string {
  return `${String(value).slice(0, 10)}T00:00:00.000Z`;
}

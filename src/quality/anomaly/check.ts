// An `anomaly:` check: measures the metric now, reads its history from meta (earlier runs only) and asks
// the detector whether the value is unlike it. The message always carries the observed value and, once
// there is enough history, the expected band.
import type { AnomalyCheckSpec, DeclaredCheck, FreshnessSpec, Pipeline } from '../../config/types.js';
import { ident, type Warehouse } from '../../warehouse/adapter.js';
import { measureFreshness, type CheckOutcome } from '../freshness.js';
import { describeVerdict, detectAnomalies, type MetricPoint, type Verdict } from './detect.js';
import { dailyGrowth, dayOf, profileColumns, readSeries, readSnapshots, runGrowth, type ColumnProfile } from './history.js';
import { detectOptionsFor, METRIC_KINDS } from './metric-kinds.js';

const DAY_MS = 86_400_000;

export interface AnomalyContext {
  table: string;
  runId: string;
  /** The run's clock (tests and replays fix it). */
  now: Date;
  /** The table's freshness SLA, for freshness_lag. */
  freshness?: FreshnessSpec;
  /** This run's profile of the column, for null_rate and distinct_count (profileColumns). */
  profile?: ColumnProfile;
}

export interface AnomalyJudgement {
  anomalous: boolean;
  message: string;
}

export function anomalyCheckName(spec: AnomalyCheckSpec): string {
  const on = spec.column ? `${spec.metric}(${spec.column})` : spec.metric;
  return `anomaly(${on}${spec.per === 'day' ? ' per day' : ''})`;
}

/** The SQL that measures the metric's current value (shown with the result, to copy). */
export function anomalyMeasureSql(table: string, spec: AnomalyCheckSpec): string {
  switch (spec.metric) {
    case 'volume':
      return `SELECT COUNT(*) AS row_count FROM ${table}`;
    case 'freshness_lag':
      return `SELECT MAX(${ident(spec.field ?? '')}) AS newest FROM ${table}`;
    case 'null_rate':
      return `SELECT COUNT(*) AS row_count, COUNT(*) - COUNT(${ident(spec.column ?? '')}) AS null_count FROM ${table}`;
    case 'distinct_count':
      return `SELECT COUNT(DISTINCT ${ident(spec.column ?? '')}) AS distinct_count FROM ${table}`;
  }
}

export async function judgeAnomaly(warehouse: Warehouse, spec: AnomalyCheckSpec, context: AnomalyContext): Promise<AnomalyJudgement> {
  const options = detectOptionsFor(spec.metric, spec.per, { sensitivity: spec.sensitivity, minHistory: spec.min_history, direction: spec.direction });
  const kind = METRIC_KINDS[spec.metric];
  const since = new Date(context.now.getTime() - (options.trainingDays + 2) * DAY_MS);
  const request = { table: context.table, metric: spec.metric, column: spec.column, per: spec.per, runId: context.runId, since, until: context.now };
  const observed = await observe(warehouse, spec, context, since);
  if (typeof observed === 'string') return { anomalous: false, message: observed };
  const history = observed.history ?? (await readSeries(warehouse, request));
  const [verdict] = detectAnomalies(history, [observed.point], options);
  return { anomalous: verdict.state === 'anomaly', message: describe(verdict, spec, kind) };
}

function describe(verdict: Verdict, spec: AnomalyCheckSpec, kind: (typeof METRIC_KINDS)[keyof typeof METRIC_KINDS]): string {
  const label = spec.per === 'day' ? `${kind.label} on ${verdict.observed.at.toISOString().slice(0, 10)}` : kind.label;
  return describeVerdict(verdict, { ...kind, label }, spec.sensitivity ?? detectOptionsFor(spec.metric, spec.per, {}).sensitivity);
}

/** The value being judged (and, where computing it needs the history anyway, the history); a string says why there is none. */
async function observe(
  warehouse: Warehouse,
  spec: AnomalyCheckSpec,
  context: AnomalyContext,
  since: Date,
): Promise<{ point: MetricPoint; history?: MetricPoint[] } | string> {
  const at = context.now;
  switch (spec.metric) {
    case 'volume': {
      const snapshots = await readSnapshots(warehouse, { table: context.table, runId: context.runId, since, until: at });
      if (spec.per === 'day') {
        // The last complete UTC day: today's rows so far would look like a drop all day long.
        const yesterday = new Date(dayOf(at).getTime() - DAY_MS);
        const days = dailyGrowth(snapshots);
        const point = days.find((d) => d.at.getTime() === yesterday.getTime());
        if (!point) return `no runs measured ${context.table} on both ${isoDay(yesterday.getTime() - DAY_MS)} and ${isoDay(yesterday.getTime())}: yesterday's volume is unknown; not judged`;
        return { point, history: days.filter((d) => d.at < yesterday) };
      }
      const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${context.table}`);
      const last = snapshots.at(-1);
      const history = runGrowth(snapshots);
      // Without an earlier run there is no growth to measure yet: judged as not enough history.
      if (!last) return { point: { at, value: Number(n) }, history: [] };
      return { point: { at, value: Number(n) - last.rows }, history };
    }
    case 'freshness_lag': {
      if (!context.freshness) return `${context.table} has no freshness SLA to measure a lag from`;
      const f = await measureFreshness(warehouse, context.freshness, context.now);
      if (f.age_seconds === null) return `${context.table} has no rows: no freshness lag to judge`;
      return { point: { at, value: f.age_seconds } };
    }
    case 'null_rate':
    case 'distinct_count': {
      const p = context.profile;
      if (!p) return `${context.table}.${spec.column} was not profiled`;
      if (spec.metric === 'null_rate') return p.rows === 0 ? `${context.table} has no rows: no null rate to judge` : { point: { at, value: p.nulls / p.rows } };
      return { point: { at, value: p.distinct ?? 0 } };
    }
  }
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

type AnomalyCheck = DeclaredCheck & { spec: AnomalyCheckSpec };

export function isAnomaly(check: DeclaredCheck): check is AnomalyCheck {
  return check.spec.kind === 'anomaly';
}

/**
 * Profiles every column the pipeline's null_rate and distinct_count checks watch: one scan per table for
 * all of them, kept in meta.column_profiles for the run. A table that cannot be scanned is left out; its
 * checks say so.
 */
export async function profileAnomalyColumns(warehouse: Warehouse, pipeline: Pipeline, runId: string): Promise<Map<string, ColumnProfile>> {
  const wanted = new Map<string, Map<string, boolean>>();
  for (const check of pipeline.checks.filter(isAnomaly)) {
    const { metric, column } = check.spec;
    if ((metric !== 'null_rate' && metric !== 'distinct_count') || column === undefined) continue;
    let columns = wanted.get(check.table);
    if (!columns) wanted.set(check.table, (columns = new Map()));
    columns.set(column, (columns.get(column) ?? false) || metric === 'distinct_count');
  }
  const profiles = new Map<string, ColumnProfile>();
  for (const [table, columns] of wanted) {
    try {
      const measured = await profileColumns(warehouse, { runId, pipeline: pipeline.name, table }, [...columns].map(([column, distinct]) => ({ column, distinct })));
      for (const p of measured) profiles.set(`${table}.${p.column}`, p);
    } catch {
      // Each of the table's checks reports it could not run.
    }
  }
  return profiles;
}

export async function runAnomalyCheck(
  warehouse: Warehouse,
  pipeline: Pipeline,
  check: AnomalyCheck,
  context: { runId: string; now?: Date; profiles: Map<string, ColumnProfile> },
): Promise<CheckOutcome> {
  const spec = check.spec;
  const base = {
    pipeline: pipeline.name,
    file: pipeline.file,
    line: check.line,
    table: check.table,
    check: anomalyCheckName(spec),
    kind: 'anomaly',
    severity: check.severity,
    sql: anomalyMeasureSql(check.table, spec),
    failing_rows: 0,
    // A verdict on a metric, not rows: nothing to count against the table or keep as samples.
    table_rows: null,
    samples: [],
  };
  try {
    const profile = spec.column === undefined ? undefined : context.profiles.get(`${check.table}.${spec.column}`);
    if ((spec.metric === 'null_rate' || spec.metric === 'distinct_count') && !profile) {
      throw new Error(`could not profile ${check.table}.${spec.column}`);
    }
    const freshness = pipeline.freshness.find((f) => f.table === check.table);
    const judged = await judgeAnomaly(warehouse, spec, { table: check.table, runId: context.runId, now: context.now ?? new Date(), freshness, profile });
    return { ...base, status: !judged.anomalous ? 'pass' : check.severity === 'warn' ? 'warn' : 'fail', message: judged.message };
  } catch (e) {
    return { ...base, status: check.severity === 'warn' ? 'warn' : 'error', message: `could not run: ${(e as Error).message.split('\n')[0]}` };
  }
}

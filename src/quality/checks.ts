// A check is SQL that returns the failing rows: none means it passes. Results are kept with the
// run id in meta.check_results.
import type { DeclaredCheck, FreshnessSpec, Pipeline } from '../config/types.js';
import type { CheckResult, FreshnessStatus } from '../state/types.js';
import { ident, sqlString, type Warehouse } from '../warehouse/adapter.js';
import { isAnomaly, profileAnomalyColumns, runAnomalyCheck } from './anomaly/check.js';
import { checkKind, checkName, failingRowsSql } from './check-kinds.js';

export { checkName, failingRowsSql } from './check-kinds.js';

export interface CheckOutcome extends CheckResult {
  pipeline: string;
  file: string;
  line: number;
  sql: string;
}

export async function runCheck(warehouse: Warehouse, pipeline: Pipeline, check: DeclaredCheck): Promise<CheckOutcome> {
  const sql = failingRowsSql(check.table, check.spec, warehouse.dialect.quote);
  const base = {
    pipeline: pipeline.name,
    file: pipeline.file,
    line: check.line,
    table: check.table,
    check: checkName(check.spec),
    kind: check.spec.kind,
    severity: check.severity,
    sql,
  };
  try {
    const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${sql}) AS failing`);
    const examples = n > 0 ? await describeFailures(warehouse, check, sql) : '';
    return {
      ...base,
      status: n === 0 ? 'pass' : check.severity === 'warn' ? 'warn' : 'fail',
      failing_rows: n,
      message: n === 0 ? 'ok' : `${n} failing ${n === 1 ? 'row' : 'rows'}${examples}`,
    };
  } catch (e) {
    // A warn-severity check never fails a run, not even when it cannot run.
    return { ...base, status: check.severity === 'warn' ? 'warn' : 'error', failing_rows: 0, message: `could not run: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** A few offending values make a failure actionable without opening the warehouse. */
async function describeFailures(warehouse: Warehouse, check: DeclaredCheck, sql: string): Promise<string> {
  if (check.spec.kind === 'row_count') {
    const [{ row_count }] = await warehouse.query<{ row_count: number }>(sql);
    return ` (the table has ${row_count} rows)`;
  }
  const column = checkKind(check.spec).exampleColumn?.(check.spec);
  if (!column) return '';
  const rows = await warehouse.query<{ v: unknown }>(`SELECT DISTINCT CAST(${ident(column)} AS VARCHAR) AS v FROM (${sql}) AS failing ORDER BY v LIMIT 5`);
  return `; e.g. ${column} = ${rows.map((r) => JSON.stringify(r.v)).join(', ')}`;
}

/** `now` is the warehouse clock unless given (tests and replays measure against a fixed time). */
export async function measureFreshness(warehouse: Warehouse, spec: FreshnessSpec, now?: Date): Promise<FreshnessStatus> {
  const clock = now ? `CAST(${sqlString(now.toISOString())} AS ${warehouse.dialect.timestampType})` : warehouse.dialect.now;
  const rows = await warehouse.query<{ latest: string | null; age: number | null }>(
    `SELECT MAX(${ident(spec.field)}) AS latest,
            ${warehouse.dialect.epochSeconds(clock)} - ${warehouse.dialect.epochSeconds(`MAX(${ident(spec.field)})`)} AS age
     FROM ${spec.table}`,
  );
  const latest = rows[0]?.latest ?? null;
  const age = rows[0]?.age === null || rows[0]?.age === undefined ? null : Math.round(Number(rows[0].age));
  const state = age === null ? 'unknown' : age > spec.errorAfterSeconds ? 'error' : age > spec.warnAfterSeconds ? 'warn' : 'fresh';
  return { field: spec.field, latest, age_seconds: age, warn_after_seconds: spec.warnAfterSeconds, error_after_seconds: spec.errorAfterSeconds, state };
}

/** Freshness is reported as a check too, so one list says everything that needs attention. */
export async function runFreshnessCheck(warehouse: Warehouse, pipeline: Pipeline, spec: FreshnessSpec, now?: Date): Promise<CheckOutcome> {
  const base = { pipeline: pipeline.name, file: pipeline.file, line: spec.line, table: spec.table, check: `freshness(${spec.field})`, kind: 'freshness', sql: '' };
  try {
    const f = await measureFreshness(warehouse, spec, now);
    const age = f.age_seconds === null ? 'no rows' : `newest ${spec.field} is ${formatAge(f.age_seconds)} old`;
    const limits = `warn after ${formatAge(spec.warnAfterSeconds)}, error after ${formatAge(spec.errorAfterSeconds)}`;
    return {
      ...base,
      severity: f.state === 'warn' ? 'warn' : 'error',
      status: f.state === 'fresh' ? 'pass' : f.state === 'warn' ? 'warn' : 'fail',
      failing_rows: 0,
      message: `${age} (${limits})`,
    };
  } catch (e) {
    return { ...base, severity: 'error', status: 'error', failing_rows: 0, message: `could not run: ${(e as Error).message.split('\n')[0]}` };
  }
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')}h`;
  return `${(seconds / 86400).toFixed(1).replace(/\.0$/, '')}d`;
}

export async function runPipelineChecks(warehouse: Warehouse, pipeline: Pipeline, runId: string, now?: Date): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  const profiles = await profileAnomalyColumns(warehouse, pipeline, runId);
  for (const check of pipeline.checks) {
    outcomes.push(isAnomaly(check) ? await runAnomalyCheck(warehouse, pipeline, check, { runId, now, profiles }) : await runCheck(warehouse, pipeline, check));
  }
  for (const spec of pipeline.freshness) outcomes.push(await runFreshnessCheck(warehouse, pipeline, spec, now));
  await warehouse.transaction(async () => {
    for (const o of outcomes) {
      await warehouse.execute(
        `INSERT INTO meta.check_results VALUES (${[runId, o.pipeline, o.table, o.check, o.kind, o.severity, o.status].map(warehouse.dialect.quote).join(', ')},
          ${o.failing_rows}, ${warehouse.dialect.quote(o.message)}, ${warehouse.dialect.quote(o.sql)}, ${warehouse.dialect.now})`,
      );
    }
  });
  return outcomes;
}

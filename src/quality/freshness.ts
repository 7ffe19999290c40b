// Freshness: how old a table's newest row is against its SLA, measured for the status report and reported
// as a check; and the shape of a check's outcome, which every kind of check (row, table, anomaly) returns.
import type { FreshnessSpec, Pipeline } from '../config/types.js';
import { duckdbErrorText } from '../sql/errors.js';
import type { CheckResult, FreshnessStatus } from '../state/types.js';
import { ident, timestampLiteral, type Warehouse } from '../warehouse/adapter.js';
import { formatSeconds } from './anomaly/metric-kinds.js';

export interface CheckOutcome extends CheckResult {
  pipeline: string;
  file: string;
  line: number;
  table_rows: number | null;
  sql: string;
  samples: Array<Record<string, unknown>>;
}

/** `now` is the warehouse clock unless given (tests and replays measure against a fixed time). */
export async function measureFreshness(warehouse: Warehouse, spec: FreshnessSpec, now?: Date): Promise<FreshnessStatus> {
  const clock = now ? timestampLiteral(warehouse.dialect, now) : warehouse.dialect.now;
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
  const base = { pipeline: pipeline.name, file: pipeline.file, line: spec.line, table: spec.table, check: `freshness(${spec.field})`, kind: 'freshness', sql: '', table_rows: null, samples: [] };
  try {
    const f = await measureFreshness(warehouse, spec, now);
    const age = f.age_seconds === null ? 'no rows' : `newest ${spec.field} is ${formatSeconds(f.age_seconds)} old`;
    const limits = `warn after ${formatSeconds(spec.warnAfterSeconds)}, error after ${formatSeconds(spec.errorAfterSeconds)}`;
    return {
      ...base,
      severity: f.state === 'warn' ? 'warn' : 'error',
      status: f.state === 'fresh' ? 'pass' : f.state === 'warn' ? 'warn' : 'fail',
      failing_rows: 0,
      message: `${age} (${limits})`,
    };
  } catch (e) {
    return { ...base, severity: 'error', status: 'error', failing_rows: 0, message: `could not run: ${duckdbErrorText((e as Error).message)}` };
  }
}

// A run's full record, for a page per run: what each step of each pipeline did, its batches, the silver
// loads with their conservation, the checks with their messages and failing rows, the rejected rows by
// reason, schema drift, what the transform built and each table's size and freshness after it. Read for
// many runs at once, one query per meta table (a site lists a week of hourly runs: hundreds of pages).
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import type { HistoryWindow } from './history.js';
import { RUN_STEPS, withoutDeadSteps } from './runs.js';
import type { BatchStatus, CheckResult, RejectedReason, RunState, RunStepStatus, SchemaChange, SilverLoadStatus } from './types.js';

export interface RunRecord {
  run_id: string;
  /** The earliest of its pipelines' starts, and the latest of their ends (null while one runs). */
  started_at: string;
  finished_at: string | null;
  /** The worst of its pipelines': failed if any failed, running while any runs, else success. */
  status: RunState;
  duration_seconds: number | null;
  pipelines: PipelineRunRecord[];
  /** SQL models the run built (silver and gold), with their rows after it. */
  models: Array<{ model: string; file: string; rows: number; built_at: string }>;
  /** Each table's size and freshness after the run (meta.table_snapshots), gold included. */
  tables: Array<{ table: string; pipeline: string | null; rows: number; freshness_field: string | null; newest_at: string | null; lag_seconds: number | null }>;
}

export interface PipelineRunRecord {
  pipeline: string;
  status: RunState;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  /** Every failed step's error in full, in step order. */
  error: string | null;
  steps: RunStepStatus[];
  batches: Array<BatchStatus & { source_kind: string | null; cursor_before: string | null; cursor_after: string | null }>;
  silver_loads: SilverLoadStatus[];
  checks: Array<CheckResult & { sql: string | null }>;
  /** Rows this run rejected, by table and single reason. */
  rejected: RejectedReason[];
  schema_drift: SchemaChange[];
}

/** Which runs: those that started in the window's run-by-run days, or the named ones. */
export type RunScope = { window: HistoryWindow } | { runIds: readonly string[] };

export async function readRunRecords(warehouse: Warehouse, scope: RunScope): Promise<RunRecord[]> {
  const d = warehouse.dialect;
  const ts = (iso: string) => `CAST(${sqlString(iso.replace('T', ' ').replace(/Z$/, ''))} AS ${d.timestampType})`;
  const runIds = 'runIds' in scope
    ? (scope.runIds.length ? scope.runIds.map(sqlString).join(', ') : 'NULL')
    : `SELECT run_id FROM meta.runs WHERE started_at >= ${ts(scope.window.recentSince)}`;
  const inScope = `run_id IN (${runIds})`;
  const runs = await warehouse.query<{ run_id: string; pipeline: string; started_at: string; finished_at: string | null; status: RunState; error: string | null; duration_seconds: number | null }>(
    `SELECT run_id, pipeline, started_at, finished_at, status, error,
            ${d.epochSeconds('finished_at')} - ${d.epochSeconds('started_at')} AS duration_seconds
     FROM meta.runs WHERE ${inScope} ORDER BY started_at DESC, run_id DESC, pipeline`,
  );
  if (runs.length === 0) return [];
  const steps = await warehouse.query<RunStepStatus & { run_id: string; pipeline: string }>(
    `SELECT run_id, pipeline, step, status, started_at, finished_at, error FROM meta.run_steps WHERE ${inScope}
     ORDER BY CASE step ${RUN_STEPS.map((step, i) => `WHEN ${sqlString(step)} THEN ${i}`).join(' ')} ELSE ${RUN_STEPS.length} END`,
  );
  const batches = await warehouse.query<{
    run_id: string; pipeline: string; batch_id: string; resource: string; source_kind: string | null; received: number; bronze_rows: number;
    rejected: number; fetched_at: string; cursor_before: string | null; cursor_after: string | null; backfill_from: string | null; backfill_to: string | null;
  }>(
    `SELECT run_id, pipeline, batch_id, resource, source_kind, received, bronze_rows, COALESCE(rejected, 0) AS rejected, fetched_at,
            cursor_before, cursor_after, backfill_from, backfill_to
     FROM meta.batches WHERE ${inScope} ORDER BY resource, fetched_at`,
  );
  const loads = await warehouse.query<SilverLoadStatus & { run_id: string; pipeline: string }>(
    `SELECT run_id, pipeline, table_name AS "table", batch_id, bronze, accepted, rejected, inserted, updated, conserved
     FROM meta.silver_loads WHERE ${inScope} ORDER BY table_name, batch_id`,
  );
  const checks = await warehouse.query<CheckResult & { run_id: string; pipeline: string; sql: string | null }>(
    `SELECT run_id, pipeline, table_name AS "table", check_name AS "check", kind, severity, status, failing_rows, message, sql_text AS "sql"
     FROM meta.check_results WHERE ${inScope} ORDER BY table_name, check_name`,
  );
  const kept = await warehouse.query<{ run_id: string; pipeline: string; table: string; check: string; sample_row: string }>(
    `SELECT run_id, pipeline, table_name AS "table", check_name AS "check", sample_row FROM meta.check_samples WHERE ${inScope}
     ORDER BY table_name, check_name, sample_index`,
  );
  const samples = new Map<string, Array<Record<string, unknown>>>();
  for (const k of kept) {
    const key = [k.run_id, k.pipeline, k.table, k.check].join('\u0000');
    samples.set(key, [...(samples.get(key) ?? []), JSON.parse(k.sample_row) as Record<string, unknown>]);
  }
  const rejected = await warehouse.query<{ run_id: string; pipeline: string; table: string; reasons: string; n: number }>(
    `SELECT run_id, pipeline, table_name AS "table", reasons, COUNT(*) AS n FROM meta.rejected WHERE ${inScope}
     GROUP BY run_id, pipeline, table_name, reasons`,
  );
  const drift = (await warehouse.tableExists('meta.schema_drift'))
    ? await warehouse.query<SchemaChange & { run_id: string; pipeline: string }>(
        `SELECT b.run_id, d.pipeline, d.batch_id, d.resource, d.path, d.change, d.old_type, d.new_type
         FROM meta.schema_drift d JOIN meta.batches b ON b.batch_id = d.batch_id WHERE b.${inScope} ORDER BY d.resource, d.path`,
      )
    : [];
  const models = await warehouse.query<{ run_id: string; model: string; file: string; rows: number; built_at: string }>(
    `SELECT run_id, model, file, rows_after AS "rows", built_at FROM meta.model_runs WHERE ${inScope} ORDER BY built_at, model`,
  );
  const tables = await warehouse.query<RunRecord['tables'][number] & { run_id: string }>(
    `SELECT run_id, table_name AS "table", pipeline, row_count AS "rows", freshness_field, newest_at, lag_seconds
     FROM meta.table_snapshots WHERE ${inScope} ORDER BY table_name`,
  );

  const of = <T extends { run_id: string; pipeline?: string | null }>(rows: T[]) => {
    const map = new Map<string, Array<Omit<T, 'run_id' | 'pipeline'>>>();
    for (const { run_id, pipeline, ...rest } of rows) {
      const key = `${run_id}\u0000${pipeline ?? ''}`;
      map.set(key, [...(map.get(key) ?? []), rest]);
    }
    return (runId: string, pipeline = '') => map.get(`${runId}\u0000${pipeline}`) ?? [];
  };
  const stepsOf = of(steps);
  const batchesOf = of(batches);
  const loadsOf = of(loads);
  const checksOf = of(checks);
  const rejectedOf = of(rejected);
  const driftOf = of(drift);
  const modelsOf = of(models);
  const tablesOf = of(tables.map(({ pipeline, ...t }) => ({ ...t, owner: pipeline })));

  const records = new Map<string, RunRecord>();
  for (const recorded of runs) {
    // A run still marked running whose process is gone shows as failed (interrupted), as status shows it.
    const { run: r, steps: runSteps } = await withoutDeadSteps(warehouse, recorded.pipeline, recorded, stepsOf(recorded.run_id, recorded.pipeline));
    const pipeline: PipelineRunRecord = {
      pipeline: r.pipeline, status: r.status, started_at: r.started_at, finished_at: r.finished_at,
      duration_seconds: numOrNull(r.duration_seconds), error: r.error,
      steps: runSteps,
      batches: batchesOf(r.run_id, r.pipeline).map(({ backfill_from: from, backfill_to: to, ...b }) => ({
        ...b, received: Number(b.received), bronze_rows: Number(b.bronze_rows), rejected: Number(b.rejected),
        backfill: from !== null && to !== null ? { from, to } : null,
      })),
      silver_loads: loadsOf(r.run_id, r.pipeline).map((l) => ({
        ...l, bronze: Number(l.bronze), accepted: Number(l.accepted), rejected: Number(l.rejected), inserted: Number(l.inserted), updated: Number(l.updated),
      })),
      checks: checksOf(r.run_id, r.pipeline).map((c) => ({
        ...c, failing_rows: Number(c.failing_rows), samples: samples.get([r.run_id, r.pipeline, c.table, c.check].join('\u0000')) ?? [],
      })),
      rejected: splitReasons(rejectedOf(r.run_id, r.pipeline)),
      schema_drift: driftOf(r.run_id, r.pipeline),
    };
    let record = records.get(r.run_id);
    if (!record) {
      record = {
        run_id: r.run_id, started_at: r.started_at, finished_at: r.finished_at, status: r.status, duration_seconds: null, pipelines: [],
        models: modelsOf(r.run_id).map((m) => ({ ...m, rows: Number(m.rows) })),
        tables: tablesOf(r.run_id).map(({ owner, ...t }) => ({ ...t, pipeline: owner, rows: Number(t.rows), lag_seconds: numOrNull(t.lag_seconds) })),
      };
      records.set(r.run_id, record);
    }
    record.pipelines.push(pipeline);
  }
  for (const record of records.values()) {
    const ps = record.pipelines;
    record.started_at = ps.map((p) => p.started_at).sort()[0];
    record.finished_at = ps.some((p) => p.finished_at === null) ? null : ps.map((p) => p.finished_at!).sort().at(-1)!;
    record.status = ps.some((p) => p.status === 'failed') ? 'failed' : ps.some((p) => p.status === 'running') ? 'running' : 'success';
    record.duration_seconds = record.finished_at === null ? null : (Date.parse(record.finished_at) - Date.parse(record.started_at)) / 1000;
    ps.sort((a, b) => a.pipeline.localeCompare(b.pipeline));
  }
  return [...records.values()];
}

/** A row rejected for two reasons counts under each. */
function splitReasons(groups: ReadonlyArray<{ table: string; reasons: string; n: number }>): RejectedReason[] {
  const counts = new Map<string, RejectedReason>();
  for (const g of groups) {
    for (const reason of g.reasons.split(',').filter(Boolean)) {
      const key = `${g.table}\u0000${reason}`;
      const entry = counts.get(key) ?? { table: g.table, reason, rows: 0 };
      entry.rows += Number(g.n);
      counts.set(key, entry);
    }
  }
  return [...counts.values()].sort((a, b) => a.table.localeCompare(b.table) || b.rows - a.rows || a.reason.localeCompare(b.reason));
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

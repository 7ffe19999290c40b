// Reads the meta schema and the layer schemas into one StatusReport: what `status --json` prints and
// what the report site and job summary render.
import type { Project } from '../project.js';
import { measureFreshness } from '../quality/freshness.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import { RUN_STEPS, withoutDeadSteps } from './runs.js';
import type { SchemaChange, BatchStatus, CheckResult, Layer, PipelineStatus, RejectedReason, RunHistoryPoint, RunStatus, RunStepStatus, SilverLoadStatus, StatusReport, TableStatus } from './types.js';

export interface StatusOptions {
  /** The time freshness is measured against (default: the warehouse's clock). */
  now?: Date;
  /**
   * Report this run instead of each pipeline's latest: its record, batches, loads and checks only, so a
   * step's summary never shows what an earlier run (restored from a cache) did.
   */
  runId?: string;
}

export async function readStatus(warehouse: Warehouse, project: Project, options: StatusOptions = {}): Promise<StatusReport> {
  const tables = await readTables(warehouse, project, options.now);
  const pipelines: PipelineStatus[] = [];
  for (const p of project.pipelines) pipelines.push(await readPipeline(warehouse, p.name, p.description, p.owner ?? null, p.file, options.runId));
  return {
    generated_at: new Date().toISOString(),
    target: { kind: warehouse.kind, database: warehouse.location },
    tables,
    pipelines,
    conservation_ok: pipelines.every((p) => p.silver_loads.every((l) => l.conserved && l.bronze === l.accepted + l.rejected)),
  };
}

async function readTables(warehouse: Warehouse, project: Project, now?: Date): Promise<TableStatus[]> {
  const rows = await warehouse.query<{ schema: string; name: string }>(
    // lower(): Snowflake keeps unquoted names in upper case.
    `SELECT lower(table_schema) AS schema, lower(table_name) AS name FROM information_schema.tables
     WHERE table_catalog = current_database() AND lower(table_schema) IN ('bronze', 'silver', 'gold') AND table_type = 'BASE TABLE'
     ORDER BY CASE lower(table_schema) WHEN 'bronze' THEN 1 WHEN 'silver' THEN 2 ELSE 3 END, lower(table_name)`,
  );
  const freshness = new Map(project.pipelines.flatMap((p) => p.freshness.map((f) => [f.table, f] as const)));
  const out: TableStatus[] = [];
  for (const { schema, name } of rows) {
    const table = `${schema}.${name}`;
    const node = project.graph.get(table);
    // A SQL model's table (silver or gold) has no _loaded_at column: its builds are in meta.model_runs.
    const loadedAt =
      schema === 'bronze' ? `SELECT MAX(_fetched_at) AS t FROM ${table}`
      : schema === 'silver' && !(node && 'model' in node) ? `SELECT MAX(_loaded_at) AS t FROM ${table}`
      : `SELECT MAX(built_at) AS t FROM meta.model_runs WHERE model = ${sqlString(table)}`;
    const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    const [{ t }] = await warehouse.query<{ t: string | null }>(loadedAt);
    const spec = freshness.get(table);
    out.push({
      name: table,
      layer: schema as Layer,
      pipeline: project.graph.ownerOf(table) ?? null,
      rows: n,
      last_loaded_at: t,
      freshness: spec ? await measureFreshness(warehouse, spec, now) : null,
    });
  }
  return out;
}

async function readPipeline(warehouse: Warehouse, name: string, description: string, owner: string | null, file: string, runId?: string): Promise<PipelineStatus> {
  const p = sqlString(name);
  const [lastRun] = await warehouse.query<Omit<RunStatus, 'steps'>>(
    `SELECT run_id, status, started_at, finished_at, error FROM meta.runs WHERE pipeline = ${p}
     ${runId === undefined ? '' : `AND run_id = ${sqlString(runId)}`} ORDER BY started_at DESC, run_id DESC LIMIT 1`,
  );
  const run = lastRun ? sqlString(lastRun.run_id) : 'NULL';
  const steps = lastRun
    ? await warehouse.query<RunStepStatus>(
        `SELECT step, status, started_at, finished_at, error FROM meta.run_steps WHERE pipeline = ${p} AND run_id = ${run}
         ORDER BY CASE step ${RUN_STEPS.map((step, i) => `WHEN ${sqlString(step)} THEN ${i}`).join(' ')} ELSE ${RUN_STEPS.length} END`,
      )
    : [];
  const batchRows = await warehouse.query<Omit<BatchStatus, 'backfill'> & { backfill_from: string | null; backfill_to: string | null }>(
    `SELECT batch_id, resource, received, bronze_rows, COALESCE(rejected, 0) AS rejected, fetched_at, backfill_from, backfill_to
     FROM meta.batches WHERE pipeline = ${p} AND run_id = ${run} ORDER BY resource`,
  );
  const batches: BatchStatus[] = batchRows.map(({ backfill_from: from, backfill_to: to, ...batch }) => ({
    ...batch,
    backfill: from !== null && to !== null ? { from, to } : null,
  }));
  const silverLoads = await warehouse.query<SilverLoadStatus>(
    `SELECT table_name AS "table", batch_id, bronze, accepted, rejected, inserted, updated, conserved
     FROM meta.silver_loads WHERE pipeline = ${p} AND run_id = ${run} ORDER BY table_name, batch_id`,
  );
  // The run's own checks; for the latest run that ran none (ingest only), those of the newest run that did.
  const [checked] = runId === undefined
    ? await warehouse.query<{ run_id: string }>(
        `SELECT run_id FROM meta.check_results WHERE pipeline = ${p} ORDER BY run_id = ${run} DESC, checked_at DESC LIMIT 1`,
      )
    : await warehouse.query<{ run_id: string }>(`SELECT run_id FROM meta.check_results WHERE pipeline = ${p} AND run_id = ${run} LIMIT 1`);
  const checks = checked ? await readChecks(warehouse, name, checked.run_id) : [];
  const rejected = splitReasons(
    await warehouse.query<{ table: string; reasons: string; rows: number }>(
      `SELECT table_name AS "table", reasons, COUNT(*) AS "rows" FROM meta.rejected WHERE pipeline = ${p} GROUP BY table_name, reasons`,
    ),
  );
  const schemaDrift = (await warehouse.tableExists('meta.schema_drift'))
    ? await warehouse.query<SchemaChange>(
        `SELECT batch_id, resource, path, change, old_type, new_type FROM meta.schema_drift
         WHERE pipeline = ${p} AND batch_id IN (SELECT batch_id FROM meta.batches WHERE pipeline = ${p} AND run_id = ${run})
         ORDER BY resource, path`,
      )
    : [];
  // A run still marked running whose process is gone is shown as the next run will record it: failed.
  const shown = lastRun && (await withoutDeadSteps(warehouse, name, lastRun, steps));
  return {
    name, description, owner, file,
    last_run: shown ? { ...shown.run, steps: shown.steps } : null,
    batches, silver_loads: silverLoads, checks, checks_run_id: checked?.run_id ?? null, rejected, schema_drift: schemaDrift,
  };
}

/** A run's checks of a pipeline, each with the failing rows it kept (already masked when they were kept). */
export async function readChecks(warehouse: Warehouse, pipeline: string, runId: string): Promise<CheckResult[]> {
  const where = `pipeline = ${sqlString(pipeline)} AND run_id = ${sqlString(runId)}`;
  const checks = await warehouse.query<CheckResult & { sql_text: string | null }>(
    `SELECT table_name AS "table", check_name AS "check", kind, severity, status, failing_rows, table_rows, message, sql_text FROM meta.check_results
     WHERE ${where} ORDER BY table_name, check_name`,
  );
  const kept = await warehouse.query<{ table: string; check: string; sample_row: string }>(
    `SELECT table_name AS "table", check_name AS "check", sample_row FROM meta.check_samples WHERE ${where} ORDER BY table_name, check_name, sample_index`,
  );
  const samples = new Map<string, Array<Record<string, unknown>>>();
  for (const k of kept) {
    const key = `${k.table}\u0000${k.check}`;
    samples.set(key, [...(samples.get(key) ?? []), JSON.parse(k.sample_row) as Record<string, unknown>]);
  }
  return checks.map(({ sql_text, ...c }) => ({ ...c, sql: sql_text ?? '', samples: samples.get(`${c.table}\u0000${c.check}`) ?? [] }));
}

/** Recent runs, newest first, for the report's trend tables. */
export async function readHistory(warehouse: Warehouse, limit = 500): Promise<RunHistoryPoint[]> {
  return warehouse.query<RunHistoryPoint>(
    `SELECT r.run_id, r.pipeline, r.started_at, r.status,
            COALESCE((SELECT SUM(l.rejected) FROM meta.silver_loads l WHERE l.run_id = r.run_id AND l.pipeline = r.pipeline), 0) AS rejected,
            (SELECT COUNT(*) FROM meta.check_results c WHERE c.run_id = r.run_id AND c.pipeline = r.pipeline AND c.status IN ('fail', 'error')) AS checks_failed
     FROM meta.runs r ORDER BY r.started_at DESC, r.run_id DESC LIMIT ${limit}`,
  );
}

/** A row rejected for two reasons counts under each: "which rule rejects most" is the question. */
function splitReasons(groups: Array<{ table: string; reasons: string; rows: number }>): RejectedReason[] {
  const counts = new Map<string, RejectedReason>();
  for (const g of groups) {
    for (const reason of g.reasons.split(',')) {
      const key = `${g.table}\u0000${reason}`;
      const entry = counts.get(key) ?? { table: g.table, reason, rows: 0 };
      entry.rows += Number(g.rows);
      counts.set(key, entry);
    }
  }
  return [...counts.values()].sort((a, b) => a.table.localeCompare(b.table) || b.rows - a.rows || a.reason.localeCompare(b.reason));
}

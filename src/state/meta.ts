// The meta schema: run history, incremental cursors, check results and rejected rows live in the
// warehouse itself, so there is no extra server to run and every fact shares the data's transactions.
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export const LAYER_SCHEMAS = ['bronze', 'silver', 'gold', 'meta'] as const;

export function metaDdl(ts: string): string[] {
  return [
    ...LAYER_SCHEMAS.map((s) => `CREATE SCHEMA IF NOT EXISTS ${s}`),
    `CREATE TABLE IF NOT EXISTS meta.runs (
      run_id VARCHAR, pipeline VARCHAR, started_at ${ts}, finished_at ${ts}, status VARCHAR, error VARCHAR)`,
    // One row per step of a run (ingest, transform, check); meta.runs' status and error derive from these.
    `CREATE TABLE IF NOT EXISTS meta.run_steps (
      run_id VARCHAR, pipeline VARCHAR, step VARCHAR, status VARCHAR, error VARCHAR, started_at ${ts}, finished_at ${ts})`,
    `CREATE TABLE IF NOT EXISTS meta.batches (
      batch_id VARCHAR, run_id VARCHAR, pipeline VARCHAR, resource VARCHAR, source_kind VARCHAR,
      fetched_at ${ts}, received BIGINT, bronze_rows BIGINT, cursor_before VARCHAR, cursor_after VARCHAR, rejected BIGINT,
      backfill_from ${ts}, backfill_to ${ts}, bronze_removed_at ${ts})`,
    `CREATE TABLE IF NOT EXISTS meta.cursors (
      pipeline VARCHAR, resource VARCHAR, value VARCHAR, updated_at ${ts}, batch_id VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS meta.silver_loads (
      run_id VARCHAR, batch_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, bronze BIGINT, accepted BIGINT,
      rejected BIGINT, inserted BIGINT, updated BIGINT, conserved BOOLEAN, loaded_at ${ts}, deleted BIGINT)`,
    `CREATE TABLE IF NOT EXISTS meta.rejected (
      run_id VARCHAR, batch_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, record_hash VARCHAR,
      element_index INTEGER, reasons VARCHAR, record VARCHAR, rejected_at ${ts})`,
    // The bronze batches each incremental_by_batch model has read (src/models/batch-model.ts).
    `CREATE TABLE IF NOT EXISTS meta.model_batches (
      table_name VARCHAR, batch_id VARCHAR, run_id VARCHAR, loaded_at ${ts})`,
    `CREATE TABLE IF NOT EXISTS meta.model_runs (
      run_id VARCHAR, model VARCHAR, file VARCHAR, rows_after BIGINT, built_at ${ts})`,
    // One row per built table: the definition it was built from, and which version of its data and of
    // each of its inputs' it holds (src/state/nodes.ts).
    `CREATE TABLE IF NOT EXISTS meta.nodes (
      node VARCHAR, layer VARCHAR, kind VARCHAR, fingerprint VARCHAR, definition VARCHAR, data_version BIGINT, inputs VARCHAR,
      run_id VARCHAR, built_at ${ts}, reset_version BIGINT)`,
    // One row per pipeline: the run holding it and until when (src/state/run-lock.ts); Snowflake only.
    `CREATE TABLE IF NOT EXISTS meta.locks (
      pipeline VARCHAR, run_id VARCHAR, holder VARCHAR, acquired_at ${ts}, expires_at ${ts})`,
    // One row per table per run that built or checked it: its size and freshness after the run, the
    // series the history pages chart and anomaly detection reads (src/state/snapshots.ts). newest_at and
    // lag_seconds are NULL for a table without a freshness SLA.
    `CREATE TABLE IF NOT EXISTS meta.table_snapshots (
      run_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, layer VARCHAR, row_count BIGINT, freshness_field VARCHAR,
      newest_at ${ts}, lag_seconds BIGINT, measured_at ${ts})`,
    // One row per column an anomaly check watches, per run: the series of its null rate and distinct count
    // (src/quality/anomaly/history.ts). distinct_count is NULL for a column without a distinct_count check.
    `CREATE TABLE IF NOT EXISTS meta.column_profiles (
      run_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, column_name VARCHAR, row_count BIGINT, null_count BIGINT,
      distinct_count BIGINT, measured_at ${ts})`,
    `CREATE TABLE IF NOT EXISTS meta.check_results (
      run_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, check_name VARCHAR, kind VARCHAR, severity VARCHAR,
      status VARCHAR, failing_rows BIGINT, message VARCHAR, sql_text VARCHAR, checked_at ${ts}, table_rows BIGINT)`,
    // One row per table (or landing folder) an erasure (src/governance/erase.ts) removed a subject's rows from,
    // and per model it rebuilt (status pending until done). The key's name only: never the erased value.
    `CREATE TABLE IF NOT EXISTS meta.erasures (
      erasure_id VARCHAR, key_name VARCHAR, erased_at ${ts}, layer VARCHAR, table_name VARCHAR, row_count BIGINT, status VARCHAR)`,
    // Up to `samples` failing rows of each check per run, as JSON with sensitive columns masked (src/quality/checks.ts).
    // Not named "sample": SAMPLE is a reserved word in Snowflake.
    `CREATE TABLE IF NOT EXISTS meta.check_samples (
      run_id VARCHAR, pipeline VARCHAR, table_name VARCHAR, check_name VARCHAR, sample_index INTEGER, sample_row VARCHAR, sampled_at ${ts})`,
  ];
}

/** Columns added to meta tables after their first version: [table, column, type] ('timestamp': the warehouse's). */
const ADDED_COLUMNS: Array<[string, string, string]> = [
  ['batches', 'rejected', 'BIGINT'],
  // A batch fetched by a backfill: its window [from, to); NULL for a normal run's batch.
  ['batches', 'backfill_from', 'timestamp'],
  ['batches', 'backfill_to', 'timestamp'],
  // When retention removed the batch's bronze rows (src/state/retention.ts); NULL while they are kept.
  ['batches', 'bronze_removed_at', 'timestamp'],
  // The rows a check looked at (the table's, or the run's new rows with scope: new), for thresholds in %.
  ['check_results', 'table_rows', 'BIGINT'],
  // Keys a batch's deletion records removed or closed (src/models/silver.ts); what reads the table must drop them too.
  ['silver_loads', 'deleted', 'BIGINT'],
  // The data version from which all of a table's rows may have changed (src/state/nodes.ts); NULL counts as 0.
  ['nodes', 'reset_version', 'BIGINT'],
];

/** The internal stage that keeps each batch's landing files, where the warehouse has stages (src/ingest/landing-stage.ts). */
export const LANDING_STAGE = 'meta.landing';

export async function ensureMetaSchema(warehouse: Warehouse): Promise<void> {
  for (const ddl of metaDdl(warehouse.dialect.timestampType)) await createIfAllowed(warehouse, ddl);
  if (warehouse.capabilities.fileStage) await createIfAllowed(warehouse, `CREATE STAGE IF NOT EXISTS ${LANDING_STAGE}`);
  // A warehouse whose meta tables an older version created gets the new columns (NULL in old rows).
  const tables = [...new Set(ADDED_COLUMNS.map(([table]) => table))];
  const present = new Set(
    (await warehouse.query<{ t: string; c: string }>(
      `SELECT lower(table_name) AS t, lower(column_name) AS c FROM information_schema.columns
       WHERE lower(table_schema) = 'meta' AND lower(table_name) IN (${tables.map(sqlString).join(', ')})`,
    )).map((r) => `${r.t}.${r.c}`),
  );
  for (const [table, column, type] of ADDED_COLUMNS) {
    if (present.has(`${table}.${column}`)) continue;
    await warehouse.execute(`ALTER TABLE meta.${table} ADD COLUMN ${column} ${type === 'timestamp' ? warehouse.dialect.timestampType : type}`);
  }
}

/** Snowflake's "Insufficient privileges to operate on ..." */
const INSUFFICIENT_PRIVILEGES = '003001';

/**
 * Runs a CREATE ... IF NOT EXISTS. Snowflake checks the CREATE privilege even when the object exists, and a
 * least-privilege role (`dataops grants`: the loader cannot create schemas, the reporter no tables) lacks it:
 * `dataops grants` made the objects, so that refusal is skipped. A statement that needs a missing object
 * still fails, with its own error.
 */
async function createIfAllowed(warehouse: Warehouse, ddl: string): Promise<void> {
  try {
    await warehouse.execute(ddl);
  } catch (e) {
    if ((e as { code?: unknown }).code !== INSUFFICIENT_PRIVILEGES) throw e;
  }
}

export async function readCursor(warehouse: Warehouse, pipeline: string, resource: string): Promise<string | undefined> {
  const rows = await warehouse.query<{ value: string }>(
    `SELECT value FROM meta.cursors WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)}`,
  );
  return rows[0]?.value;
}

export async function writeCursor(warehouse: Warehouse, pipeline: string, resource: string, value: string, batchId: string): Promise<void> {
  await warehouse.execute(`DELETE FROM meta.cursors WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)}`);
  await warehouse.execute(
    `INSERT INTO meta.cursors VALUES (${sqlString(pipeline)}, ${sqlString(resource)}, ${sqlString(value)}, ${warehouse.dialect.now}, ${sqlString(batchId)})`,
  );
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run_${stamp}_${Math.random().toString(36).slice(2, 8)}`;
}

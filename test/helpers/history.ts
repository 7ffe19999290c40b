// A long run history for a project, written straight into meta with set-based SQL (one INSERT ... SELECT
// per meta table over a generated series of run numbers): a year of hourly runs of the demo's four
// pipelines takes seconds, not the hours that running them would. Every run of every pipeline gets its
// steps, and unless its ingest failed its batches, silver loads (conserved), check results, the tables'
// snapshots and the models it built; some runs fail, some records are rejected, some checks warn or fail,
// and now and then a field drifts. The numbers are a deterministic function of the run number.
// Used by tests (pages stay small at a year of history) and by bench/site.ts.
import { runProject } from '../../src/engine.js';
import { driftDdl } from '../../src/ingest/drift.js';
import { loadProject, type Project } from '../../src/project.js';
import { checkName } from '../../src/quality/checks.js';
import { ensureMetaSchema } from '../../src/state/meta.js';
import { sqlString, type Warehouse } from '../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { demoProject, REPO, withDatabase, type DemoProject } from './project.js';

export interface HistoryOptions {
  /** The newest run's start. */
  until: Date;
  /** How many runs of each pipeline (default 8,760: a year of hourly runs). */
  runs?: number;
  /** Seconds between runs (default 3,600). */
  everySeconds?: number;
}

export interface GeneratedHistory {
  runs: number;
  /** Run ids, oldest first: `run_hist_00000` ... */
  runId(i: number): string;
  /** Whether pipeline number k (in the project's order) failed its ingest in run i. */
  failed(i: number, k: number): boolean;
  /** When run i started (ISO). */
  startedAt(i: number): string;
}

/** Rejected rows' reasons, cycled through: codes as silver writes them. */
const REASONS = ['missing_required:store_id', 'pattern_mismatch:customer_email', 'below_min:total,missing_required:sold_at'];

export async function generateHistory(warehouse: Warehouse, project: Project, options: HistoryOptions): Promise<GeneratedHistory> {
  const runs = options.runs ?? 8760;
  const every = options.everySeconds ?? 3600;
  const d = warehouse.dialect;
  await ensureMetaSchema(warehouse);
  for (const ddl of driftDdl(d.timestampType)) await warehouse.execute(ddl);

  const until = `CAST(${sqlString(options.until.toISOString().replace('T', ' ').replace(/Z$/, ''))} AS ${d.timestampType})`;
  const plus = (ts: string, seconds: string) => (warehouse.kind === 'duckdb' ? `(${ts} + to_seconds(CAST(${seconds} AS BIGINT)))` : `DATEADD(second, ${seconds}, ${ts})`);
  // One row per run number i, with its id and start; the newest run starts at `until`.
  const gen = `(SELECT i, 'run_hist_' || LPAD(CAST(i AS VARCHAR), 5, '0') AS run_id, ${plus(until, `(i - ${runs - 1}) * ${every}`)} AS started_at
    FROM (${numbers(warehouse, runs)}) AS n)`;
  // The warehouse's own quoting: a Snowflake string reads a backslash as an escape (a pattern check's name has one).
  const values = (rows: ReadonlyArray<ReadonlyArray<string | number | null>>, columns: string[], alias = 'v') =>
    `(VALUES ${rows.map((r) => `(${r.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : d.quote(v))).join(', ')})`).join(', ')}) AS ${alias}(${columns.join(', ')})`;

  const pipelines = project.pipelines.map((p, k) => [k, p.name] as const);
  // About one run in 200 fails its ingest, and pipeline 0 has a six-hour outage every 2,000 runs.
  const failed = (i: string, k: string) => `((${i} * 13 + ${k} * 5) % 211 = 0 OR (${k} = 0 AND ${i} % 2000 BETWEEN 1000 AND 1005))`;
  const duration = (i: string, k: string) => `(20 + (${i} * 31 + ${k} * 7) % 40 + CASE WHEN (${i} + ${k}) % 97 = 0 THEN 300 ELSE 0 END)`;
  const runOf = `FROM ${gen} AS g CROSS JOIN ${values(pipelines, ['k', 'pipeline'])}`;
  const ingestError = sqlString('SourceError: transactions: the API answered 503 Service Unavailable 5 times (GET /v1/transactions?updated_since=...); giving up');

  await warehouse.execute(
    `INSERT INTO meta.runs (run_id, pipeline, started_at, finished_at, status, error)
     SELECT g.run_id, v.pipeline, g.started_at, ${plus('g.started_at', duration('g.i', 'v.k'))},
            CASE WHEN ${failed('g.i', 'v.k')} THEN 'failed' ELSE 'success' END,
            CASE WHEN ${failed('g.i', 'v.k')} THEN 'ingest: ' || ${ingestError} END
     ${runOf}`,
  );
  // Ingest takes the first half of the run, transform a third, check the rest; after a failed ingest the others are skipped.
  const steps = [['ingest', 0, 0.5], ['transform', 0.5, 0.85], ['check', 0.85, 1]] as const;
  await warehouse.execute(
    `INSERT INTO meta.run_steps (run_id, pipeline, step, status, error, started_at, finished_at)
     SELECT g.run_id, v.pipeline, s.step,
            CASE WHEN NOT ${failed('g.i', 'v.k')} THEN 'success' WHEN s.step = 'ingest' THEN 'failed' ELSE 'skipped' END,
            CASE WHEN ${failed('g.i', 'v.k')} AND s.step = 'ingest' THEN ${ingestError} END,
            ${plus('g.started_at', `FLOOR(${duration('g.i', 'v.k')} * s.from_share)`)}, ${plus('g.started_at', `FLOOR(${duration('g.i', 'v.k')} * s.to_share)`)}
     ${runOf} CROSS JOIN ${values(steps, ['step', 'from_share', 'to_share'], 's')}`,
  );

  const resources = project.pipelines.flatMap((p, k) => p.source.resources.map((r, j) => [k, p.name, r.name, p.source.kind, j] as const));
  const received = `(40 + (g.i * 17 + v.j * 23) % 120)`;
  await warehouse.execute(
    `INSERT INTO meta.batches (batch_id, run_id, pipeline, resource, source_kind, fetched_at, received, bronze_rows, cursor_before, cursor_after, rejected, backfill_from, backfill_to)
     SELECT g.run_id || '.' || v.pipeline || '.' || v.resource, g.run_id, v.pipeline, v.resource, v.source_kind, ${plus('g.started_at', '5')},
            ${received}, ${received} - CASE WHEN (g.i + v.j) % 500 = 0 THEN 1 ELSE 0 END, NULL, NULL, CASE WHEN (g.i + v.j) % 500 = 0 THEN 1 ELSE 0 END, NULL, NULL
     FROM ${gen} AS g CROSS JOIN ${values(resources, ['k', 'pipeline', 'resource', 'source_kind', 'j'])}
     WHERE NOT ${failed('g.i', 'v.k')}`,
  );

  // Silver tables of the YAML mappings: each batch's units accepted or rejected; one load in 50 rejects 1 to 3.
  const tables = project.pipelines.flatMap((p, k) =>
    p.silver.map((t, j) => [k, p.name, `silver.${t.name}`, t.from, j, p.source.resources.findIndex((r) => r.name === t.from)] as const));
  const loadsFrom = `FROM ${gen} AS g CROSS JOIN ${values(tables, ['k', 'pipeline', 'table_name', 'resource', 'j', 'r'])} WHERE NOT ${failed('g.i', 'v.k')}`;
  const units = `(40 + (g.i * 17 + v.r * 23) % 120)`;
  const rejects = `(CASE WHEN (g.i * 7 + v.j) % 50 = 0 THEN 1 + g.i % 3 ELSE 0 END)`;
  await warehouse.execute(
    `INSERT INTO meta.silver_loads (run_id, batch_id, pipeline, table_name, bronze, accepted, rejected, inserted, updated, conserved, loaded_at)
     SELECT g.run_id, g.run_id || '.' || v.pipeline || '.' || v.resource, v.pipeline, v.table_name, ${units}, ${units} - ${rejects}, ${rejects},
            (${units} - ${rejects}) / 4, (${units} - ${rejects}) - (${units} - ${rejects}) / 4, TRUE, ${plus('g.started_at', '20')}
     ${loadsFrom}`,
  );
  // One meta.rejected row per rejected unit, its reasons picked by the run number.
  await warehouse.execute(
    `INSERT INTO meta.rejected (run_id, batch_id, pipeline, table_name, record_hash, element_index, reasons, record, rejected_at)
     SELECT g.run_id, g.run_id || '.' || v.pipeline || '.' || v.resource, v.pipeline, v.table_name, 'h' || CAST(g.i AS VARCHAR) || '_' || CAST(u.n AS VARCHAR),
            NULL, CASE (g.i + u.n) % ${REASONS.length} ${REASONS.map((r, x) => `WHEN ${x} THEN ${sqlString(r)}`).join(' ')} END,
            '{"id": ' || CAST(g.i AS VARCHAR) || ', "store_id": null}', ${plus('g.started_at', '20')}
     FROM ${gen} AS g CROSS JOIN ${values(tables, ['k', 'pipeline', 'table_name', 'resource', 'j', 'r'])} CROSS JOIN (VALUES (0), (1), (2)) AS u(n)
     WHERE NOT ${failed('g.i', 'v.k')} AND u.n < ${rejects}`,
  );

  // Every declared check and freshness SLA: warn-severity checks warn one run in 40, others fail one in 300.
  const checks = project.pipelines.flatMap((p, k) => [
    ...p.checks.map((c) => [k, p.name, c.table, checkName(c.spec), c.spec.kind, c.severity] as const),
    ...p.freshness.map((f) => [k, p.name, f.table, `freshness(${f.field})`, 'freshness', 'error'] as const),
  ]).map((c, x) => [...c, x] as const);
  const outcome = `CASE WHEN v.severity = 'warn' AND (g.i + v.x) % 40 = 0 THEN 'warn' WHEN v.severity = 'error' AND (g.i * 3 + v.x) % 300 = 0 THEN 'fail' ELSE 'pass' END`;
  await warehouse.execute(
    `INSERT INTO meta.check_results (run_id, pipeline, table_name, check_name, kind, severity, status, failing_rows, message, sql_text, checked_at)
     SELECT g.run_id, v.pipeline, v.table_name, v.check_name, v.kind, v.severity, ${outcome}, CASE WHEN ${outcome} = 'pass' THEN 0 ELSE 1 + g.i % 4 END,
            CASE WHEN ${outcome} = 'pass' THEN 'ok' ELSE CAST(1 + g.i % 4 AS VARCHAR) || ' failing rows; e.g. status = "unknown"' END,
            'SELECT * FROM ' || v.table_name || ' WHERE FALSE', ${plus('g.started_at', `FLOOR(${duration('g.i', 'v.k')} * 0.9)`)}
     FROM ${gen} AS g CROSS JOIN ${values(checks, ['k', 'pipeline', 'table_name', 'check_name', 'kind', 'severity', 'x'])}
     WHERE NOT ${failed('g.i', 'v.k')}`,
  );

  // Each table's size after every run (growing by a few rows an hour, pipeline by pipeline) and, with an
  // SLA, its freshness lag (minutes; two hours after a run whose ingest failed).
  const freshness = new Map(project.pipelines.flatMap((p) => p.freshness.map((f) => [f.table, f.field])));
  const targets = [...project.graph.nodes('bronze'), ...project.graph.nodes('silver'), ...project.graph.nodes('gold')].map((n, x) => [
    project.pipelines.findIndex((p) => p.name === n.pipeline), n.layer === 'gold' ? null : (n.pipeline ?? null), n.name, n.layer, freshness.get(n.name) ?? null, x,
  ] as const);
  const lag = `(CASE WHEN v.k >= 0 AND ${failed('g.i', 'v.k')} THEN 7200 ELSE 300 + (g.i * 37 + v.x * 11) % 1500 END)`;
  await warehouse.execute(
    `INSERT INTO meta.table_snapshots (run_id, pipeline, table_name, layer, row_count, freshness_field, newest_at, lag_seconds, measured_at)
     SELECT g.run_id, v.pipeline, v.table_name, v.layer, 1000 * (v.x + 1) + g.i * (3 + v.x % 5) + (g.i * 7 + v.x) % 11, v.freshness_field,
            CASE WHEN v.freshness_field IS NOT NULL THEN ${plus('g.started_at', `-${lag}`)} END,
            CASE WHEN v.freshness_field IS NOT NULL THEN ${lag} END, ${plus('g.started_at', `FLOOR(${duration('g.i', 'CASE WHEN v.k < 0 THEN 0 ELSE v.k END')} * 0.85)`)}
     FROM ${gen} AS g CROSS JOIN ${values(targets, ['k', 'pipeline', 'table_name', 'layer', 'freshness_field', 'x'])}`,
  );
  // The SQL models (silver and gold) each run builds.
  const models = project.graph.order.map((name) => project.graph.get(name)!).filter((n) => 'model' in n).map((n, x) => [n.name, n.file, x] as const);
  await warehouse.execute(
    `INSERT INTO meta.model_runs (run_id, model, file, rows_after, built_at)
     SELECT g.run_id, v.model, v.file, 500 * (v.x + 1) + g.i * 2, ${plus('g.started_at', '25')}
     FROM ${gen} AS g CROSS JOIN ${values(models, ['model', 'file', 'x'])}`,
  );
  // Now and then a resource's records gain a field, and 24 runs later change its type.
  await warehouse.execute(
    `INSERT INTO meta.schema_drift (batch_id, pipeline, resource, path, change, old_type, new_type, previous_batch_id, detected_at)
     SELECT g.run_id || '.' || v.pipeline || '.' || v.resource, v.pipeline, v.resource, 'promo_code',
            CASE WHEN g.i % 1500 = 100 THEN 'added' ELSE 'type_changed' END, CASE WHEN g.i % 1500 = 100 THEN NULL ELSE 'string' END,
            CASE WHEN g.i % 1500 = 100 THEN 'string' ELSE 'number' END, NULL, ${plus('g.started_at', '5')}
     FROM ${gen} AS g CROSS JOIN ${values(resources, ['k', 'pipeline', 'resource', 'source_kind', 'j'])}
     WHERE (g.i % 1500 = 100 OR g.i % 1500 = 124) AND NOT ${failed('g.i', 'v.k')}`,
  );
  return {
    runs,
    runId: (i) => `run_hist_${String(i).padStart(5, '0')}`,
    failed: (i, k) => (i * 13 + k * 5) % 211 === 0 || (k === 0 && i % 2000 >= 1000 && i % 2000 <= 1005),
    startedAt: (i) => new Date(options.until.getTime() + (i - (runs - 1)) * every * 1000).toISOString(),
  };
}

/** The integers 0 .. n-1 as a one-column query (column i). */
function numbers(warehouse: Warehouse, n: number): string {
  if (warehouse.kind === 'duckdb') return `SELECT range AS i FROM range(${n})`;
  // Elsewhere, digits crossed with themselves: plain SQL every warehouse runs.
  const digits = `(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))`;
  const places = Math.max(1, Math.ceil(Math.log10(Math.max(n, 2))));
  const cols = Array.from({ length: places }, (_, p) => `d${p}.d * ${10 ** p}`).join(' + ');
  const from = Array.from({ length: places }, (_, p) => `${digits} AS d${p}(d)`).join(' CROSS JOIN ');
  return `SELECT * FROM (SELECT ${cols} AS i FROM ${from}) AS n WHERE i < ${n}`;
}

/**
 * The demo project after one real run (every layer built, the demo API answering) with `runs` hours of
 * generated history before it: what the site looks like after a year of hourly runs.
 */
export async function demoWithHistory(runs = 8760): Promise<{ project: DemoProject; generated: GeneratedHistory; close(): Promise<void> }> {
  const anchor = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const project = await demoProject(anchor);
  try {
    const run = await runProject(project.settings, { now: anchor });
    if (!run.ok) throw new Error(`the demo run failed: ${run.pipelines.map((p) => p.error).filter(Boolean).join('; ') || run.modelError}`);
    const loaded = await loadProject(project.dir, project.settings.env);
    const generated = await withDatabase(project.settings, (w) => generateHistory(w, loaded, { until: new Date(anchor.getTime() - 3_600_000), runs }));
    return { project, generated, close: () => project.close() };
  } catch (e) {
    await project.close();
    throw e;
  }
}

/**
 * The same generated history written to a fresh database on Snowflake (fakesnow, through the real driver) and
 * to an in-memory DuckDB, each read back by `read`: for tests that a reader's SQL answers alike on both.
 */
export async function readGeneratedHistoryOnBoth<T>(
  fakesnowAccessUrl: string,
  database: string,
  options: HistoryOptions,
  read: (warehouse: Warehouse) => Promise<T>,
): Promise<{ snowflake: T; duckdb: T }> {
  const project = await loadProject(REPO, {});
  const env = {
    SNOWFLAKE_ACCESS_URL: fakesnowAccessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: database,
    SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: `pat-fakesnow-${database.toLowerCase()}`,
  };
  const setup = await openSnowflakeFromEnv({ ...env, SNOWFLAKE_DATABASE: 'FAKESNOW' });
  try {
    await setup.execute(`CREATE DATABASE IF NOT EXISTS ${database}`);
  } finally {
    await setup.close();
  }
  const readFrom = async (warehouse: Warehouse): Promise<T> => {
    try {
      await generateHistory(warehouse, project, options);
      return await read(warehouse);
    } finally {
      await warehouse.close();
    }
  };
  return { snowflake: await readFrom(await openSnowflakeFromEnv(env)), duckdb: await readFrom(await DuckDBWarehouse.open(':memory:')) };
}

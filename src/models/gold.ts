// SQL models (sql/silver, sql/gold): each model file becomes a table or a view, built in the graph's
// dependency order; the gold models in one transaction, so readers never see half a star schema.
import type { ProjectGraph } from '../graph/graph.js';
import { WarehouseError, type Diagnostic } from '../errors.js';
import { ident, sqlString, timestampLiteral, type Warehouse } from '../warehouse/adapter.js';
import type { SqlModel } from '../config/sql-model.js';
import { sqlErrorDiagnostic } from '../sql/errors.js';

export interface ModelBuild {
  model: string;
  file: string;
  rows: number;
}

/** Models to build: all, or those downstream of the given silver tables. */
export function selectModels(graph: ProjectGraph, changedTables?: Iterable<string>): SqlModel[] {
  const gold = graph.nodes('gold');
  if (!changedTables) return gold.map((n) => n.model);
  const below = graph.downstream(changedTables);
  return gold.filter((n) => below.has(n.name)).map((n) => n.model);
}

export interface ModelPlan {
  build: SqlModel[];
  /** Models that cannot be built yet, with the tables they are waiting for. */
  skipped: Array<{ model: string; missing: string[] }>;
}

/**
 * Completes a selection: adds the gold parents the warehouse does not have yet (a model cannot be
 * built on a table that was never built), and skips, with the reason, models whose silver or bronze
 * inputs no run has loaded yet (e.g. the first run of one pipeline on a new database).
 */
export async function planModels(graph: ProjectGraph, selected: SqlModel[], warehouse: Warehouse): Promise<ModelPlan> {
  const names = new Set(selected.map((m) => m.name));
  const queue = [...names];
  while (queue.length) {
    for (const parent of graph.parents(queue.shift()!)) {
      if (parent.layer === 'gold' && !names.has(parent.name) && !(await warehouse.tableExists(parent.name))) {
        names.add(parent.name);
        queue.push(parent.name);
      }
    }
  }
  const build: SqlModel[] = [];
  const skipped: ModelPlan['skipped'] = [];
  const buildable = new Set<string>();
  for (const { model } of graph.nodes('gold').filter((n) => names.has(n.name))) {
    const missing: string[] = [];
    for (const table of new Set(model.references.map((r) => r.table))) {
      if (table === model.name || buildable.has(table)) continue;
      if (!(await warehouse.tableExists(table))) missing.push(table);
    }
    if (missing.length) skipped.push({ model: model.name, missing });
    else {
      build.push(model);
      buildable.add(model.name);
    }
  }
  return { build, skipped };
}

/** A `table` model: its SELECT replaces the table's rows. */
export async function buildModelTable(warehouse: Warehouse, model: SqlModel, runId: string): Promise<ModelBuild> {
  // The SELECT starts on the statement's first line, so DuckDB's "LINE n" is the file's line n
  // (the translation keeps every line where it was).
  await runModelSql(warehouse, model, `CREATE OR REPLACE TABLE ${model.name} AS `, translateModel(warehouse, model));
  return recordModelRun(warehouse, model, runId);
}

/** A `view` model: the view is replaced; its rows are whatever its SELECT gives when read. */
export async function buildModelView(warehouse: Warehouse, model: SqlModel, runId: string): Promise<ModelBuild> {
  await runModelSql(warehouse, model, `CREATE OR REPLACE VIEW ${model.name} AS `, translateModel(warehouse, model));
  return recordModelRun(warehouse, model, runId);
}

/**
 * An `incremental` model, brought up to date: its SELECT is run for the window from the newest
 * time_column value it holds minus the lookback, and that window replaces the table's rows of the same
 * window (mergeModelRows). A row whose time is before the window is left as it is. Returns the build and
 * how many rows actually changed (0 when the window gave the same rows again).
 */
export async function mergeModelWindow(warehouse: Warehouse, model: SqlModel, runId: string): Promise<{ build: ModelBuild; changed: number }> {
  const { time_column: time = '', lookback_seconds: lookback = 0 } = model.options;
  const d = warehouse.dialect;
  const [{ start }] = await warehouse.query<{ start: string | null }>(
    `SELECT CAST(${d.plusSeconds(`MAX(${ident(time)})`, -lookback)} AS VARCHAR) AS start FROM ${model.name}`,
  );
  if (start === null) return { build: await buildModelTable(warehouse, model, runId), changed: 1 };
  const changed = await mergeModelRows(warehouse, model, (column) => `${column} >= CAST(${d.quote(start)} AS ${d.timestampType})`);
  return { build: await recordModelRun(warehouse, model, runId), changed };
}

/** An `incremental` model's rows of a time range computed again (`dataops backfill`), as a window is. */
export async function mergeModelRange(warehouse: Warehouse, model: SqlModel, runId: string, range: { from: Date; to: Date }): Promise<{ build: ModelBuild; changed: number }> {
  const d = warehouse.dialect;
  const changed = await mergeModelRows(warehouse, model, (column) => `${column} >= ${timestampLiteral(d, range.from)} AND ${column} < ${timestampLiteral(d, range.to)}`);
  return { build: await recordModelRun(warehouse, model, runId), changed };
}

/**
 * Replaces the model's rows whose time_column is in a window with what its SELECT gives for that window,
 * matched by unique_key: rows that changed are updated, new ones inserted, and rows of the window the
 * SELECT no longer gives are deleted. Returns how many rows changed.
 */
async function mergeModelRows(warehouse: Warehouse, model: SqlModel, inWindow: (column: string) => string): Promise<number> {
  const { unique_key: key = [], time_column: time = '' } = model.options;
  const window = `_window_${model.name.replace('.', '_')}`;
  await runModelSql(warehouse, model, `CREATE OR REPLACE TEMP TABLE ${window} AS SELECT * FROM (`, `${translateModel(warehouse, model)}\n) AS m WHERE ${inWindow(`m.${ident(time)}`)}`);
  const keyColumns = key.map(ident);
  const [problems] = await warehouse.query<{ null_keys: number; repeated: number }>(
    `SELECT (SELECT COUNT(*) FROM ${window} WHERE ${keyColumns.map((k) => `${k} IS NULL`).join(' OR ')}) AS null_keys,
            (SELECT COUNT(*) FROM (SELECT 1 AS one FROM ${window} GROUP BY ${keyColumns.join(', ')} HAVING COUNT(*) > 1) AS r) AS repeated`,
  );
  if (Number(problems.null_keys) > 0 || Number(problems.repeated) > 0) {
    throw new ModelError({
      file: model.file, line: 1, col: 1, severity: 'error',
      message: `${model.name}: unique_key [${key.join(', ')}] does not name one row each in this run's window (${problems.null_keys} rows with a NULL key, ${problems.repeated} keys on several rows); an incremental model needs a key that is never NULL and never repeats`,
    });
  }
  const columns = await modelColumns(warehouse, model);
  const sameKey = keyColumns.map((k) => `t.${k} = w.${k}`).join(' AND ');
  const values = columns.filter((c) => !keyColumns.includes(c));
  // No alias on DELETE's table: Snowflake takes none; its columns are named through the table.
  const gone = keyColumns.map((k) => `${model.name}.${k} = w.${k}`).join(' AND ');
  const deleted = await warehouse.execute(`DELETE FROM ${model.name} WHERE ${inWindow(`${model.name}.${ident(time)}`)} AND NOT EXISTS (SELECT 1 FROM ${window} AS w WHERE ${gone})`);
  const differs = values.length ? ` AND (${values.map((c) => `t.${c} IS DISTINCT FROM w.${c}`).join(' OR ')})` : ' AND FALSE';
  const merged = await warehouse.execute(
    `MERGE INTO ${model.name} AS t USING ${window} AS w ON ${sameKey}
     WHEN MATCHED${differs} THEN UPDATE SET ${values.map((c) => `${c} = w.${c}`).join(', ') || `${keyColumns[0]} = w.${keyColumns[0]}`}
     WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `w.${c}`).join(', ')})`,
  );
  await warehouse.execute(`DROP TABLE ${window}`);
  return deleted + merged;
}

/** The model's table's columns, in table order, as identifiers (Snowflake keeps unquoted names in upper case). */
export async function modelColumns(warehouse: Warehouse, model: SqlModel): Promise<string[]> {
  const rows = await warehouse.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE lower(table_schema) = ${sqlString(model.layer)} AND lower(table_name) = ${sqlString(model.name.slice(model.layer.length + 1))} ORDER BY ordinal_position`,
  );
  return rows.map((r) => ident(r.column_name.toLowerCase()));
}

export async function recordModelRun(warehouse: Warehouse, model: SqlModel, runId: string): Promise<ModelBuild> {
  const [{ n }] = await warehouse.query<{ n: number }>(`SELECT count(*) AS n FROM ${model.name}`);
  await warehouse.execute(
    `INSERT INTO meta.model_runs VALUES (${sqlString(runId)}, ${sqlString(model.name)}, ${sqlString(model.file)}, ${n}, ${warehouse.dialect.now})`,
  );
  return { model: model.name, file: model.file, rows: Number(n) };
}

/** The model's SELECT in the warehouse's own SQL; SQL outside the supported subset is a ModelError. */
export function translateModel(warehouse: Warehouse, model: SqlModel, select = model.select): string {
  const { sql, diagnostics } = warehouse.translate(select, model.file);
  const error = diagnostics.find((d) => d.severity === 'error');
  if (error) throw new ModelError(error);
  return sql;
}

export class ModelError extends WarehouseError {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`);
  }
}

/** Runs `prefix` + the model's SELECT (which must start on the statement's first line); returns the rows it changed. */
export async function runModelSql(warehouse: Warehouse, model: SqlModel, prefix: string, select: string): Promise<number> {
  try {
    return await warehouse.execute(`${prefix}${select}`);
  } catch (e) {
    throw new ModelError(modelDiagnostic(model, (e as Error).message, prefix.length));
  }
}

/**
 * A warehouse error at the model's place, in the user's terms (src/sql/errors.ts). `statementPrefixLength`:
 * what ran before the model's text on its first line (unknown: guessed from DuckDB's echo of the line).
 */
export function modelDiagnostic(model: Pick<SqlModel, 'file' | 'text'>, message: string, statementPrefixLength?: number): Diagnostic {
  return sqlErrorDiagnostic(message, { file: model.file, text: model.text, statementPrefixLength });
}

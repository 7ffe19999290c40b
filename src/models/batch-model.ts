// A silver SQL model `incremental_by_batch`: each run reads only the bronze batches the model has not seen
// (meta.model_batches keeps the ones it has), by putting a filtered subquery where its SELECT names its
// bronze table (config/batch-sql.ts says what SQL that is exact for). Without a unique_key the new rows are
// appended; with one they are merged, one row per key: the version with the greatest latest_by, then the
// one of the later batch (by fetch time). The model gives bronze's `_batch_id` for that, and so that a
// batch merged again replaces its own rows instead of adding them twice. A full build computes the same
// order over all of bronze at once, so both give the same table; a test runs both and compares.
import type { ModelNode } from '../graph/graph.js';
import { sqlString, ident, type Warehouse } from '../warehouse/adapter.js';
import { tokenize } from '../sql/tokenize.js';
import { significant } from '../config/batch-sql.js';
import type { SqlModel, TableReference } from '../config/sql-model.js';
import { ModelError, modelColumns, recordModelRun, runModelSql, translateModel, type ModelBuild } from './gold.js';

/** Batches read per statement: keeps the IN list far below Snowflake's limit on list expressions. */
export const BATCHES_PER_STATEMENT = 500;

/** The model's bronze table, and the pipeline and resource that load it. */
export function bronzeInput(node: ModelNode): { reference: TableReference; pipeline: string; resource: string } {
  const reference = node.model.references.find((r) => r.table.startsWith('bronze.'))!;
  const pipeline = node.pipeline!;
  return { reference, pipeline, resource: reference.table.slice(`bronze.${pipeline}_`.length) };
}

/** The batches of the model's bronze table it has not read yet, in the order they were fetched. */
export async function pendingBatches(warehouse: Warehouse, node: ModelNode): Promise<string[]> {
  const { pipeline, resource } = bronzeInput(node);
  const rows = await warehouse.query<{ batch_id: string }>(
    `SELECT batch_id FROM meta.batches WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)}
       AND batch_id NOT IN (SELECT batch_id FROM meta.model_batches WHERE table_name = ${sqlString(node.name)})
     ORDER BY fetched_at, batch_id`,
  );
  return rows.map((r) => r.batch_id);
}

/** Reads the batches the model has not seen into it. Returns the build and how many rows changed. */
export async function mergeModelBatches(warehouse: Warehouse, node: ModelNode, runId: string): Promise<{ build: ModelBuild; changed: number }> {
  const model = node.model;
  const pending = await pendingBatches(warehouse, node);
  const columns = await modelColumns(warehouse, model);
  let changed = 0;
  for (let i = 0; i < pending.length; i += BATCHES_PER_STATEMENT) {
    const batches = pending.slice(i, i + BATCHES_PER_STATEMENT);
    const select = translateModel(warehouse, model, restrictToBatches(model.select, bronzeInput(node).reference, batches));
    changed += model.options.unique_key ? await mergeByKey(warehouse, model, select, columns) : await append(warehouse, model, select, columns, batches);
    await recordBatches(warehouse, model, batches, runId);
  }
  return { build: await recordModelRun(warehouse, model, runId), changed };
}

/** Builds the model from all of its bronze, and records every batch as read. */
export async function rebuildModelBatches(warehouse: Warehouse, node: ModelNode, runId: string): Promise<ModelBuild> {
  const model = node.model;
  const { pipeline, resource } = bronzeInput(node);
  // Listed before the build: a batch that arrived during it is read again next time, which replaces its rows.
  const batches = (await warehouse.query<{ batch_id: string }>(
    `SELECT batch_id FROM meta.batches WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)}`,
  )).map((r) => r.batch_id);
  const select = translateModel(warehouse, model);
  if (model.options.unique_key) {
    const rows = await distinctRows(warehouse, model, select);
    await warehouse.execute(`CREATE OR REPLACE TABLE ${model.name} AS ${latestPerKey(model, rows)}`);
    await warehouse.execute(`DROP TABLE ${rows}`);
  } else {
    await runModelSql(warehouse, model, `CREATE OR REPLACE TABLE ${model.name} AS `, select);
  }
  await warehouse.execute(`DELETE FROM meta.model_batches WHERE table_name = ${sqlString(model.name)}`);
  for (let i = 0; i < batches.length; i += BATCHES_PER_STATEMENT) await recordBatches(warehouse, model, batches.slice(i, i + BATCHES_PER_STATEMENT), runId);
  return recordModelRun(warehouse, model, runId);
}

/**
 * The model's SELECT reading only the given batches of its bronze table: the reference replaced with a
 * filtered subquery on the same line (so errors keep their line), under the user's alias or the table's
 * own name.
 */
export function restrictToBatches(select: string, reference: TableReference, batchIds: readonly string[]): string {
  const end = reference.offset + reference.length;
  const next = significant(tokenize(select.slice(end)))[0];
  const word = next?.kind === 'word' ? next.text.toLowerCase() : undefined;
  const aliased = next?.kind === 'qident' || (word !== undefined && !CLAUSE_WORDS.has(word));
  const name = reference.table.slice(reference.table.indexOf('.') + 1);
  const lineBreaks = '\n'.repeat(select.slice(reference.offset, end).split('\n').length - 1);
  const filtered = `(SELECT * FROM ${reference.table} WHERE _batch_id IN (${batchIds.map(sqlString).join(', ')}))${aliased ? '' : ` AS ${name}`}`;
  return `${select.slice(0, reference.offset)}${filtered}${lineBreaks}${select.slice(end)}`;
}

/** Words after a table name that start the next clause, so no alias follows the name. */
const CLAUSE_WORDS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'lateral', 'on', 'using', 'group',
  'order', 'having', 'qualify', 'limit', 'union', 'except', 'intersect', 'minus', 'window', 'sample',
  'tablesample', 'at', 'before', 'changes', 'match_recognize', 'pivot', 'unpivot', 'fetch', 'offset',
  'start', 'connect', 'asof', 'outer',
]);

/** Appends the batches' rows; rows of those batches already there (a batch read again) are replaced. */
async function append(warehouse: Warehouse, model: SqlModel, select: string, columns: string[], batches: string[]): Promise<number> {
  const replaced = await warehouse.execute(`DELETE FROM ${model.name} WHERE _batch_id IN (${batches.map(sqlString).join(', ')})`);
  const list = columns.join(', ');
  return replaced + (await runModelSql(warehouse, model, `INSERT INTO ${model.name} (${list}) SELECT ${list} FROM (`, `${select}\n) AS m`));
}

/** Merges the batches' latest version of each key, where it is later than the version the table holds. */
async function mergeByKey(warehouse: Warehouse, model: SqlModel, select: string, columns: string[]): Promise<number> {
  const key = model.options.unique_key!.map(ident);
  const rows = await distinctRows(warehouse, model, select);
  const pick = `_batch_pick_${model.name.replace('.', '_')}`;
  // The table's version stays when it comes later in the order than the batches' latest. A join, not a
  // correlated subquery: the table holds one row per key, never NULL.
  const later = laterThan(model, { row: 't', batch: 'tb' }, { row: 'n', batch: 'nb' });
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${pick} AS ${latestPerKey(model, rows, {
      joins: `LEFT JOIN ${model.name} AS t ON ${key.map((k) => `t.${k} = n.${k}`).join(' AND ')} LEFT JOIN meta.batches AS tb ON tb.batch_id = t._batch_id`,
      where: `t.${key[0]} IS NULL OR NOT ${later}`,
    })}`,
  );
  await warehouse.execute(`DROP TABLE ${rows}`);
  const values = columns.filter((c) => !key.includes(c));
  const merged = await warehouse.execute(
    `MERGE INTO ${model.name} AS t USING ${pick} AS s ON ${key.map((k) => `t.${k} = s.${k}`).join(' AND ')}
     WHEN MATCHED THEN UPDATE SET ${(values.length ? values : key.slice(0, 1)).map((c) => `${c} = s.${c}`).join(', ')}
     WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`,
  );
  // The picked rows stay until the session ends or the next merge replaces them: a DROP here would commit
  // the merge's transaction on Snowflake before the batches are recorded with it.
  return merged;
}

/**
 * The SELECT's rows, each once, in a temporary table, checked: no NULL in the key, and no two rows of one
 * batch with the same key and latest_by (which of them is the latest cannot be told). Returns its name.
 */
async function distinctRows(warehouse: Warehouse, model: SqlModel, select: string): Promise<string> {
  const rows = `_batch_rows_${model.name.replace('.', '_')}`;
  await runModelSql(warehouse, model, `CREATE OR REPLACE TEMP TABLE ${rows} AS SELECT DISTINCT * FROM (`, `${select}\n) AS m`);
  const { unique_key: key = [], latest_by: latest } = model.options;
  const keyColumns = key.map(ident);
  const version = [...keyColumns, ...(latest ? [ident(latest)] : []), '_batch_id'];
  const [found] = await warehouse.query<{ null_keys: number; repeated: number }>(
    `SELECT (SELECT COUNT(*) FROM ${rows} WHERE ${keyColumns.map((k) => `${k} IS NULL`).join(' OR ')}) AS null_keys,
            (SELECT COUNT(*) FROM (SELECT 1 AS one FROM ${rows} GROUP BY ${version.join(', ')} HAVING COUNT(*) > 1) AS r) AS repeated`,
  );
  const problems = [
    ...(Number(found.null_keys) > 0 ? [`${found.null_keys} rows have a NULL in unique_key [${key.join(', ')}] (leave them out in the SELECT: WHERE ... IS NOT NULL)`] : []),
    ...(Number(found.repeated) > 0
      ? [`${found.repeated} keys have several different rows in one batch${latest ? ` with the same ${latest}` : ''}, so which is the latest cannot be told (${latest ? 'a latest_by that tells them apart' : 'a latest_by such as updated_at'} or a finer unique_key would)`]
      : []),
  ];
  if (problems.length) {
    const line = Math.max(1, model.text.split('\n').findIndex((l) => /^\s*--\s*unique_key\s*:/.test(l)) + 1);
    throw new ModelError({ file: model.file, line, col: 1, severity: 'error', message: `${model.name}: ${problems.join('; ')}` });
  }
  return rows;
}

/** One row per key of `rows`: the first in the version order, among those that pass `also.where`. */
function latestPerKey(model: SqlModel, rows: string, also?: { joins: string; where: string }): string {
  const key = model.options.unique_key!.map((k) => `n.${ident(k)}`);
  const latest = model.options.latest_by ? [`n.${ident(model.options.latest_by)} DESC NULLS LAST`] : [];
  // Every column of the SELECT and no more: the batch's fetch time only orders.
  return `SELECT n.* FROM ${rows} AS n LEFT JOIN meta.batches AS nb ON nb.batch_id = n._batch_id${also ? ` ${also.joins} WHERE ${also.where}` : ''}
    QUALIFY row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY ${[...latest, 'nb.fetched_at DESC NULLS LAST', 'n._batch_id DESC'].join(', ')}) = 1`;
}

/** `a` comes later than `b` in the version order (latest_by, then batch fetch time, then batch id; NULL first); never NULL. */
function laterThan(model: SqlModel, a: { row: string; batch: string }, b: { row: string; batch: string }): string {
  const pairs: Array<[string, string]> = [
    ...(model.options.latest_by ? [[`${a.row}.${ident(model.options.latest_by)}`, `${b.row}.${ident(model.options.latest_by)}`] as [string, string]] : []),
    [`${a.batch}.fetched_at`, `${b.batch}.fetched_at`],
    [`${a.row}._batch_id`, `${b.row}._batch_id`],
  ];
  const greater = ([x, y]: [string, string]) => `(${x} IS NOT NULL AND (${y} IS NULL OR ${x} > ${y}))`;
  const same = ([x, y]: [string, string]) => `${x} IS NOT DISTINCT FROM ${y}`;
  return pairs.reduceRight((rest, pair) => (rest ? `(${greater(pair)} OR (${same(pair)} AND ${rest}))` : greater(pair)), '');
}

async function recordBatches(warehouse: Warehouse, model: SqlModel, batches: string[], runId: string): Promise<void> {
  if (batches.length === 0) return;
  await warehouse.execute(
    `INSERT INTO meta.model_batches VALUES ${batches.map((b) => `(${sqlString(model.name)}, ${sqlString(b)}, ${sqlString(runId)}, ${warehouse.dialect.now})`).join(', ')}`,
  );
}

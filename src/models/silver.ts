// Bronze -> silver, from the pipeline's declarative column mapping. Every bronze unit (a record, or an
// array element for `explode`) ends up either accepted (typed, normalized, merged by key, latest
// wins) or in meta.rejected with its reasons. Each batch is one transaction that first proves
// bronze = accepted + rejected; reruns skip batches already built, so nothing is counted twice.
import { bronzeTableName, splitPath, type ColumnSpec, type Pipeline, type SilverTable } from '../config/types.js';
import { InvariantError } from '../errors.js';
import { ident, sqlString, type Dialect, type Warehouse } from '../warehouse/adapter.js';
import { historyColumnsDdl, mergeVersions, type BatchChanges } from './silver-history.js';

export interface SilverLoad {
  table: string;
  batchId: string;
  bronze: number;
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  /** Keys the batch's deletion records removed (or, with history, closed). */
  deleted: number;
  conserved: boolean;
}

const META_COLUMNS = ['_batch_id', '_record_hash', '_loaded_at'];

export function silverDdl(table: SilverTable, dialect: Dialect): string {
  const columns = table.columns.map((c) => `${ident(c.name)} ${dialect.columnType(c.type)}`);
  return `CREATE TABLE IF NOT EXISTS silver.${table.name} (${[
    ...columns,
    ...(table.history ? historyColumnsDdl(table, dialect) : []),
    '_batch_id VARCHAR',
    '_record_hash VARCHAR',
    `_loaded_at ${dialect.timestampType}`,
  ].join(', ')})`;
}

/** Builds every silver table of the pipeline from the bronze batches it has not seen yet. */
export async function buildSilver(warehouse: Warehouse, pipeline: Pipeline, runId: string): Promise<SilverLoad[]> {
  const loads: SilverLoad[] = [];
  for (const table of pipeline.silver) loads.push(...(await mergeSilver(warehouse, pipeline.name, table, runId)));
  return loads;
}

/**
 * Merges into one silver table the bronze batches it has not seen yet, one conserved transaction each.
 * `inBatch` runs inside each batch's transaction (to record what the batch changed with it).
 */
export async function mergeSilver(
  warehouse: Warehouse,
  pipeline: string,
  table: SilverTable,
  runId: string,
  inBatch?: (load: SilverLoad) => Promise<void>,
): Promise<SilverLoad[]> {
  await warehouse.execute(silverDdl(table, warehouse.dialect));
  await addNewColumns(warehouse, table);
  const pending = await warehouse.query<{ batch_id: string }>(
    `SELECT batch_id FROM meta.batches
     WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(table.from)}
       AND batch_id NOT IN (SELECT batch_id FROM meta.silver_loads WHERE table_name = ${sqlString(`silver.${table.name}`)})
     ORDER BY fetched_at, batch_id`,
  );
  const loads: SilverLoad[] = [];
  for (const { batch_id } of pending) loads.push(await mergeBatch(warehouse, pipeline, table, batch_id, runId, inBatch));
  return loads;
}

/** A column added to the YAML later is added to the table (existing rows get NULL). */
async function addNewColumns(warehouse: Warehouse, table: SilverTable): Promise<void> {
  const existing = await warehouse.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE lower(table_schema) = 'silver' AND lower(table_name) = ${sqlString(table.name)}`,
  );
  // Snowflake keeps unquoted names in upper case.
  const have = new Set(existing.map((r) => r.column_name.toLowerCase()));
  for (const column of table.columns) {
    if (!have.has(column.name)) {
      await warehouse.execute(`ALTER TABLE silver.${table.name} ADD COLUMN ${ident(column.name)} ${warehouse.dialect.columnType(column.type)}`);
    }
  }
}

async function mergeBatch(
  warehouse: Warehouse,
  pipeline: string,
  table: SilverTable,
  batchId: string,
  runId: string,
  inBatch?: (load: SilverLoad) => Promise<void>,
): Promise<SilverLoad> {
  const d = warehouse.dialect;
  const target = `silver.${table.name}`;
  const batch = sqlString(batchId);
  return warehouse.transaction(async () => {
    const { stage, units, accepted, rejected, changes } = await applyBatch(warehouse, pipeline, table, batchId, target);
    await warehouse.execute(`DELETE FROM meta.rejected WHERE batch_id = ${batch} AND table_name = ${sqlString(target)}`);
    await warehouse.execute(
      `INSERT INTO meta.rejected
       SELECT ${sqlString(runId)}, ${batch}, ${sqlString(pipeline)}, ${sqlString(target)}, _record_hash, _element_index, _reasons,
              CAST(_row_json AS VARCHAR), ${d.now}
       FROM ${stage} WHERE _reasons <> ''`,
    );
    const load: SilverLoad = { table: target, batchId, bronze: units, accepted, rejected, ...changes, conserved: true };
    await warehouse.execute(
      `INSERT INTO meta.silver_loads VALUES (${sqlString(runId)}, ${batch}, ${sqlString(pipeline)}, ${sqlString(target)},
        ${load.bronze}, ${load.accepted}, ${load.rejected}, ${load.inserted}, ${load.updated}, TRUE, ${d.now}, ${load.deleted})`,
    );
    await inBatch?.(load);
    await warehouse.execute(`DROP TABLE ${stage}`);
    return load;
  });
}

/**
 * Stages one bronze batch, proves it conserved (bronze units = accepted + rejected; else nothing is
 * written), and applies its accepted units to `target` (the table, or a rebuild's table aside). The
 * stage stays for the caller (its rejected units), who drops it.
 */
export async function applyBatch(
  warehouse: Warehouse,
  pipeline: string,
  table: SilverTable,
  batchId: string,
  target: string,
): Promise<{ stage: string; units: number; accepted: number; rejected: number; changes: BatchChanges }> {
  const d = warehouse.dialect;
  const bronze = `bronze.${bronzeTableName(pipeline, table.from)}`;
  const stage = `_stage_${table.name}`;
  const batch = sqlString(batchId);
  await warehouse.execute(`CREATE OR REPLACE TEMP TABLE ${stage} AS ${stageSql(table, bronze, batchId, d)}`);
  const [{ n: units }] = await warehouse.query<{ n: number }>(
    table.explode
      ? `SELECT COALESCE(SUM(COALESCE(${d.arrayLength('_record', splitPath(table.explode))}, 1)), 0) AS n FROM ${bronze} WHERE _batch_id = ${batch}`
      : `SELECT count(*) AS n FROM ${bronze} WHERE _batch_id = ${batch}`,
  );
  const [counts] = await warehouse.query<{ accepted: number; rejected: number }>(
    `SELECT COALESCE(SUM(CASE WHEN _reasons = '' THEN 1 ELSE 0 END), 0) AS accepted,
            COALESCE(SUM(CASE WHEN _reasons <> '' THEN 1 ELSE 0 END), 0) AS rejected FROM ${stage}`,
  );
  const [accepted, rejected] = [Number(counts.accepted), Number(counts.rejected)];
  if (Number(units) !== accepted + rejected) {
    throw new InvariantError(
      `${target}: batch ${batchId} has ${units} bronze units but ${accepted} accepted + ${rejected} rejected; nothing of this batch was written`,
    );
  }
  const changes = table.history ? await mergeVersions(warehouse, table, target, stage, batchId) : await mergeLatest(warehouse, table, target, stage);
  return { stage, units: Number(units), accepted, rejected, changes };
}

/**
 * Latest wins: of the batch, the latest version of each key (ties go to the greater record hash, so the
 * outcome does not depend on row order), merged where it is at least as new as the table's. A deletion
 * record removes its key instead; one without a latest_by value counts as newer than anything.
 */
async function mergeLatest(warehouse: Warehouse, table: SilverTable, target: string, stage: string): Promise<BatchChanges> {
  const d = warehouse.dialect;
  const merge = `_merge_${table.name}`;
  const keyMatch = table.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
  const latest = table.latest_by ? ident(table.latest_by) : undefined;
  const order = [
    ...(table.deleted_when && latest ? [`CASE WHEN _deleted AND ${latest} IS NULL THEN 1 ELSE 0 END DESC`] : []),
    ...(latest ? [`${latest} DESC NULLS LAST`] : []),
    ...(table.deleted_when ? ['_deleted DESC'] : []),
    '_record_hash DESC',
  ];
  const columns = table.columns.map((c) => ident(c.name));
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${merge} AS
     SELECT ${[...columns, '_batch_id', '_record_hash', '_deleted'].join(', ')} FROM ${stage} WHERE _reasons = ''
     QUALIFY row_number() OVER (PARTITION BY ${table.key.map(ident).join(', ')} ORDER BY ${order.join(', ')}) = 1`,
  );
  const newer = (t: string) => (latest ? ` AND (${t}.${latest} IS NULL OR s.${latest} IS NULL AND s._deleted OR s.${latest} >= ${t}.${latest})` : '');
  let deleted = 0;
  if (table.deleted_when) {
    // No alias on DELETE's table: Snowflake takes none.
    const own = table.key.map((k) => `${target}.${ident(k)} = s.${ident(k)}`).join(' AND ');
    deleted = await warehouse.execute(`DELETE FROM ${target} WHERE EXISTS (SELECT 1 FROM ${merge} AS s WHERE s._deleted AND ${own}${newer(target)})`);
  }
  const [{ n: inserted }] = await warehouse.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${merge} s WHERE NOT s._deleted AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${keyMatch})`,
  );
  const all = [...columns, ...META_COLUMNS];
  const changed = await warehouse.execute(
    `MERGE INTO ${target} AS t USING (SELECT * FROM ${merge} WHERE NOT _deleted) AS s ON ${keyMatch}
     WHEN MATCHED${newer('t')} THEN UPDATE SET ${[...columns, '_batch_id', '_record_hash'].map((c) => `${c} = s.${c}`).join(', ')}, _loaded_at = ${d.now}
     WHEN NOT MATCHED THEN INSERT (${all.join(', ')}) VALUES (${[...columns, '_batch_id', '_record_hash'].map((c) => `s.${c}`).join(', ')}, ${d.now})`,
  );
  await warehouse.execute(`DROP TABLE ${merge}`);
  return { inserted: Number(inserted), updated: changed - Number(inserted), deleted };
}


/**
 * One row per bronze unit with each column's raw text, its typed value and `_reasons`: a comma list
 * of reason codes, '' when the unit is valid. Of one batch, or of all of bronze when `batchId` is undefined.
 */
export function stageSql(table: SilverTable, bronze: string, batchId: string | undefined, d: Dialect): string {
  const ofBatch = batchId === undefined ? 'TRUE' : `b._batch_id = ${sqlString(batchId)}`;
  let units: string;
  if (table.explode) {
    const path = splitPath(table.explode);
    // Only arrays are exploded (json_each would also walk an object's keys or a scalar); anything
    // else is one unit, rejected as explode_not_array.
    const e = d.explode('b._record', path, 'e');
    units = `SELECT b._batch_id, b._record_hash, ${e.index} AS _element_index, ${e.value} AS _row_json, b._record AS _parent, '' AS _unit_problem
             FROM ${bronze} AS b ${e.join} WHERE ${ofBatch} AND ${d.arrayLength('b._record', path)} IS NOT NULL
             UNION ALL
             SELECT b._batch_id, b._record_hash, NULL, b._record, b._record, ${sqlString(`explode_not_array:${table.explode}`)}
             FROM ${bronze} AS b WHERE ${ofBatch} AND ${d.arrayLength('b._record', path)} IS NULL`;
  } else {
    units = `SELECT b._batch_id, b._record_hash, CAST(NULL AS INTEGER) AS _element_index, b._record AS _row_json, b._record AS _parent, '' AS _unit_problem
             FROM ${bronze} AS b WHERE ${ofBatch}`;
  }
  const rawColumns = [
    ...table.columns.map((c) => `${rawText(c, d)} AS ${ident(`${c.name}__raw`)}`),
    `${deletionTest(table, d)} AS _deleted`,
  ];
  const typedColumns = table.columns.map((c) => `${d.tryConvert(ident(`${c.name}__raw`), c.type)} AS ${ident(c.name)}`);
  const reasons = [`NULLIF(_unit_problem, '')`, ...table.columns.flatMap((c) => reasonChecks(c, table, d))];
  return `WITH units AS (${units}),
    raw AS (SELECT units.*, ${rawColumns.join(', ')} FROM units),
    typed AS (SELECT raw.*, ${typedColumns.join(', ')} FROM raw)
    SELECT typed.*, ${d.joinNonNull(reasons)} AS _reasons FROM typed`;
}

/** TRUE for a deletion record (the resource's deleted_when); its non-key fields are not checked. */
function deletionTest(table: SilverTable, d: Dialect): string {
  if (!table.deleted_when) return 'FALSE';
  const { field, equals } = table.deleted_when;
  return `COALESCE(${d.jsonText('_row_json', splitPath(field))} = ${sqlString(String(equals))}, FALSE)`;
}

function rawText(column: ColumnSpec, d: Dialect): string {
  const fromRoot = column.path.startsWith('$.');
  const source = fromRoot ? '_parent' : '_row_json';
  const path = splitPath(column.path);
  let text = column.type === 'json' ? `CAST(${d.jsonValue(source, path)} AS VARCHAR)` : d.jsonText(source, path);
  for (const step of column.normalize) text = `${step}(${text})`;
  return text;
}

function reasonChecks(c: ColumnSpec, table: SilverTable, d: Dialect): string[] {
  const raw = ident(`${c.name}__raw`);
  const typed = ident(c.name);
  // A deletion record needs its key and nothing else.
  const unlessDeleted = table.key.includes(c.name) ? '' : ' AND NOT _deleted';
  const when = (condition: string, code: string) => `CASE WHEN ${condition}${unlessDeleted} THEN ${sqlString(`${code}:${c.name}`)} END`;
  const checks: string[] = [];
  if (c.required) checks.push(when(`${raw} IS NULL`, 'missing_required'));
  else if (table.key.includes(c.name)) checks.push(when(`${raw} IS NULL`, 'missing_key'));
  checks.push(when(`${raw} IS NOT NULL AND ${typed} IS NULL`, 'invalid_type'));
  if (c.type === 'integer' || c.type === 'bigint') {
    // A cast to an integer type rounds 12.5 to 13; a fraction is not an integer, so reject it.
    checks.push(when(`${typed} IS NOT NULL AND ${d.tryConvert(raw, 'double')} <> ${typed}`, 'invalid_type'));
  }
  if (c.min !== undefined) checks.push(when(`${typed} < ${c.min}`, 'out_of_range'));
  if (c.max !== undefined) checks.push(when(`${typed} > ${c.max}`, 'out_of_range'));
  if (c.pattern !== undefined) checks.push(when(`${typed} IS NOT NULL AND NOT ${d.regexpFullMatch(`CAST(${typed} AS VARCHAR)`, c.pattern)}`, 'pattern_mismatch'));
  return checks;
}

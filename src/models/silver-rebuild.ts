// A silver table built again from all of its bronze, after its mapping changed (or on `run --full-refresh`):
// into a table aside that then replaces it at once, so readers see the old version or the new, never half.
// The old version's load records and rejected rows give way to the new ones in the same transaction, never
// both kept.
import { bronzeTableName, splitPath, type SilverTable } from '../config/types.js';
import { InvariantError } from '../errors.js';
import { ident, sqlString, type Warehouse } from '../warehouse/adapter.js';
import { applyBatch, silverDdl, stageSql, type SilverLoad } from './silver.js';

/**
 * One pass over bronze, not one merge per batch: each unit is staged once, every batch is still conserved
 * (bronze units = accepted + rejected, checked per batch), and each key gets the version the runs' merges
 * would have left, batch after batch in fetch order (models/silver.ts mergeBatch): the latest by
 * `latest_by`, a later batch winning a tie, the greater record hash within a batch. The load records say,
 * per batch, what its merge would have inserted and updated.
 */
export async function rebuildSilver(
  warehouse: Warehouse,
  pipeline: string,
  table: SilverTable,
  runId: string,
  /** Runs in the transaction that puts the rebuild in place (to record it with it). */
  inSwap?: () => Promise<void>,
): Promise<SilverLoad[]> {
  // History and deletions depend on the order of every batch before: replayed, one batch after another.
  if (table.history || table.deleted_when) return replaySilver(warehouse, pipeline, table, runId, inSwap);
  const d = warehouse.dialect;
  const target = `silver.${table.name}`;
  const bronze = `bronze.${bronzeTableName(pipeline, table.from)}`;
  const [batches, stage, winners] = ['batches', 'stage', 'winners'].map((t) => `_rebuild_${t}_${table.name}`);
  const key = table.key.map(ident).join(', ');
  const latest = table.latest_by ? ident(table.latest_by) : undefined;
  const columns = [...table.columns.map((c) => ident(c.name)), '_batch_id', '_record_hash'];

  const aside = await createAside(warehouse, table);
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${batches} AS SELECT batch_id, ROW_NUMBER() OVER (ORDER BY fetched_at, batch_id) AS batch_order
     FROM meta.batches WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(table.from)}`,
  );
  // Only what the rest needs: the typed columns, the unit's identity, and a rejected unit's text.
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${stage} AS
     SELECT ${columns.map((c) => `s.${c}`).join(', ')}, s._element_index, s._reasons, o.batch_order,
            CASE WHEN s._reasons <> '' THEN CAST(s._row_json AS VARCHAR) END AS _rejected_text
     FROM (${stageSql(table, bronze, undefined, d)}) AS s JOIN ${batches} AS o ON o.batch_id = s._batch_id`,
  );
  const units = table.explode
    ? `COALESCE(SUM(COALESCE(${d.arrayLength('b._record', splitPath(table.explode))}, 1)), 0)`
    : 'COUNT(*)';
  const loads = await warehouse.query<{ batch_id: string; bronze: number; accepted: number; rejected: number }>(
    `SELECT o.batch_id, COALESCE(u.n, 0) AS bronze, COALESCE(s.accepted, 0) AS accepted, COALESCE(s.rejected, 0) AS rejected
     FROM ${batches} AS o
     LEFT JOIN (SELECT b._batch_id, ${units} AS n FROM ${bronze} AS b GROUP BY b._batch_id) AS u ON u._batch_id = o.batch_id
     LEFT JOIN (SELECT _batch_id, SUM(CASE WHEN _reasons = '' THEN 1 ELSE 0 END) AS accepted, SUM(CASE WHEN _reasons <> '' THEN 1 ELSE 0 END) AS rejected
                FROM ${stage} GROUP BY _batch_id) AS s ON s._batch_id = o.batch_id
     ORDER BY o.batch_order`,
  );
  const broken = loads.find((l) => Number(l.bronze) !== Number(l.accepted) + Number(l.rejected));
  if (broken) {
    throw new InvariantError(`${target}: batch ${broken.batch_id} has ${broken.bronze} bronze units but ${broken.accepted} accepted + ${broken.rejected} rejected; the table was not rebuilt`);
  }

  // Each batch's version of a key (as its merge chose it), then what that merge did with it: the first
  // batch to bring a key inserts it; a later one updates it when it is at least as new as the newest before.
  const inBatch = latest ? `${latest} DESC NULLS LAST, _record_hash DESC` : '_record_hash DESC';
  // The version the table keeps is the newest of those, a later batch winning a tie.
  const across = latest ? `${latest} DESC NULLS LAST, batch_order DESC, _record_hash DESC` : 'batch_order DESC, _record_hash DESC';
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${winners} AS
     SELECT w.*,
            ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY batch_order) = 1 AS _first,
            ${latest ? `MAX(${latest}) OVER (PARTITION BY ${key} ORDER BY batch_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)` : 'NULL'} AS _newest_before
     FROM (SELECT * FROM ${stage} WHERE _reasons = '' QUALIFY ROW_NUMBER() OVER (PARTITION BY ${key}, batch_order ORDER BY ${inBatch}) = 1) AS w`,
  );
  const merged = await warehouse.query<{ batch_id: string; inserted: number; updated: number }>(
    `SELECT _batch_id AS batch_id, SUM(CASE WHEN _first THEN 1 ELSE 0 END) AS inserted,
            SUM(CASE WHEN NOT _first${latest ? ` AND (_newest_before IS NULL OR ${latest} >= _newest_before)` : ''} THEN 1 ELSE 0 END) AS updated
     FROM ${winners} GROUP BY _batch_id`,
  );
  await warehouse.execute(
    `INSERT INTO ${aside} (${[...columns, '_loaded_at'].join(', ')})
     SELECT ${columns.join(', ')}, ${d.now} FROM ${winners} QUALIFY ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY ${across}) = 1`,
  );

  const result: SilverLoad[] = loads.map((l) => {
    const m = merged.find((x) => x.batch_id === l.batch_id);
    return {
      table: target, batchId: l.batch_id, bronze: Number(l.bronze), accepted: Number(l.accepted), rejected: Number(l.rejected),
      inserted: Number(m?.inserted ?? 0), updated: Number(m?.updated ?? 0), deleted: 0, conserved: true,
    };
  });
  const rejectedRows = `SELECT _batch_id AS batch_id, _record_hash AS record_hash, _element_index AS element_index, _reasons AS reasons,
                               _rejected_text AS record_text FROM ${stage} WHERE _reasons <> ''`;
  await swapRebuilt(warehouse, { pipeline, table, runId, aside, rejectedRows, loads: result, inSwap });
  for (const temp of [winners, stage, batches]) await warehouse.execute(`DROP TABLE IF EXISTS ${temp}`);
  return result;
}

/**
 * For a table whose rows depend on the order of its batches (history, deletions): every batch is applied,
 * in fetch order as the runs did, to the table aside, each conserved. So the rebuilt history is the one
 * the runs would have written with the new mapping.
 */
async function replaySilver(
  warehouse: Warehouse,
  pipeline: string,
  table: SilverTable,
  runId: string,
  inSwap?: () => Promise<void>,
): Promise<SilverLoad[]> {
  const target = `silver.${table.name}`;
  const rejected = `_rebuild_rejected_${table.name}`;
  const aside = await createAside(warehouse, table);
  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${rejected} (batch_id VARCHAR, record_hash VARCHAR, element_index INTEGER, reasons VARCHAR, record_text VARCHAR)`,
  );
  const batches = await warehouse.query<{ batch_id: string }>(
    `SELECT batch_id FROM meta.batches WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(table.from)} ORDER BY fetched_at, batch_id`,
  );
  const loads: SilverLoad[] = [];
  for (const { batch_id: batchId } of batches) {
    const { stage, units, accepted, rejected: refused, changes } = await applyBatch(warehouse, pipeline, table, batchId, aside);
    await warehouse.execute(
      `INSERT INTO ${rejected} SELECT _batch_id, _record_hash, _element_index, _reasons, CAST(_row_json AS VARCHAR) FROM ${stage} WHERE _reasons <> ''`,
    );
    await warehouse.execute(`DROP TABLE ${stage}`);
    loads.push({ table: target, batchId, bronze: units, accepted, rejected: refused, ...changes, conserved: true });
  }
  await swapRebuilt(warehouse, { pipeline, table, runId, aside, rejectedRows: `SELECT * FROM ${rejected}`, loads, inSwap });
  await warehouse.execute(`DROP TABLE IF EXISTS ${rejected}`);
  return loads;
}

/** An empty table aside, `silver.<name>__rebuild`; what a rebuild that did not finish left there is started over. */
async function createAside(warehouse: Warehouse, table: SilverTable): Promise<string> {
  const aside = `silver.${table.name}__rebuild`;
  await warehouse.execute(`DROP TABLE IF EXISTS ${aside}`);
  await warehouse.execute(silverDdl({ ...table, name: `${table.name}__rebuild` }, warehouse.dialect));
  return aside;
}

interface Rebuilt {
  pipeline: string;
  table: SilverTable;
  runId: string;
  aside: string;
  /** A query of the rebuild's rejected units, with columns batch_id, record_hash, element_index, reasons, record_text. */
  rejectedRows: string;
  loads: SilverLoad[];
  inSwap?: () => Promise<void>;
}

/** Puts the rebuilt table in place with its load records and rejected rows, in one transaction. */
async function swapRebuilt(warehouse: Warehouse, { pipeline, table, runId, aside, rejectedRows, loads, inSwap }: Rebuilt): Promise<void> {
  const d = warehouse.dialect;
  const target = `silver.${table.name}`;
  const [run, pipe, name] = [runId, pipeline, target].map(sqlString);
  await warehouse.transaction(async () => {
    await warehouse.replaceTable(target, aside);
    for (const meta of ['meta.silver_loads', 'meta.rejected']) await warehouse.execute(`DELETE FROM ${meta} WHERE table_name = ${name}`);
    await warehouse.execute(
      `INSERT INTO meta.rejected
       SELECT ${run}, r.batch_id, ${pipe}, ${name}, r.record_hash, r.element_index, r.reasons, r.record_text, ${d.now}
       FROM (${rejectedRows}) AS r`,
    );
    for (let i = 0; i < loads.length; i += 500) {
      const values = loads.slice(i, i + 500).map((l) =>
        `(${run}, ${sqlString(l.batchId)}, ${pipe}, ${name}, ${l.bronze}, ${l.accepted}, ${l.rejected}, ${l.inserted}, ${l.updated}, TRUE, ${d.now}, ${l.deleted})`);
      await warehouse.execute(`INSERT INTO meta.silver_loads VALUES ${values.join(', ')}`);
    }
    await inSwap?.();
  });
}

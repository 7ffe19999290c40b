// Silver tables that keep history (`history: scd2`, as dbt snapshots and dlt's scd2 do). A version's
// valid_from is its latest_by value (dbt's timestamp strategy); valid_to is the next version's valid_from,
// or the time the key was deleted; is_current marks the one open version. The history columns are plain columns of the table,
// so a DELETE by key removes every version (an erasure needs nothing more).
import { HISTORY_COLUMNS, type SilverTable } from '../config/types.js';
import { ident, sqlString, type Dialect, type Warehouse } from '../warehouse/adapter.js';

/** What applying one batch to a silver table changed. */
export interface BatchChanges {
  inserted: number;
  updated: number;
  deleted: number;
}

export function historyColumnsDdl(table: SilverTable, d: Dialect): string[] {
  const time = d.columnType(table.columns.find((c) => c.name === table.latest_by)?.type ?? 'timestamp');
  return [`valid_from ${time}`, `valid_to ${time}`, 'is_current BOOLEAN'];
}

/**
 * Applies one staged batch to a table with history. Each accepted unit is an event of its key at its
 * latest_by (a deletion without one: at the batch's fetch time). Events no later than what the table
 * already knows of the key are left out (a record sent again, or an older version come late); so are
 * versions equal to the one before them in every column but latest_by, and deletions of a key that is not
 * there. What remains closes the key's current version, opens new ones, and closes those in turn.
 */
export async function mergeVersions(warehouse: Warehouse, table: SilverTable, target: string, stage: string, batchId: string): Promise<BatchChanges> {
  const d = warehouse.dialect;
  const events = `_events_${table.name}`;
  const key = table.key.map(ident);
  const latest = ident(table.latest_by!);
  const columns = table.columns.map((c) => ident(c.name));
  const compared = columns.filter((c) => !key.includes(c) && c !== latest);
  const match = (a: string, b: string) => key.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const byKey = `PARTITION BY ${key.map((k) => `q.${k}`).join(', ')} ORDER BY q._at`;
  const fetchedAt = `(SELECT MAX(fetched_at) FROM meta.batches WHERE batch_id = ${sqlString(batchId)})`;
  const carried = [...columns, '_batch_id', '_record_hash', '_deleted'];

  await warehouse.execute(
    `CREATE OR REPLACE TEMP TABLE ${events} AS
     WITH incoming AS (
       SELECT * FROM (
         SELECT ${carried.join(', ')}, CASE WHEN _deleted THEN COALESCE(${latest}, CAST(${fetchedAt} AS ${d.columnType('timestamp')})) ELSE ${latest} END AS _at
         FROM ${stage} WHERE _reasons = '') AS u
       QUALIFY row_number() OVER (PARTITION BY ${key.join(', ')}, _at ORDER BY _deleted DESC, _record_hash DESC) = 1
     ),
     known AS (
       SELECT ${key.map((k) => `t.${k}`).join(', ')}, MAX(COALESCE(t.valid_to, t.valid_from)) AS _last_at
       FROM ${target} AS t WHERE EXISTS (SELECT 1 FROM incoming AS i WHERE ${match('i', 't')}) GROUP BY ${key.map((k) => `t.${k}`).join(', ')}
     ),
     fresh AS (
       SELECT i.*, FALSE AS _prior FROM incoming AS i LEFT JOIN known AS k ON ${match('k', 'i')}
       WHERE k._last_at IS NULL OR i._at > k._last_at
     ),
     prior AS (
       SELECT ${columns.map((c) => (key.includes(c) ? `k.${c}` : `c.${c}`)).join(', ')}, c._batch_id, c._record_hash,
              c.${key[0]} IS NULL AS _deleted, k._last_at AS _at, TRUE AS _prior
       FROM known AS k LEFT JOIN ${target} AS c ON ${match('c', 'k')} AND c.is_current
       WHERE EXISTS (SELECT 1 FROM fresh AS f WHERE ${match('f', 'k')})
     ),
     marked AS (
       SELECT q.*, row_number() OVER (${byKey}) AS _n, LAG(q._deleted) OVER (${byKey}) AS _prev_deleted
              ${compared.map((c) => `, LAG(q.${c}) OVER (${byKey}) AS ${ident(`_prev_${c.replace(/"/g, '')}`)}`).join('')}
       FROM (SELECT * FROM fresh UNION ALL SELECT * FROM prior) AS q
     )
     SELECT m.*, LEAD(m._at) OVER (PARTITION BY ${key.map((k) => `m.${k}`).join(', ')} ORDER BY m._at) AS _next_at
     FROM marked AS m
     WHERE m._prior
        OR (m._deleted AND m._n > 1 AND NOT m._prev_deleted)
        OR (NOT m._deleted AND (m._n = 1 OR m._prev_deleted${compared.map((c) => ` OR m.${c} IS DISTINCT FROM m.${ident(`_prev_${c.replace(/"/g, '')}`)}`).join('')}))`,
  );
  // The key's version that was current ends where its first new event begins.
  const closed = await warehouse.execute(
    `MERGE INTO ${target} AS t USING (SELECT * FROM ${events} WHERE _prior AND NOT _deleted AND _next_at IS NOT NULL) AS s
     ON ${match('t', 's')} AND t.is_current
     WHEN MATCHED THEN UPDATE SET valid_to = s._next_at, is_current = FALSE`,
  );
  const stored = [...columns, ...HISTORY_COLUMNS, '_batch_id', '_record_hash', '_loaded_at'];
  const inserted = await warehouse.execute(
    `INSERT INTO ${target} (${stored.join(', ')})
     SELECT ${[...columns, '_at', '_next_at', '_next_at IS NULL', '_batch_id', '_record_hash', d.now].join(', ')}
     FROM ${events} WHERE NOT _prior AND NOT _deleted`,
  );
  const [{ n: deleted }] = await warehouse.query<{ n: number }>(`SELECT count(*) AS n FROM ${events} WHERE NOT _prior AND _deleted`);
  await warehouse.execute(`DROP TABLE ${events}`);
  return { inserted, updated: closed, deleted: Number(deleted) };
}

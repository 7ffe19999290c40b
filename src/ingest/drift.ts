// Schema drift per batch: which fields of a resource's records appeared, disappeared or changed JSON
// type since the previous batch. Each batch's field profile (path -> JSON types) is taken while its
// records are written to the landing file, kept in meta.batch_fields, and compared in SQL with the
// previous batch's; the differences go to meta.schema_drift. It only observes: a record is never
// dropped or changed because its shape moved.
//
// The profile itself is taken by the sources as they read (sources/profile.ts).
import type { FieldProfile } from '../sources/profile.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export type DriftChange = 'added' | 'removed' | 'type_changed';

export interface SchemaChange {
  /** Dot path as in a silver column's `path`; `[]` stands for every element of an array, e.g. lines[].product_id. */
  path: string;
  change: DriftChange;
  /** JSON types joined by "|" (array, boolean, number, object, string), or "null" when only nulls were seen. */
  oldType: string | null;
  newType: string | null;
}

export function driftDdl(ts: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS meta.batch_fields (
      batch_id VARCHAR, pipeline VARCHAR, resource VARCHAR, path VARCHAR, json_type VARCHAR, n BIGINT, profiled_at ${ts})`,
    `CREATE TABLE IF NOT EXISTS meta.schema_drift (
      batch_id VARCHAR, pipeline VARCHAR, resource VARCHAR, path VARCHAR, change VARCHAR, old_type VARCHAR, new_type VARCHAR,
      previous_batch_id VARCHAR, detected_at ${ts})`,
  ];
}

/**
 * Stores the batch's field profile and records how it differs from the previous profiled batch of the
 * same resource. Call it inside the batch's transaction, with driftDdl already run. A batch without
 * records is not profiled, so the next one is compared with the last batch that had records.
 */
export async function recordSchemaDrift(
  warehouse: Warehouse,
  batch: { batchId: string; pipeline: string; resource: string },
  profile: FieldProfile,
): Promise<SchemaChange[]> {
  const fields = profile.rows();
  if (fields.length === 0) return [];
  const scope = `pipeline = ${sqlString(batch.pipeline)} AND resource = ${sqlString(batch.resource)}`;
  const [previous] = await warehouse.query<{ batch_id: string }>(
    `SELECT batch_id FROM meta.batch_fields WHERE ${scope} ORDER BY profiled_at DESC, batch_id DESC LIMIT 1`,
  );
  const id = sqlString(batch.batchId);
  const head = `${id}, ${sqlString(batch.pipeline)}, ${sqlString(batch.resource)}`;
  for (let i = 0; i < fields.length; i += 500) {
    const values = fields.slice(i, i + 500).map((f) => `(${head}, ${sqlString(f.path)}, ${sqlString(f.jsonType)}, ${f.n}, ${warehouse.dialect.now})`);
    await warehouse.execute(`INSERT INTO meta.batch_fields VALUES ${values.join(', ')}`);
  }
  if (!previous) return [];
  const prev = sqlString(previous.batch_id);
  // Inside an added or removed object only the object itself is reported, not each of its fields.
  const diff = `
    WITH cur AS (SELECT path, json_type FROM meta.batch_fields WHERE batch_id = ${id}),
         prev AS (SELECT path, json_type FROM meta.batch_fields WHERE batch_id = ${prev}),
         diff AS (
           SELECT COALESCE(cur.path, prev.path) AS path,
                  CASE WHEN prev.path IS NULL THEN 'added' WHEN cur.path IS NULL THEN 'removed' ELSE 'type_changed' END AS change,
                  prev.json_type AS old_type, cur.json_type AS new_type
           FROM cur FULL JOIN prev ON cur.path = prev.path
           WHERE cur.path IS NULL OR prev.path IS NULL OR cur.json_type <> prev.json_type)
    SELECT d.* FROM diff AS d
    WHERE d.change = 'type_changed' OR NOT EXISTS (
      SELECT 1 FROM diff AS parent WHERE parent.change = d.change AND LENGTH(d.path) > LENGTH(parent.path)
        AND (LEFT(d.path, LENGTH(parent.path) + 1) = parent.path || '.' OR LEFT(d.path, LENGTH(parent.path) + 2) = parent.path || '[]'))`;
  await warehouse.execute(
    `INSERT INTO meta.schema_drift
     SELECT ${id}, ${sqlString(batch.pipeline)}, ${sqlString(batch.resource)}, path, change, old_type, new_type, ${prev}, ${warehouse.dialect.now}
     FROM (${diff})`,
  );
  const changes = await warehouse.query<{ path: string; change: DriftChange; old_type: string | null; new_type: string | null }>(
    `SELECT path, change, old_type, new_type FROM meta.schema_drift WHERE batch_id = ${id} ORDER BY path`,
  );
  return changes.map((r) => ({ path: r.path, change: r.change, oldType: r.old_type, newType: r.new_type }));
}

/** One line for logs: `+channel (string), -customer.phone, id: number -> string`. */
export function formatDrift(changes: SchemaChange[]): string {
  return changes
    .map((c) => (c.change === 'added' ? `+${c.path} (${c.newType})` : c.change === 'removed' ? `-${c.path}` : `${c.path}: ${c.oldType} -> ${c.newType}`))
    .join(', ');
}

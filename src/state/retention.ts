// Retention (dataops.yml `retention:`): each layer keeps what it holds for a number of days, and every
// hourly run (or `dataops retention`) removes what is older. Bronze goes a whole batch at a time and only
// once every table that reads it has built that batch, so nothing not yet in silver is lost. A batch
// whose bronze is removed is marked in meta.batches (bronze_removed_at): a later rebuild of silver from
// bronze would silently lose its rows, so models/transform.ts refuses it unless the table is named in
// --full-refresh. Per batch, conservation (bronze units = accepted + rejected) stays as meta.silver_loads
// recorded it when the batch was built.
import { readdir, rm } from 'node:fs/promises';
import type { RetentionLayer } from '../config/project-file.js';
import type { GraphNode, ProjectGraph } from '../graph/graph.js';
import { landingDaysBefore } from '../ingest/landing.js';
import { sqlString, timestampLiteral, type Warehouse } from '../warehouse/adapter.js';

/** What retention removed (or, in a dry run, would remove) from one table or landing folder. */
export interface RetentionCount {
  layer: RetentionLayer;
  /** A schema-qualified table, or `landing/source=<pipeline>` for landing files. */
  table: string;
  /** Rows; for landing, files. */
  removed: number;
  /** Why some of it was kept though it is older (e.g. bronze a model still has to read). */
  note?: string;
}

/** The meta history tables retention.meta applies to, with the column that dates each row. */
const META_HISTORY: ReadonlyArray<[string, string]> = [
  ['meta.runs', 'started_at'],
  ['meta.run_steps', 'started_at'],
  ['meta.check_results', 'checked_at'],
  ['meta.check_samples', 'sampled_at'],
  ['meta.column_profiles', 'measured_at'],
  ['meta.table_snapshots', 'measured_at'],
];

export interface RetentionOptions {
  /** Seconds each layer keeps; a layer left out keeps everything. */
  keep: Partial<Record<RetentionLayer, number>>;
  landingDir: string;
  pipelines: readonly string[];
  now?: Date;
  dryRun?: boolean;
}

/** Removes (or with dryRun, counts) what each layer holds past its retention. */
export async function applyRetention(warehouse: Warehouse, graph: ProjectGraph, options: RetentionOptions): Promise<RetentionCount[]> {
  const now = options.now ?? new Date();
  const cutoff = (layer: RetentionLayer) => (options.keep[layer] === undefined ? undefined : new Date(now.getTime() - options.keep[layer]! * 1000));
  const counts: RetentionCount[] = [];
  const at = (d: Date) => timestampLiteral(warehouse.dialect, d);

  const landing = cutoff('landing');
  if (landing) {
    for (const pipeline of options.pipelines) {
      let files = 0;
      for (const folder of await landingDaysBefore(options.landingDir, pipeline, landing)) {
        files += (await readdir(folder, { recursive: true })).filter((e) => e.endsWith('.jsonl')).length;
        if (!options.dryRun) await rm(folder, { recursive: true, force: true });
      }
      counts.push({ layer: 'landing', table: `landing/source=${pipeline}`, removed: files });
    }
  }

  const bronze = cutoff('bronze');
  if (bronze) {
    for (const node of graph.nodes('bronze').filter((n) => options.pipelines.includes(n.pipeline!))) {
      counts.push(await removeOldBronze(warehouse, graph, node, at(bronze), options.dryRun));
    }
  }

  // Rows of no pipeline (a gold model's snapshots) go with any pipeline's: the cutoff is the project's.
  const only = `(pipeline IN (${options.pipelines.map(sqlString).join(', ')}) OR pipeline IS NULL)`;
  const rejected = cutoff('rejected');
  if (rejected && options.pipelines.length) {
    counts.push(...(await removeOlder(warehouse, 'rejected', 'meta.rejected', `rejected_at < ${at(rejected)} AND ${only}`, options.dryRun, 'table_name')));
  }
  const meta = cutoff('meta');
  if (meta && options.pipelines.length) {
    for (const [table, column] of META_HISTORY) counts.push(...(await removeOlder(warehouse, 'meta', table, `${column} < ${at(meta)} AND ${only}`, options.dryRun)));
  }
  return counts;
}

/**
 * Removes the bronze rows of old batches that every reader has built. A table, view or incremental model
 * that reads bronze directly is rebuilt from all of it, so while one reads the table nothing is removed.
 */
async function removeOldBronze(warehouse: Warehouse, graph: ProjectGraph, node: GraphNode & { layer: 'bronze' }, before: string, dryRun?: boolean): Promise<RetentionCount> {
  const readers = graph.order.map((n) => graph.get(n)!).filter((n) => n.parents.includes(node.name) && (n.layer === 'silver' || n.layer === 'gold'));
  // A silver mapping (merged by key, with history or not) records its batches in meta.silver_loads.
  const mapping = (r: GraphNode) => r.kind === 'merge_by_key' || r.kind === 'scd2';
  const rebuiltFromAll = readers.filter((r) => !mapping(r) && r.kind !== 'incremental_by_batch');
  if (rebuiltFromAll.length) {
    return { layer: 'bronze', table: node.name, removed: 0, note: `kept: ${rebuiltFromAll.map((r) => r.name).join(', ')} ${rebuiltFromAll.length === 1 ? 'is' : 'are'} built from all of it` };
  }
  if (!(await warehouse.tableExists(node.name))) return { layer: 'bronze', table: node.name, removed: 0 };
  const built = readers.map((r) =>
    mapping(r)
      ? `AND b.batch_id IN (SELECT batch_id FROM meta.silver_loads WHERE table_name = ${sqlString(r.name)})`
      : `AND b.batch_id IN (SELECT batch_id FROM meta.model_batches WHERE table_name = ${sqlString(r.name)})`,
  );
  const batches = `SELECT b.batch_id FROM meta.batches b
    WHERE b.pipeline = ${sqlString(node.pipeline!)} AND b.resource = ${sqlString(node.resource)} AND b.fetched_at < ${before}
      AND b.bronze_removed_at IS NULL ${built.join(' ')}`;
  const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${node.name} WHERE _batch_id IN (${batches})`);
  const [{ pending }] = await warehouse.query<{ pending: number }>(
    `SELECT COUNT(*) AS pending FROM meta.batches b WHERE b.pipeline = ${sqlString(node.pipeline!)} AND b.resource = ${sqlString(node.resource)}
       AND b.fetched_at < ${before} AND b.bronze_removed_at IS NULL AND b.batch_id NOT IN (${batches})`,
  );
  const note = Number(pending) > 0 ? `kept ${pending} older batch${Number(pending) === 1 ? '' : 'es'} not yet built by ${readers.map((r) => r.name).join(', ')}` : undefined;
  if (!dryRun) {
    await warehouse.transaction(async () => {
      const ids = (await warehouse.query<{ batch_id: string }>(batches)).map((r) => r.batch_id);
      for (let i = 0; i < ids.length; i += 500) {
        const list = ids.slice(i, i + 500).map(sqlString).join(', ');
        await warehouse.execute(`DELETE FROM ${node.name} WHERE _batch_id IN (${list})`);
        await warehouse.execute(`UPDATE meta.batches SET bronze_removed_at = ${warehouse.dialect.now} WHERE batch_id IN (${list})`);
      }
    });
  }
  return { layer: 'bronze', table: node.name, removed: Number(n), ...(note ? { note } : {}) };
}

/** Rows of a table older than the cutoff (by `groupBy`, one count per value, when given). */
async function removeOlder(warehouse: Warehouse, layer: RetentionLayer, table: string, older: string, dryRun?: boolean, groupBy?: string): Promise<RetentionCount[]> {
  if (!(await warehouse.tableExists(table))) return [];
  const rows = await warehouse.query<{ t: string; n: number }>(
    `SELECT ${groupBy ?? sqlString(table)} AS t, COUNT(*) AS n FROM ${table} WHERE ${older} GROUP BY ${groupBy ?? '1'}`,
  );
  if (!dryRun && rows.length) await warehouse.execute(`DELETE FROM ${table} WHERE ${older}`);
  const counts = rows.map((r) => ({ layer, table: groupBy ? `${table} (${r.t})` : table, removed: Number(r.n) }));
  return counts.length ? counts.sort((a, b) => a.table.localeCompare(b.table)) : [{ layer, table, removed: 0 }];
}

/** One line per table: "bronze: bronze.catalog_customers: 120 rows removed". */
export function formatRetention(counts: readonly RetentionCount[], dryRun?: boolean): string[] {
  const verb = dryRun ? 'would be removed' : 'removed';
  return counts.map((c) => `retention ${c.layer}: ${c.table}: ${c.removed} ${c.layer === 'landing' ? 'files' : 'rows'} ${verb}${c.note ? ` (${c.note})` : ''}`);
}

/** How many batches of a resource, fetched up to when, had their bronze removed by retention. */
export async function removedBronze(warehouse: Warehouse, pipeline: string, resource: string): Promise<{ batches: number; newest?: string }> {
  const [row] = await warehouse.query<{ n: number; newest: unknown }>(
    `SELECT COUNT(*) AS n, MAX(fetched_at) AS newest FROM meta.batches
     WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)} AND bronze_removed_at IS NOT NULL`,
  );
  const batches = Number(row?.n ?? 0);
  return batches ? { batches, newest: new Date(String(row.newest)).toISOString() } : { batches: 0 };
}

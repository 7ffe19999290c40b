// What each table looked like after a run: its rows, and for a table with a freshness SLA the newest
// value of its freshness field and how far that lags the run's clock. One row per table per run in
// meta.table_snapshots, so volume and freshness lag have a series (the history pages chart them;
// anomaly detection reads them). Written at the end of a run's transform or check step; a later step of
// the same run replaces the earlier one's rows, so a run never counts twice.
import type { FreshnessSpec } from '../config/types.js';
import type { ProjectGraph } from '../graph/graph.js';
import { measureFreshness } from '../quality/freshness.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export interface SnapshotTarget {
  /** Schema-qualified, e.g. "silver.transactions". */
  table: string;
  /** The pipeline that loads it; null for gold models, which may read several. */
  pipeline: string | null;
  freshness?: FreshnessSpec;
}

export interface TableSnapshot {
  table: string;
  pipeline: string | null;
  rows: number;
  freshness_field: string | null;
  newest_at: string | null;
  lag_seconds: number | null;
}

/** The tables a run of these pipelines touches: their bronze and silver tables, and every gold model (it may read any pipeline's). */
export function snapshotTargets(
  graph: ProjectGraph,
  pipelines: ReadonlyArray<{ name: string; freshness: readonly FreshnessSpec[] }>,
  allFreshness: readonly FreshnessSpec[],
): SnapshotTarget[] {
  const names = new Set(pipelines.map((p) => p.name));
  const freshness = new Map(allFreshness.map((f) => [f.table, f]));
  const owned = [...graph.nodes('bronze'), ...graph.nodes('silver')].filter((n) => n.pipeline !== undefined && names.has(n.pipeline));
  const gold = graph.nodes('gold');
  return [...owned, ...gold].map((n) => ({ table: n.name, pipeline: n.layer === 'gold' ? null : n.pipeline!, freshness: freshness.get(n.name) }));
}

/**
 * Measures each target table that exists and writes one row per table for the run, replacing what an
 * earlier step of the same run wrote for it. A table whose freshness cannot be measured (its field is
 * gone) still gets its row count; the lag is NULL. `now` is the clock the lag is measured against (tests and
 * replays fix it); measured_at is the warehouse's, as the run's own times are.
 */
export async function recordTableSnapshots(warehouse: Warehouse, runId: string, targets: readonly SnapshotTarget[], now?: Date): Promise<TableSnapshot[]> {
  const present = await existingTables(warehouse);
  const snapshots: TableSnapshot[] = [];
  for (const target of targets) {
    if (!present.has(target.table)) continue;
    const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${target.table}`);
    let newest: string | null = null;
    let lag: number | null = null;
    if (target.freshness) {
      try {
        const f = await measureFreshness(warehouse, target.freshness, now);
        newest = f.latest;
        lag = f.age_seconds;
      } catch {
        // The check step reports why it cannot be measured; the volume is still worth keeping.
      }
    }
    snapshots.push({ table: target.table, pipeline: target.pipeline, rows: Number(n), freshness_field: target.freshness?.field ?? null, newest_at: newest, lag_seconds: lag });
  }
  if (snapshots.length === 0) return snapshots;
  const d = warehouse.dialect;
  const text = (v: string | null) => (v === null ? 'NULL' : sqlString(v));
  const values = snapshots.map((s) =>
    `(${sqlString(runId)}, ${text(s.pipeline)}, ${sqlString(s.table)}, ${sqlString(s.table.split('.')[0])}, ${s.rows}, ${text(s.freshness_field)},
      ${s.newest_at === null ? 'NULL' : `CAST(${sqlString(s.newest_at)} AS ${d.timestampType})`}, ${s.lag_seconds ?? 'NULL'}, ${d.now})`);
  await warehouse.transaction(async () => {
    await warehouse.execute(
      `DELETE FROM meta.table_snapshots WHERE run_id = ${sqlString(runId)} AND table_name IN (${snapshots.map((s) => sqlString(s.table)).join(', ')})`,
    );
    await warehouse.execute(`INSERT INTO meta.table_snapshots VALUES ${values.join(', ')}`);
  });
  return snapshots;
}

async function existingTables(warehouse: Warehouse): Promise<Set<string>> {
  const rows = await warehouse.query<{ schema: string; name: string }>(
    // lower(): Snowflake keeps unquoted names in upper case.
    `SELECT lower(table_schema) AS schema, lower(table_name) AS name FROM information_schema.tables
     WHERE table_catalog = current_database() AND lower(table_schema) IN ('bronze', 'silver', 'gold')`,
  );
  return new Set(rows.map((r) => `${r.schema}.${r.name}`));
}

// The rows meta.rejected keeps, for the rejected-rows explorer: per table its counts by reason, and per
// reason the newest few rows in full. A row is rejected for one or more reasons (a comma list of codes, as
// silver and bronze write them) and counts under each. The samples are bounded in the warehouse (ROW_NUMBER
// per table and reason), so a table with millions of rejected rows sends back a few of them. Plain SQL that
// runs on DuckDB and on Snowflake alike.
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export interface RejectedReasonCount {
  /** One reason code in full, e.g. "pattern_mismatch:email". */
  reason: string;
  rows: number;
  newest_at: string;
}

export interface RejectedTableCounts {
  /** Schema-qualified, e.g. "silver.customers" (or "bronze.catalog_customers" for rows rejected before bronze). */
  table: string;
  pipeline: string;
  /** Rows kept; a row with two reasons counts once here and under each of its reasons. */
  rows: number;
  newest_at: string;
  /** Most rows first. */
  reasons: RejectedReasonCount[];
}

export interface RejectedSample {
  table: string;
  /** The reason it is a sample of (`reasons` lists all of the row's). */
  reason: string;
  run_id: string;
  batch_id: string;
  record_hash: string;
  element_index: number | null;
  reasons: string[];
  /** The record's text as stored (meta.rejected keeps at most REJECTED_TEXT_CHARS of it). */
  record: string | null;
  rejected_at: string;
}

/** Every table with rejected rows kept, by name. */
export async function readRejectedCounts(warehouse: Warehouse): Promise<RejectedTableCounts[]> {
  // Grouped by the reasons list as stored (few groups, not rows), split into single reasons here.
  const groups = await warehouse.query<{ table_name: string; pipeline: string; reasons: string | null; n: number; newest_at: unknown }>(
    `SELECT table_name, pipeline, reasons, COUNT(*) AS n, MAX(rejected_at) AS newest_at FROM meta.rejected GROUP BY table_name, pipeline, reasons`,
  );
  const tables = new Map<string, RejectedTableCounts & { byReason: Map<string, RejectedReasonCount> }>();
  for (const g of groups) {
    const n = Number(g.n);
    const at = iso(g.newest_at);
    let t = tables.get(g.table_name);
    if (!t) tables.set(g.table_name, (t = { table: g.table_name, pipeline: g.pipeline, rows: 0, newest_at: at, reasons: [], byReason: new Map() }));
    t.rows += n;
    if (at > t.newest_at) t.newest_at = at;
    for (const reason of splitReasons(g.reasons)) {
      const r = t.byReason.get(reason) ?? { reason, rows: 0, newest_at: at };
      r.rows += n;
      if (at > r.newest_at) r.newest_at = at;
      t.byReason.set(reason, r);
    }
  }
  return [...tables.values()]
    .map(({ byReason, ...t }) => ({ ...t, reasons: [...byReason.values()].sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)) }))
    .sort((a, b) => a.table.localeCompare(b.table));
}

/**
 * Up to `perReason` rows of each table's each reason, newest first (ties by batch, record hash and element,
 * so both warehouses pick the same rows). `reasons` are the tables' reasons as readRejectedCounts gives them.
 */
export async function readRejectedSamples(
  warehouse: Warehouse,
  reasons: ReadonlyArray<{ table: string; reason: string }>,
  perReason: number,
): Promise<RejectedSample[]> {
  if (reasons.length === 0 || perReason <= 0) return [];
  const wanted = reasons.map((r) => `(${sqlString(r.table)}, ${sqlString(r.reason)})`).join(', ');
  // A row belongs to a reason when the code is one of its comma-separated codes (POSITION, not LIKE: codes hold '_').
  const rows = await warehouse.query<{
    table_name: string; reason: string; run_id: string; batch_id: string; record_hash: string; element_index: number | null;
    reasons: string | null; record: string | null; rejected_at: unknown;
  }>(
    `SELECT table_name, reason, run_id, batch_id, record_hash, element_index, reasons, record, rejected_at FROM (
       SELECT v.table_name, v.reason, r.run_id, r.batch_id, r.record_hash, r.element_index, r.reasons, r.record, r.rejected_at,
              ROW_NUMBER() OVER (PARTITION BY v.table_name, v.reason
                                 ORDER BY r.rejected_at DESC, r.batch_id DESC, r.record_hash DESC, COALESCE(r.element_index, -1)) AS newest_first
       FROM meta.rejected r
       JOIN (VALUES ${wanted}) AS v(table_name, reason)
         ON r.table_name = v.table_name AND POSITION(',' || v.reason || ',' IN ',' || r.reasons || ',') > 0) AS ranked
     WHERE newest_first <= ${Math.floor(perReason)}
     ORDER BY table_name, reason, newest_first`,
  );
  return rows.map((r) => ({
    table: r.table_name, reason: r.reason, run_id: r.run_id, batch_id: r.batch_id, record_hash: r.record_hash,
    element_index: r.element_index === null || r.element_index === undefined ? null : Number(r.element_index),
    reasons: splitReasons(r.reasons), record: r.record, rejected_at: iso(r.rejected_at),
  }));
}

export function splitReasons(reasons: string | null): string[] {
  return (reasons ?? '').split(',').filter(Boolean);
}

/** Timestamps arrive as ISO strings from both adapters; a Date only from an unusual driver path. */
function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

// `dataops plan`: what a run would build, and why, without building or writing anything. The same
// decisions as the transform (models/changes.ts for definitions; data versions for inputs), taken from
// the repository's graph and what the warehouse records, with the rows involved.
import { bronzeTableName } from '../config/types.js';
import type { ChangeCategory } from '../graph/categorize.js';
import type { ProjectGraph } from '../graph/graph.js';
import { readNodeStates, type NodeState } from '../state/nodes.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import { definitionChange } from './changes.js';

export interface PlannedTable {
  table: string;
  layer: 'silver' | 'gold';
  /** The pipeline whose run builds it; null for a gold model (any run whose inputs changed). */
  pipeline: string | null;
  action: 'create' | 'rebuild' | 'update';
  /** For a rebuild: breaking rebuilds what reads the table too; non-breaking does not. */
  category?: ChangeCategory;
  reasons: string[];
  /** Rows in the table now (what a rebuild replaces); null when it does not exist. */
  rows: number | null;
  /** Silver: bronze batches it has not merged, and their rows. */
  pending_batches?: number;
  pending_rows?: number;
  /** Silver rebuilt from bronze: the bronze rows it is rebuilt from. */
  bronze_rows?: number;
}

/** `warehouse` is undefined when there is none yet (a new DuckDB file): everything is to be created. */
export async function planTables(warehouse: Warehouse | undefined, graph: ProjectGraph): Promise<PlannedTable[]> {
  const states = warehouse && (await warehouse.tableExists('meta.nodes')) ? await readNodeStates(warehouse) : new Map<string, NodeState>();
  const exists = async (table: string) => (warehouse ? warehouse.tableExists(table) : false);
  const count = async (sql: string) => Number((await warehouse!.query<{ n: number | null }>(sql))[0]?.n ?? 0);
  const plan: PlannedTable[] = [];
  /** Tables whose rows the run would change, and how that reads to what is downstream. */
  const changing = new Map<string, string>();

  for (const node of graph.nodes('silver')) {
    const here = await exists(node.name);
    const change = definitionChange(node, states.get(node.name), here);
    const bronze = `bronze.${bronzeTableName(node.pipeline!, node.table.from)}`;
    const pending = warehouse && (await exists(bronze))
      ? (await warehouse.query<{ batches: number; rows: number | null }>(
          `SELECT COUNT(*) AS batches, SUM(bronze_rows) AS "rows" FROM meta.batches
           WHERE pipeline = ${sqlString(node.pipeline!)} AND resource = ${sqlString(node.table.from)}
             AND batch_id NOT IN (SELECT batch_id FROM meta.silver_loads WHERE table_name = ${sqlString(node.name)})`,
        ))[0]
      : { batches: 0, rows: 0 };
    const pendingRows = Number(pending.rows ?? 0);
    const entry = { table: node.name, layer: 'silver' as const, pipeline: node.pipeline!, rows: here ? await count(`SELECT COUNT(*) AS n FROM ${node.name}`) : null };
    const newData = { pending_batches: Number(pending.batches), pending_rows: pendingRows };
    if (change.action === 'rebuild') {
      plan.push({ ...entry, action: 'rebuild', category: change.category, reasons: change.reasons, ...newData, bronze_rows: await count(`SELECT COUNT(*) AS n FROM ${bronze}`) });
      if (change.category === 'breaking') changing.set(node.name, `${node.name} is rebuilt (breaking change)`);
    } else if (change.action === 'create') {
      plan.push({ ...entry, action: 'create', reasons: [`not built yet; ${pendingRows} bronze rows to merge`], ...newData });
      changing.set(node.name, `${node.name} is created`);
    } else if (pendingRows > 0) {
      plan.push({ ...entry, action: 'update', reasons: [`${newData.pending_batches} new bronze batch${newData.pending_batches === 1 ? '' : 'es'}, ${pendingRows} rows`], ...newData });
      changing.set(node.name, `new data in ${node.name}`);
    }
  }

  const versions = new Map([...states].map(([node, state]) => [node, state.dataVersion]));
  for (const node of graph.nodes('gold')) {
    const state = states.get(node.name);
    const change = definitionChange(node, state, await exists(node.name));
    const upstream = node.parents.filter((p) => changing.has(p)).map((p) => changing.get(p)!);
    const moved = state ? node.parents.filter((p) => graph.get(p)?.layer !== 'bronze' && versions.has(p) && state.inputs[p] !== versions.get(p)) : [];
    const reasons =
      change.action === 'none' || change.action === 'adopt'
        ? [...upstream, ...moved.map((p) => `${p} changed since its last build`)]
        : change.reasons;
    if (change.action === 'adopt' && reasons.length === 0) reasons.push('no record of the definition it was built from: built again from the current one');
    if (reasons.length === 0) continue;
    const action = change.action === 'create' ? 'create' : change.action === 'none' ? 'update' : 'rebuild';
    plan.push({ table: node.name, layer: 'gold', pipeline: null, action, category: change.category, reasons, rows: change.action === 'create' ? null : await count(`SELECT COUNT(*) AS n FROM ${node.name}`) });
    if (!(change.action === 'rebuild' && change.category === 'non_breaking' && upstream.length + moved.length === 0)) changing.set(node.name, `${node.name} is ${action === 'create' ? 'created' : 'rebuilt'} first`);
  }
  return plan;
}

/** One line per table, for a terminal. */
export function formatPlannedTable(t: PlannedTable): string {
  const category = t.category ? ` (${t.category.replace('_', '-')})` : '';
  const rows = t.rows === null ? '' : `; ${t.rows} rows now`;
  const from = t.bronze_rows !== undefined ? `; rebuilt from ${t.bronze_rows} bronze rows` : '';
  return `${t.action.padEnd(8)} ${t.table}${category}: ${t.reasons.join('; ')}${rows}${from}`;
}

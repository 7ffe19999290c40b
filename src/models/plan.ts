// `dataops plan`: what a run would build, and why, without building or writing anything. The same
// decisions as the transform (models/changes.ts for definitions; data versions for inputs), taken from
// the repository's graph and what the warehouse records, with the rows involved.
import { bronzeTableName } from '../config/types.js';
import type { ChangeCategory } from '../graph/categorize.js';
import type { MappingNode, ModelNode, ProjectGraph } from '../graph/graph.js';
import { readNodeStates, type NodeState } from '../state/nodes.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import { bronzeInput } from './batch-model.js';
import { definitionChange } from './changes.js';
import { dataVersions } from './transform.js';

export interface PlannedTable {
  table: string;
  layer: 'silver' | 'gold';
  /** The pipeline whose run builds it (a silver table's, mapping or SQL); null for a gold model (any run whose inputs changed). */
  pipeline: string | null;
  action: 'create' | 'rebuild' | 'update';
  /** For a rebuild: breaking rebuilds what reads the table too; non-breaking does not. */
  category?: ChangeCategory;
  reasons: string[];
  /** Rows in the table now (what a rebuild replaces); null when it does not exist. */
  rows: number | null;
  /** Silver mappings and incremental_by_batch models: bronze batches it has not read, and their rows. */
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
  /** Tables the run would build whole (any row may change): a model merging a window of one is built whole too. */
  const whole = new Set<string>();

  /** A silver table of a pipeline's mapping: its pending bronze batches, or its rebuild. */
  const planMapping = async (node: MappingNode): Promise<void> => {
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
      if (change.category === 'breaking') {
        changing.set(node.name, `${node.name} is rebuilt (breaking change)`);
        whole.add(node.name);
      }
    } else if (change.action === 'create') {
      plan.push({ ...entry, action: 'create', reasons: [`not built yet; ${pendingRows} bronze rows to merge`], ...newData });
      changing.set(node.name, `${node.name} is created`);
      whole.add(node.name);
    } else if (pendingRows > 0) {
      plan.push({ ...entry, action: 'update', reasons: [`${newData.pending_batches} new bronze batch${newData.pending_batches === 1 ? '' : 'es'}, ${pendingRows} rows`], ...newData });
      changing.set(node.name, `new data in ${node.name}`);
    }
  };

  /** A SQL model, silver or gold: the same decisions as the transform's buildModel. */
  const planModel = async (node: ModelNode, state: NodeState | undefined, pending?: { batches: number; rows: number }): Promise<PlannedTable | undefined> => {
    const change = definitionChange(node, state, await exists(node.name));
    // As the transform decides: an input rebuilt whole by this run, or by an earlier one since this model's build.
    const resetIn = node.parents.filter((p) => whole.has(p) || (state !== undefined && p in state.inputs && (states.get(p)?.resetVersion ?? 0) > state.inputs[p]));
    const rebuiltWhole = change.action === 'none' && node.kind === 'incremental' && resetIn.length > 0;
    // An input rebuilt whole is said once, in the reason that follows from it.
    const said = (p: string) => !(rebuiltWhole && resetIn.includes(p));
    const upstream = node.parents.filter((p) => changing.has(p) && said(p)).map((p) => changing.get(p)!);
    const moved = state ? node.parents.filter((p) => versions.has(p) && state.inputs[p] !== versions.get(p) && said(p)) : [];
    const movedReason = (p: string) =>
      graph.get(p)?.layer !== 'bronze' ? `${p} changed since its last build`
      : pending ? `${pending.batches} new bronze batch${pending.batches === 1 ? '' : 'es'}, ${pending.rows} rows`
      : `new batches in ${p}`;
    const reasons = change.action === 'none' || change.action === 'adopt' ? [...upstream, ...moved.map(movedReason)] : change.reasons;
    if (change.action === 'adopt' && reasons.length === 0) reasons.push('no record of the definition it was built from: built again from the current one');
    if (rebuiltWhole) reasons.push(`${resetIn.join(', ')} rebuilt whole: built again from all of its inputs`);
    if (reasons.length === 0) return undefined;
    const action = change.action === 'create' ? 'create' : change.action === 'none' ? 'update' : 'rebuild';
    if ((change.action !== 'none' && !(change.action === 'rebuild' && change.category === 'non_breaking')) || resetIn.length) whole.add(node.name);
    if (!(change.action === 'rebuild' && change.category === 'non_breaking' && upstream.length + moved.length === 0)) changing.set(node.name, `${node.name} is ${action === 'create' ? 'created' : 'rebuilt'} first`);
    return {
      table: node.name, layer: node.layer, pipeline: node.pipeline ?? null, action, category: change.category, reasons,
      rows: change.action === 'create' ? null : await count(`SELECT COUNT(*) AS n FROM ${node.name}`),
      ...(pending ? { pending_batches: pending.batches, pending_rows: pending.rows } : {}),
    };
  };

  const versions = warehouse && (await warehouse.tableExists('meta.batches')) ? await dataVersions(warehouse, graph, states) : new Map<string, number>();
  const modelBatches = warehouse !== undefined && (await warehouse.tableExists('meta.model_batches'));

  for (const name of graph.order) {
    const node = graph.get(name)!;
    if (node.layer !== 'silver' && node.layer !== 'gold') continue;
    if ('table' in node) await planMapping(node);
    else {
      const pending = node.kind === 'incremental_by_batch' && warehouse ? await pendingOfModel(warehouse, node, modelBatches) : undefined;
      const planned = await planModel(node, states.get(node.name), pending);
      if (planned) plan.push(planned);
    }
  }
  return plan;
}

/** The bronze batches an incremental_by_batch model has not read, and their rows. */
async function pendingOfModel(warehouse: Warehouse, node: ModelNode, recorded: boolean): Promise<{ batches: number; rows: number }> {
  const { pipeline, resource } = bronzeInput(node);
  if (!(await warehouse.tableExists('meta.batches'))) return { batches: 0, rows: 0 };
  const [row] = await warehouse.query<{ batches: number; rows: number | null }>(
    `SELECT COUNT(*) AS batches, SUM(bronze_rows) AS "rows" FROM meta.batches
     WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)}
       ${recorded ? `AND batch_id NOT IN (SELECT batch_id FROM meta.model_batches WHERE table_name = ${sqlString(node.name)})` : ''}`,
  );
  return { batches: Number(row.batches), rows: Number(row.rows ?? 0) };
}

/** One line per table, for a terminal. */
export function formatPlannedTable(t: PlannedTable): string {
  const category = t.category ? ` (${t.category.replace('_', '-')})` : '';
  const rows = t.rows === null ? '' : `; ${t.rows} rows now`;
  const from = t.bronze_rows !== undefined ? `; rebuilt from ${t.bronze_rows} bronze rows` : '';
  return `${t.action.padEnd(8)} ${t.table}${category}: ${t.reasons.join('; ')}${rows}${from}`;
}

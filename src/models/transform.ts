// The transform step: one build loop over the graph, in its order, each table by its materialisation
// kind. The warehouse follows the repository: a table whose definition changed is rebuilt (a breaking
// change rebuilds what reads it too), a model whose inputs brought new or changed rows is rebuilt, and one
// whose inputs did not is left alone. What a table was built from is kept in meta.nodes (state/nodes.ts).
// A model that merges a time window follows new data only: when a table it reads was rebuilt whole (a
// breaking change, a full refresh), it is rebuilt whole too, and so on down.
// Silver tables, from a pipeline's mapping or a SQL model, are built by their pipeline's run: a pipeline
// whose silver table fails keeps its other tables as they were. The gold models are built in one
// transaction, so readers never see half a star schema.
import type { MappingKind, MappingNode, ModelKind, ModelNode, ProjectGraph } from '../graph/graph.js';
import { readNodeStates, recordNodeState, type NodeState } from '../state/nodes.js';
import { queryTagFor, sqlString, type Warehouse } from '../warehouse/adapter.js';
import { definitionChange, type DefinitionChange, type TransformNode } from './changes.js';
import type { TimeWindow } from '../sources/window.js';
import { bronzeInput, mergeModelBatches, rebuildModelBatches } from './batch-model.js';
import { buildModelTable, buildModelView, mergeModelRange, mergeModelWindow, type ModelBuild } from './gold.js';
import { mergeSilver, type SilverLoad } from './silver.js';
import { rebuildSilver } from './silver-rebuild.js';
import { removedBronze } from '../state/retention.js';
import { InvariantError } from '../errors.js';

export interface TransformSelection {
  /** The pipelines whose silver tables are built. */
  pipelines: readonly string[];
  /** Tables to rebuild from bronze whatever changed (`run --full-refresh`); 'all' for every one. */
  fullRefresh?: readonly string[] | 'all';
  /**
   * A backfill's time range (`dataops backfill`): every incremental model this run builds also computes
   * the rows of this range again, which its own window may not reach.
   */
  range?: TimeWindow;
  /** Models to build for the range though their inputs did not move (`dataops backfill --model`). */
  models?: readonly string[];
  runId: string;
  log: (line: string) => void;
}

/** What the run did to one table, and why. */
export interface TableChange {
  table: string;
  action: DefinitionChange['action'] | 'update';
  category?: DefinitionChange['category'];
  reasons: string[];
}

export interface TransformResult {
  silverLoads: Map<string, SilverLoad[]>;
  /** The pipelines whose silver build failed, with the error. */
  failed: Map<string, unknown>;
  /** The SQL models built, silver then gold. */
  models: ModelBuild[];
  skippedModels: Array<{ model: string; missing: string[] }>;
  /** The gold build's error: none of the models of this run were kept. */
  modelError?: unknown;
  /** Tables built for their definition (created, rebuilt) or their inputs, with the reasons. */
  changes: TableChange[];
}

export async function transform(warehouse: Warehouse, graph: ProjectGraph, selection: TransformSelection): Promise<TransformResult> {
  const chosen = new Set(selection.pipelines);
  const result: TransformResult = { silverLoads: new Map([...chosen].map((p) => [p, []])), failed: new Map(), models: [], skippedModels: [], changes: [] };
  const states = await readNodeStates(warehouse);
  const versions = await dataVersions(warehouse, graph, states);
  const resets = new Map([...states].map(([node, state]) => [node, state.resetVersion]));
  const refresh = (table: string) => selection.fullRefresh === 'all' || !!selection.fullRefresh?.includes(table);

  const context: ModelContext = { graph, states, versions, resets, refresh, selection, built: new Set() };
  const report = (outcome: ModelOutcome) => {
    if (!outcome) return;
    if ('missing' in outcome) {
      result.skippedModels.push(outcome);
      selection.log(`${outcome.model}: skipped, waiting for ${outcome.missing.join(', ')} (no run has loaded it yet)`);
      return;
    }
    result.models.push(outcome.build);
    result.changes.push(outcome.change);
    selection.log(`${outcome.build.model}: ${outcome.build.rows} rows (${outcome.change.reasons.join('; ')})`);
  };

  for (const node of graph.nodes('silver').filter((n) => chosen.has(n.pipeline!))) {
    if (result.failed.has(node.pipeline!)) continue;
    warehouse.setQueryTag?.(queryTagFor(node.pipeline!, selection.runId));
    try {
      if ('table' in node) {
        const loads = await buildSilverTable(warehouse, node, states.get(node.name), refresh(node.name), { versions, resets }, selection, result.changes);
        result.silverLoads.get(node.pipeline!)!.push(...loads);
      } else {
        report(await warehouse.transaction(() => buildModel(warehouse, node, context)));
      }
    } catch (e) {
      result.failed.set(node.pipeline!, e);
    }
  }

  warehouse.setQueryTag?.(queryTagFor('gold', selection.runId));
  try {
    const outcomes = await warehouse.transaction(async () => {
      const out: ModelOutcome[] = [];
      for (const node of graph.nodes('gold')) out.push(await buildModel(warehouse, node, context));
      return out;
    });
    // A model that waits for a table another pipeline loads is news only to a run of the pipelines it reads.
    const mine = graph.downstream(graph.nodes('silver').filter((n) => chosen.has(n.pipeline!)).map((n) => n.name));
    for (const outcome of outcomes) if (!(outcome && 'missing' in outcome && !mine.has(outcome.model))) report(outcome);
  } catch (e) {
    result.modelError = e;
  }
  return result;
}

interface Materialization<N extends TransformNode, Result> {
  /**
   * Brings the table up to date with its inputs' new data. `inCommit` runs inside each transaction that
   * commits some of it, told whether that commit changed rows, to record the table's state with them.
   */
  update(warehouse: Warehouse, node: N, runId: string, inCommit: InCommit): Promise<Result>;
  /** Builds the table again from all of its inputs (its definition changed), put in place at once. */
  rebuild(warehouse: Warehouse, node: N, runId: string, inCommit: InCommit): Promise<Result>;
}

type InCommit = (changedRows: boolean) => Promise<void>;

/** Silver from a mapping; mergeSilver and rebuildSilver read from the table whether it keeps history. */
const SILVER_MERGE: Materialization<MappingNode, SilverLoad[]> = {
  update: (warehouse, node, runId, inCommit) => mergeSilver(warehouse, node.pipeline!, node.table, runId, (load) => inCommit(changedRows(load))),
  rebuild: (warehouse, node, runId, inCommit) => rebuildSilver(warehouse, node.pipeline!, node.table, runId, () => inCommit(true)),
};

/** How each kind of transform node is built, keyed by kind (the graph's MaterializationKind). */
export const MATERIALIZATIONS: { [K in MappingKind]: Materialization<MappingNode, SilverLoad[]> } & { [K in ModelKind]: Materialization<ModelNode, ModelBuild> } = {
  // Silver from the pipeline's mapping: new bronze batches merged by key, latest wins.
  merge_by_key: SILVER_MERGE,
  // The same, keeping every version of a key (models/silver-history.ts); the table's SilverTable says how.
  scd2: SILVER_MERGE,
  // A SQL model whose SELECT replaces the table's rows: updating it is rebuilding it.
  table: {
    update: (warehouse, node, runId, inCommit) => replaceWithSelect(warehouse, node, runId, inCommit),
    rebuild: (warehouse, node, runId, inCommit) => replaceWithSelect(warehouse, node, runId, inCommit),
  },
  // A view is read when queried: replacing it is cheap, and what reads it sees new input rows at once.
  view: {
    update: (warehouse, node, runId, inCommit) => replaceView(warehouse, node, runId, inCommit),
    rebuild: (warehouse, node, runId, inCommit) => replaceView(warehouse, node, runId, inCommit),
  },
  // Only the time window since the newest row it holds (minus the lookback) is recomputed and merged.
  incremental: {
    update: async (warehouse, node, runId, inCommit) => {
      const { build, changed } = await mergeModelWindow(warehouse, node.model, runId);
      await inCommit(changed > 0);
      return build;
    },
    rebuild: (warehouse, node, runId, inCommit) => replaceWithSelect(warehouse, node, runId, inCommit),
  },
  // A silver model over bronze: only the batches it has not read are appended, or merged by key.
  incremental_by_batch: {
    update: async (warehouse, node, runId, inCommit) => {
      const { build, changed } = await mergeModelBatches(warehouse, node, runId);
      await inCommit(changed > 0);
      return build;
    },
    rebuild: async (warehouse, node, runId, inCommit) => {
      const build = await rebuildModelBatches(warehouse, node, runId);
      await inCommit(true);
      return build;
    },
  },
};

/** A batch that inserted, updated or deleted rows moves the table's data version (what reads it is rebuilt). */
function changedRows(load: SilverLoad): boolean {
  return load.inserted + load.updated + load.deleted > 0;
}

async function replaceView(warehouse: Warehouse, node: ModelNode, runId: string, inCommit: InCommit): Promise<ModelBuild> {
  const build = await buildModelView(warehouse, node.model, runId);
  await inCommit(true);
  return build;
}

async function replaceWithSelect(warehouse: Warehouse, node: ModelNode, runId: string, inCommit: InCommit): Promise<ModelBuild> {
  const build = await buildModelTable(warehouse, node.model, runId);
  await inCommit(true);
  return build;
}

/**
 * A silver table: rebuilt from all of its bronze when its mapping changed, else merged with the batches
 * it has not seen. Its data version moves, in the same transaction as the rows, whenever its rows change
 * (a non-breaking rebuild keeps it: what reads the table needs no rebuild).
 */
async function buildSilverTable(
  warehouse: Warehouse,
  node: MappingNode,
  state: NodeState | undefined,
  fullRefresh: boolean,
  { versions, resets }: Pick<ModelContext, 'versions' | 'resets'>,
  selection: TransformSelection,
  changes: TableChange[],
): Promise<SilverLoad[]> {
  const { runId, log } = selection;
  const change = definitionChange(node, state, await warehouse.tableExists(node.name), fullRefresh);
  let version = state?.dataVersion ?? 0;
  // Rebuilt for a breaking change (or created): what merges a window of it cannot follow.
  const whole = change.action === 'create' || (change.action === 'rebuild' && change.category === 'breaking');
  let resetVersion = state?.resetVersion ?? 0;
  const record = () => recordNodeState(warehouse, node, { dataVersion: version, resetVersion: (resetVersion = whole ? version : resetVersion), runId });
  let loads: SilverLoad[];
  if (change.action === 'rebuild') {
    await guardRebuild(warehouse, node.name, { pipeline: node.pipeline!, resource: node.table.from }, fullRefresh, log);
    log(`${node.name}: rebuilding from all of its bronze: ${change.category!.replace('_', '-')} change (${change.reasons.join('; ')})`);
    if (change.category === 'breaking') version += 1;
    loads = await MATERIALIZATIONS[node.kind].rebuild(warehouse, node, runId, record);
  } else {
    if (change.action !== 'none') log(`${node.name}: ${change.reasons.join('; ')}`);
    if (change.action === 'create') version += 1;
    loads = await MATERIALIZATIONS[node.kind].update(warehouse, node, runId, async (changedRows) => {
      if (changedRows) version += 1;
      await record();
    });
    if (loads.length === 0 && change.action !== 'none') await record();
  }
  versions.set(node.name, version);
  resets.set(node.name, resetVersion);
  if (change.action === 'rebuild') {
    // One line for the whole rebuild: a line per batch would be one per hourly run the table ever had.
    const sum = (field: 'accepted' | 'rejected') => loads.reduce((n, l) => n + l[field], 0);
    log(`${node.name}: rebuilt from ${loads.length} batch${loads.length === 1 ? '' : 'es'}: ${sum('accepted')} accepted, ${sum('rejected')} rejected`);
  } else {
    for (const l of loads) log(`${l.table}: ${l.accepted} accepted (${l.inserted} new, ${l.updated} updated${l.deleted ? `, ${l.deleted} deleted` : ''}), ${l.rejected} rejected`);
  }
  if (change.action !== 'none') changes.push({ table: node.name, action: change.action, category: change.category, reasons: change.reasons });
  else if (loads.some(changedRows)) changes.push({ table: node.name, action: 'update', reasons: [`${loads.length} new batch${loads.length === 1 ? '' : 'es'}`] });
  return loads;
}

/**
 * A table rebuilt from bronze after retention removed some of it would silently hold fewer rows: refused,
 * unless a run asks for it by name (--full-refresh), which then keeps what bronze still holds and says so.
 */
async function guardRebuild(
  warehouse: Warehouse,
  table: string,
  bronze: { pipeline: string; resource: string },
  fullRefresh: boolean,
  log: (line: string) => void,
): Promise<void> {
  const removed = await removedBronze(warehouse, bronze.pipeline, bronze.resource);
  if (removed.batches === 0) return;
  const what = `retention removed the bronze of ${removed.batches} batch${removed.batches === 1 ? '' : 'es'} fetched up to ${removed.newest} (retention.bronze in dataops.yml)`;
  if (!fullRefresh) {
    throw new InvariantError(`${table}: its definition changed, but it cannot be rebuilt from bronze without losing rows: ${what}. Run with --full-refresh ${table} to rebuild it from the bronze that is left, accepting the loss`);
  }
  log(`${table}: WARNING: rebuilt from the bronze that is left: ${what}; rows only those batches held are gone`);
}

interface ModelContext {
  graph: ProjectGraph;
  states: Map<string, NodeState>;
  versions: Map<string, number>;
  /** Each table's reset version (state/nodes.ts), as recorded or as this run's builds set it. */
  resets: Map<string, number>;
  refresh: (table: string) => boolean;
  selection: TransformSelection;
  /** Models built by this run so far. */
  built: Set<string>;
}

/** A model built, and why; or skipped, with the tables it waits for; undefined when left as it is. */
type ModelOutcome = { build: ModelBuild; change: TableChange } | { model: string; missing: string[] } | undefined;

/**
 * A SQL model (silver or gold), decided just before it is built, in the graph's order (so it sees what its
 * parents' builds changed): built when never built, when its definition changed or has no record, and
 * brought up to date when an input's data moved since its last build (in this run, or in an earlier one
 * that failed before it got to the model). The others stay as they are. Runs inside a transaction.
 */
async function buildModel(warehouse: Warehouse, node: ModelNode, context: ModelContext): Promise<ModelOutcome> {
  const { graph, states, versions, resets, refresh, selection, built } = context;
  const { runId, range } = selection;
  const state = states.get(node.name);
  const change = definitionChange(node, state, await warehouse.tableExists(node.name), refresh(node.name));
  const inputs = Object.fromEntries(node.parents.filter((p) => graph.get(p)).map((p) => [p, versions.get(p) ?? 0]));
  const movedInputs = state ? Object.keys(inputs).filter((p) => state.inputs[p] !== inputs[p]) : [];
  const named = !!selection.models?.includes(node.name);
  if (change.action === 'none' && movedInputs.length === 0 && !named) return undefined;
  const missing: string[] = [];
  for (const table of node.parents) {
    if (!built.has(table) && !(await warehouse.tableExists(table))) missing.push(table);
  }
  if (missing.length) return { model: node.name, missing };
  // A non-breaking change alone leaves what reads the model as it is; anything else may change its rows.
  const alone = change.action === 'rebuild' && change.category === 'non_breaking' && movedInputs.length === 0;
  // Inputs rebuilt whole since this model was built: any of their rows may have changed, not only new ones.
  const resetIn = movedInputs.filter((p) => (resets.get(p) ?? 0) > (state?.inputs[p] ?? 0));
  // A window merge sees only the rows its window holds: keys deleted from an input reach it by a rebuild.
  const deletedIn = change.action === 'none' && node.kind === 'incremental' ? await inputsWithDeletions(warehouse, node, movedInputs) : [];
  // Built again from all of its inputs for more than new data: what reads it must follow all of its rows.
  const whole = (change.action !== 'none' && !(change.action === 'rebuild' && change.category === 'non_breaking')) || resetIn.length > 0 || deletedIn.length > 0;
  let version = state?.dataVersion ?? 0;
  let resetVersion = state?.resetVersion ?? 0;
  const record = async (changedRows: boolean) => {
    if (changedRows && !alone) version += 1;
    if (whole) resetVersion = version;
    await recordNodeState(warehouse, node, { dataVersion: version, inputs, resetVersion, runId });
  };
  // A model that reads bronze batch by batch is rebuilt from all of it, as a silver table is.
  if (change.action === 'rebuild' && node.kind === 'incremental_by_batch') await guardRebuild(warehouse, node.name, bronzeInput(node), refresh(node.name), selection.log);
  const materialization = MATERIALIZATIONS[node.kind];
  const windowed = change.action === 'none' && node.kind === 'incremental';
  let build =
    change.action !== 'none' || (windowed && (deletedIn.length || resetIn.length)) ? await materialization.rebuild(warehouse, node, runId, record)
    : movedInputs.length || !range || node.kind !== 'incremental' ? await materialization.update(warehouse, node, runId, record)
    : undefined;
  if (range && change.action === 'none' && node.kind === 'incremental') {
    const { build: rangeBuild, changed } = await mergeModelRange(warehouse, node.model, runId, range);
    await record(changed > 0);
    build = rangeBuild;
  }
  versions.set(node.name, version);
  resets.set(node.name, resetVersion);
  built.add(node.name);
  const reasons =
    change.action === 'none' && named && movedInputs.length === 0 ? [`backfill of ${formatRange(range)}`]
    : windowed && deletedIn.length ? [`rows deleted in ${deletedIn.join(', ')}: built again from all of its inputs`]
    : windowed && resetIn.length ? [`${resetIn.join(', ')} rebuilt whole: built again from all of its inputs`]
    : change.action === 'none' ? [`new data in ${movedInputs.join(', ')}`, ...(range && node.kind === 'incremental' ? [`and the backfill of ${formatRange(range)}`] : [])]
    : change.action === 'adopt' ? ['no record of the definition it was built from: built again from the current one']
    : change.reasons;
  return { build: build!, change: { table: node.name, action: change.action === 'none' ? 'update' : change.action, category: change.category, reasons } };
}

/** Of the inputs that moved, the silver tables whose batches deleted keys since the model was last built. */
async function inputsWithDeletions(warehouse: Warehouse, node: ModelNode, movedInputs: string[]): Promise<string[]> {
  const silver = movedInputs.filter((p) => p.startsWith('silver.'));
  if (silver.length === 0) return [];
  const rows = await warehouse.query<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM meta.silver_loads
     WHERE table_name IN (${silver.map(sqlString).join(', ')}) AND deleted > 0
       AND loaded_at > (SELECT MAX(built_at) FROM meta.nodes WHERE node = ${sqlString(node.name)})
     ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * Each table's data version as recorded; a bronze table's is how many batches appended rows to it (a
 * model that reads bronze directly is rebuilt when a batch brings rows).
 */
export async function dataVersions(warehouse: Warehouse, graph: ProjectGraph, states: Map<string, NodeState>): Promise<Map<string, number>> {
  const versions = new Map([...states].map(([node, state]) => [node, state.dataVersion]));
  const rows = await warehouse.query<{ pipeline: string; resource: string; n: number }>(
    'SELECT pipeline, resource, SUM(CASE WHEN bronze_rows > 0 THEN 1 ELSE 0 END) AS n FROM meta.batches GROUP BY pipeline, resource',
  );
  for (const node of graph.nodes('bronze')) {
    const row = rows.find((r) => r.pipeline === node.pipeline && r.resource === node.resource);
    versions.set(node.name, Number(row?.n ?? 0));
  }
  return versions;
}

function formatRange(range: TimeWindow | undefined): string {
  return range ? `${range.from.toISOString()} to ${range.to.toISOString()}` : 'no range';
}

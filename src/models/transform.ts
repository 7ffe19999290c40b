// The transform step: one build loop over the graph. The silver tables of the selected pipelines and the
// gold models downstream of them are built in the graph's order, each by its materialisation kind. A
// pipeline whose silver table fails keeps its other tables as they were; the gold models are built in one
// transaction, so readers never see half a star schema.
import type { MaterializationKind, NodeOf, ProjectGraph } from '../graph/graph.js';
import { queryTagFor, type Warehouse } from '../warehouse/adapter.js';
import { buildModelTable, planModels, selectModels, type ModelBuild, type ModelPlan } from './gold.js';
import { mergeSilver, type SilverLoad } from './silver.js';

interface Materialization<L extends 'silver' | 'gold', Result> {
  /** What a build does, for messages and plans. */
  describe: string;
  build(warehouse: Warehouse, node: NodeOf<L>, runId: string): Promise<Result>;
}

/** How each kind of transform node is built, keyed by kind. */
export const MATERIALIZATIONS = {
  merge_by_key: {
    describe: 'merges the bronze batches it has not seen, by key, latest wins',
    build: (warehouse, node, runId) => mergeSilver(warehouse, node.pipeline!, node.table, runId),
  } satisfies Materialization<'silver', SilverLoad[]>,
  table: {
    describe: 'replaces the table with its SELECT',
    build: (warehouse, node, runId) => buildModelTable(warehouse, node.model, runId),
  } satisfies Materialization<'gold', ModelBuild>,
} satisfies Partial<Record<MaterializationKind, unknown>>;

export interface TransformSelection {
  /** The pipelines whose silver tables are built. */
  pipelines: readonly string[];
  /** The gold models built are those downstream of these pipelines' silver tables, */
  modelsBelow: readonly string[];
  /** or all of them (a run of every pipeline). */
  allModels: boolean;
  runId: string;
  log: (line: string) => void;
}

export interface TransformResult {
  silverLoads: Map<string, SilverLoad[]>;
  /** The pipelines whose silver build failed, with the error. */
  failed: Map<string, unknown>;
  models: ModelBuild[];
  skippedModels: ModelPlan['skipped'];
  /** The gold build's error: none of the models of this run were kept. */
  modelError?: unknown;
}

export async function transform(warehouse: Warehouse, graph: ProjectGraph, selection: TransformSelection): Promise<TransformResult> {
  const { runId, log } = selection;
  const chosen = new Set(selection.pipelines);
  const result: TransformResult = { silverLoads: new Map([...chosen].map((p) => [p, []])), failed: new Map(), models: [], skippedModels: [] };
  const silver = graph.nodes('silver').filter((n) => chosen.has(n.pipeline!));
  for (const node of silver) {
    const pipeline = node.pipeline!;
    if (result.failed.has(pipeline)) continue;
    warehouse.setQueryTag?.(queryTagFor(pipeline, runId));
    try {
      const loads = await materializationOf(node).build(warehouse, node, runId);
      result.silverLoads.get(pipeline)!.push(...loads);
      for (const l of loads) log(`${l.table}: ${l.accepted} accepted (${l.inserted} new, ${l.updated} updated), ${l.rejected} rejected`);
    } catch (e) {
      result.failed.set(pipeline, e);
    }
  }

  warehouse.setQueryTag?.(queryTagFor('gold', runId));
  const below = new Set(selection.modelsBelow);
  const inputs = graph.nodes('silver').filter((n) => below.has(n.pipeline!)).map((n) => n.name);
  try {
    const plan = await planModels(graph, selectModels(graph, selection.allModels ? undefined : inputs), warehouse);
    result.skippedModels = plan.skipped;
    for (const s of plan.skipped) log(`${s.model}: skipped, waiting for ${s.missing.join(', ')} (no run has loaded it yet)`);
    const nodes = plan.build.map((m) => graph.get(m.name) as NodeOf<'gold'>);
    result.models = await warehouse.transaction(async () => {
      const builds: ModelBuild[] = [];
      for (const node of nodes) builds.push(await materializationOf(node).build(warehouse, node, runId));
      return builds;
    });
    for (const m of result.models) log(`${m.model}: ${m.rows} rows`);
  } catch (e) {
    result.modelError = e;
  }
  return result;
}

function materializationOf<N extends NodeOf<'silver'> | NodeOf<'gold'>>(node: N): Materialization<N['layer'], N extends NodeOf<'silver'> ? SilverLoad[] : ModelBuild> {
  const entry = (MATERIALIZATIONS as Record<string, unknown>)[node.kind];
  if (!entry) throw new Error(`${node.name}: no way to build a node of kind "${node.kind}" (kinds: ${Object.keys(MATERIALIZATIONS).join(', ')})`);
  return entry as Materialization<N['layer'], N extends NodeOf<'silver'> ? SilverLoad[] : ModelBuild>;
}

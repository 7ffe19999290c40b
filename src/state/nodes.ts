// What the warehouse holds of each table the graph declares: the definition it was last built from (its
// fingerprint, and the definition itself so a change can be categorised), the version of its data (a
// counter that moves whenever its rows may have changed) and, for a model, the versions of its inputs it
// was built from. A run compares these with the repository's graph: a changed fingerprint means the
// declaration changed; an input whose version moved means the model is out of date, even when the run
// that moved it failed before the model was rebuilt. The reset version says when the rows last changed
// other than by new data: a model that merges a time window cannot follow that, and is rebuilt whole.
import type { GraphNode } from '../graph/graph.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export interface NodeState {
  node: string;
  fingerprint: string;
  definition: unknown;
  dataVersion: number;
  /** The data version of each input when this table was built. */
  inputs: Record<string, number>;
  /**
   * The data version from which any of its rows may differ, not only those of new data: set when it was
   * built again from all of its inputs for a change of definition (its own, breaking, or one upstream),
   * a full refresh or deleted input rows. 0 when it never was.
   */
  resetVersion: number;
  runId: string;
  builtAt: string;
}

export async function readNodeStates(warehouse: Warehouse): Promise<Map<string, NodeState>> {
  const rows = await warehouse.query<{ node: string; fingerprint: string; definition: string; data_version: number; inputs: string | null; reset_version: number | null; run_id: string; built_at: string }>(
    'SELECT node, fingerprint, definition, data_version, inputs, reset_version, run_id, built_at FROM meta.nodes',
  );
  return new Map(
    rows.map((r) => [
      r.node,
      {
        node: r.node,
        fingerprint: r.fingerprint,
        definition: JSON.parse(r.definition) as unknown,
        dataVersion: Number(r.data_version),
        inputs: r.inputs ? (JSON.parse(r.inputs) as Record<string, number>) : {},
        resetVersion: Number(r.reset_version ?? 0),
        runId: r.run_id,
        builtAt: r.built_at,
      },
    ]),
  );
}

/** Records that `node` was built from its current definition; call it in the build's transaction. */
export async function recordNodeState(
  warehouse: Warehouse,
  node: GraphNode,
  build: { dataVersion: number; inputs?: Record<string, number>; resetVersion?: number; runId: string },
): Promise<void> {
  const q = warehouse.dialect.quote;
  await warehouse.execute(`DELETE FROM meta.nodes WHERE node = ${sqlString(node.name)}`);
  // Columns named: reset_version came later, and an older meta.nodes has it last.
  await warehouse.execute(
    `INSERT INTO meta.nodes (node, layer, kind, fingerprint, definition, data_version, inputs, run_id, built_at, reset_version)
     VALUES (${sqlString(node.name)}, ${sqlString(node.layer)}, ${sqlString(node.kind)}, ${sqlString(node.fingerprint)},
      ${q(JSON.stringify(node.definition))}, ${build.dataVersion}, ${build.inputs ? q(JSON.stringify(build.inputs)) : 'NULL'},
      ${sqlString(build.runId)}, ${warehouse.dialect.now}, ${build.resetVersion ?? 0})`,
  );
}

// What the warehouse holds of each table the graph declares: the definition it was last built from (its
// fingerprint, and the definition itself so a change can be categorised), the version of its data (a
// counter that moves whenever its rows may have changed) and, for a model, the versions of its inputs it
// was built from. A run compares these with the repository's graph: a changed fingerprint means the
// declaration changed; an input whose version moved means the model is out of date, even when the run
// that moved it failed before the model was rebuilt.
import type { GraphNode } from '../graph/graph.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export interface NodeState {
  node: string;
  fingerprint: string;
  definition: unknown;
  dataVersion: number;
  /** The data version of each input when this table was built. */
  inputs: Record<string, number>;
  runId: string;
  builtAt: string;
}

export async function readNodeStates(warehouse: Warehouse): Promise<Map<string, NodeState>> {
  const rows = await warehouse.query<{ node: string; fingerprint: string; definition: string; data_version: number; inputs: string | null; run_id: string; built_at: string }>(
    'SELECT node, fingerprint, definition, data_version, inputs, run_id, built_at FROM meta.nodes',
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
  build: { dataVersion: number; inputs?: Record<string, number>; runId: string },
): Promise<void> {
  const q = warehouse.dialect.quote;
  await warehouse.execute(`DELETE FROM meta.nodes WHERE node = ${sqlString(node.name)}`);
  await warehouse.execute(
    `INSERT INTO meta.nodes VALUES (${sqlString(node.name)}, ${sqlString(node.layer)}, ${sqlString(node.kind)}, ${sqlString(node.fingerprint)},
      ${q(JSON.stringify(node.definition))}, ${build.dataVersion}, ${build.inputs ? q(JSON.stringify(build.inputs)) : 'NULL'},
      ${sqlString(build.runId)}, ${warehouse.dialect.now})`,
  );
}

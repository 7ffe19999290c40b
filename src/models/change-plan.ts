// The plan of a change, from the repository alone: the pull request's graph against the base commit's,
// table by table. Each silver table and model that was added, removed or redefined, with the category
// of its change and the reasons (the same categorizer a run uses against what a table was built from),
// and for a breaking change the tables downstream that it rebuilds. No warehouse is read: this is what
// the change means, whatever data there is.
import type { Project } from '../project.js';
import type { ProjectGraph } from '../graph/graph.js';
import { categorizeDefinitions, type TransformNode } from './changes.js';

export const TABLE_CHANGES = ['added', 'removed', 'breaking', 'non_breaking'] as const;
export type TableChangeKind = (typeof TABLE_CHANGES)[number];

export interface ChangedTable {
  table: string;
  layer: TransformNode['layer'];
  change: TableChangeKind;
  /** One line each, e.g. "column city: normalize [trim] -> [trim, upper]". */
  reasons: string[];
  /** For a breaking change: the silver tables and models downstream of it that the base has too, which it rebuilds, in build order. */
  rebuilds: string[];
}

/**
 * The change from `base` to `head`, in the head's build order (then what was removed, in the base's).
 * Tables whose fingerprint is the same on both sides are not listed.
 */
export function compareGraphs(base: ProjectGraph, head: ProjectGraph): ChangedTable[] {
  const changes: ChangedTable[] = [];
  const headTables = transformNodes(head);
  const baseTables = new Map(transformNodes(base).map((n) => [n.name, n]));
  for (const node of headTables) {
    const before = baseTables.get(node.name);
    if (!before) {
      changes.push({ table: node.name, layer: node.layer, change: 'added', reasons: [`new in ${node.file}`], rebuilds: [] });
      continue;
    }
    if (before.fingerprint === node.fingerprint) continue;
    // A model's definition holds its options: a change of materialisation is categorised with the SQL.
    const { category, reasons } = categorizeDefinitions(node.layer, before.definition, node.definition);
    const breaking = category === 'breaking';
    const below = head.downstream([node.name]);
    // A table the change adds is built, not rebuilt: it has its own line.
    const rebuilds = breaking ? headTables.map((n) => n.name).filter((n) => n !== node.name && below.has(n) && baseTables.has(n)) : [];
    changes.push({ table: node.name, layer: node.layer, change: breaking ? 'breaking' : 'non_breaking', reasons, rebuilds });
  }
  const kept = new Set(headTables.map((n) => n.name));
  for (const node of baseTables.values()) {
    if (!kept.has(node.name)) changes.push({ table: node.name, layer: node.layer, change: 'removed', reasons: [`no longer declared (was in ${node.file})`], rebuilds: [] });
  }
  return changes;
}

/**
 * compareGraphs over two loaded projects, leaving out a table whose declaring file does not load on the
 * other side: what that file would change is unknown, and validation reports the file.
 */
export function compareProjects(base: Project, head: Project): ChangedTable[] {
  // Models in a cycle have no build order, and the project is invalid (validation says so): no plan.
  if (base.graph.cycle || head.graph.cycle) return [];
  const unloaded = (project: Project, file: string) => {
    const loaded = project.pipelines.some((p) => p.file === file) || project.models.some((m) => m.file === file);
    return !loaded && project.diagnostics.some((d) => d.severity === 'error' && d.file === file);
  };
  return compareGraphs(base.graph, head.graph).filter((c) => {
    if (c.change === 'added') return !unloaded(base, head.graph.get(c.table)!.file);
    if (c.change === 'removed') return !unloaded(head, base.graph.get(c.table)!.file);
    return true;
  });
}

function transformNodes(graph: ProjectGraph): TransformNode[] {
  return graph.order.map((name) => graph.get(name)!).filter((n): n is TransformNode => n.layer === 'silver' || n.layer === 'gold');
}

/** Every table a change touches: each changed table, then what it rebuilds, once each, in that order. */
export function touchedTables(changes: readonly ChangedTable[]): string[] {
  return [...new Set(changes.flatMap((c) => [c.table, ...c.rebuilds]))];
}

/** One line per table, for a terminal: `breaking     silver.stores: reasons; rebuilds gold.dim_store`. */
export function formatChangedTable(c: ChangedTable): string {
  const rebuilds = c.rebuilds.length ? `; rebuilds ${c.rebuilds.join(', ')}` : '';
  return `${c.change.replace('_', '-').padEnd(12)} ${c.table}: ${c.reasons.join('; ')}${rebuilds}`;
}

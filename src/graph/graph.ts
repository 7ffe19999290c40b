// The project is one graph: every resource, bronze table, silver table, gold model and check a user
// declares is a node with its parents, a materialisation kind and a fingerprint of its definition. It is
// built once from the repository and read by every command: run (what to build, in which order), plan
// and changed-scope (what a change touches), status (who owns a table), and later lineage.
import { bronzeTableName, type DeclaredCheck, type FreshnessSpec, type Pipeline, type SilverTable } from '../config/types.js';
import type { Materialized } from '../config/model-options.js';
import type { SqlModel } from '../config/sql-model.js';
import { CycleError, Dag } from './dag.js';
import { fingerprintOf, modelDefinition, silverDefinition } from './fingerprint.js';

export type NodeLayer = 'resource' | 'bronze' | 'silver' | 'gold' | 'check';

/**
 * How a node's data comes to be. `source` and `append` are the ingest step's (a resource's records
 * appended to bronze); the mapping's and the models' kinds are the transform step's (the registry in
 * models/transform.ts); `check` is the check step's.
 */
export type MaterializationKind = 'source' | 'append' | MappingKind | ModelKind | 'check';
/** How a silver table of a pipeline's YAML mapping is built: new bronze batches merged by key. */
export type MappingKind = 'merge_by_key' | 'scd2';
/** How a SQL model (sql/silver or sql/gold) is built, its `materialized` option: a table, a view, incremental... */
export type ModelKind = Materialized;

interface NodeBase {
  /** Tables by their schema-qualified name (silver.transactions); resources and checks by a prefixed id. */
  name: string;
  kind: MaterializationKind;
  /** Nodes this one reads, by name. */
  parents: string[];
  /** The file that declares it, relative to the project. */
  file: string;
  /**
   * The pipeline whose run builds it: the one that declares it, or for a silver SQL model the one whose
   * bronze it reads; undefined for gold models, which may read several.
   */
  pipeline?: string;
  /** A hash of its normalised definition (graph/fingerprint.ts). */
  fingerprint: string;
  /** The normalised definition itself, kept with a build so a later change can be categorised against it. */
  definition: unknown;
}

export type GraphNode =
  | (NodeBase & { layer: 'resource'; resource: string })
  | (NodeBase & { layer: 'bronze'; resource: string })
  // Silver tables are declared two ways, one kind of node: a pipeline's YAML mapping, or a SQL model.
  | (NodeBase & { layer: 'silver'; kind: MappingKind; table: SilverTable })
  | (NodeBase & { layer: 'silver'; kind: ModelKind; model: SqlModel })
  | (NodeBase & { layer: 'gold'; kind: ModelKind; model: SqlModel })
  | (NodeBase & { layer: 'check'; check: DeclaredCheck | FreshnessSpec });

const LAYER_RANK: Record<NodeLayer, number> = { resource: 0, bronze: 1, silver: 2, gold: 3, check: 4 };

export type NodeOf<L extends NodeLayer> = Extract<GraphNode, { layer: L }>;
/** A silver table of a pipeline's YAML mapping. */
export type MappingNode = Extract<GraphNode, { table: SilverTable }>;
/** A SQL model, silver or gold. */
export type ModelNode = Extract<GraphNode, { model: SqlModel }>;

export class ProjectGraph {
  private readonly byName: Map<string, GraphNode>;
  private readonly dag = new Dag();
  private readonly childrenOf = new Map<string, string[]>();
  /** Every node after its parents (ties by layer, then as declared); empty when the models form a cycle. */
  readonly order: readonly string[];
  /** Set when gold models read each other in a cycle: the cycle, as names. */
  readonly cycle?: string[];

  constructor(nodes: readonly GraphNode[]) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
    for (const node of nodes) {
      this.dag.add(node.name, node.parents.filter((p) => this.byName.has(p)));
      for (const parent of node.parents) this.childrenOf.set(parent, [...(this.childrenOf.get(parent) ?? []), node.name]);
    }
    let order: string[] = [];
    // Layer by layer, then in the order they are declared (pipeline files and model files by name, a
    // pipeline's tables as its file lists them): the order within a layer does not depend on the others.
    const declared = new Map(nodes.map((n, i) => [n.name, i]));
    const rank = (name: string) => LAYER_RANK[this.byName.get(name)!.layer];
    try {
      order = this.dag.order((a, b) => rank(a) - rank(b) || declared.get(a)! - declared.get(b)!);
    } catch (e) {
      if (!(e instanceof CycleError)) throw e;
      this.cycle = e.cycle;
    }
    this.order = order;
  }

  get(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  /** The nodes of a layer, in dependency order. */
  nodes<L extends NodeLayer>(layer: L): Array<NodeOf<L>> {
    return this.order.map((n) => this.byName.get(n)!).filter((n): n is NodeOf<L> => n.layer === layer);
  }

  parents(name: string): GraphNode[] {
    return (this.byName.get(name)?.parents ?? []).flatMap((p) => this.byName.get(p) ?? []);
  }

  /** The given nodes and everything that reads them, directly or not. */
  downstream(names: Iterable<string>): Set<string> {
    return this.walk(names, (n) => this.childrenOf.get(n) ?? []);
  }

  /** The given nodes and everything they read, directly or not. */
  upstream(names: Iterable<string>): Set<string> {
    return this.walk(names, (n) => this.byName.get(n)?.parents ?? []);
  }

  /** The pipeline that loads a bronze or silver table (YAML or SQL); undefined for gold models and unknown names. */
  ownerOf(table: string): string | undefined {
    const node = this.byName.get(table);
    return node && (node.layer === 'bronze' || node.layer === 'silver') ? node.pipeline : undefined;
  }

  private walk(start: Iterable<string>, next: (name: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const queue = [...start];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...next(name));
    }
    return seen;
  }
}

function checkParents(check: DeclaredCheck): string[] {
  if (check.spec.kind === 'relationships') return [check.table, check.spec.to.table];
  if (check.spec.kind === 'sql') return [...new Set([check.table, ...check.spec.reads])];
  return [check.table];
}

/** What makes a check: thresholds other than severity's shorthand and a narrower scope are part of it. */
function checkDefinition(check: DeclaredCheck): unknown {
  const base = { table: check.table, severity: check.severity, spec: check.spec };
  const shorthand = (t: DeclaredCheck['errorIf']) => t === undefined || t.text === '> 0';
  if (shorthand(check.errorIf) && shorthand(check.warnIf) && check.scope === 'all') return base;
  return { ...base, error_if: check.errorIf?.text, warn_if: check.warnIf?.text, scope: check.scope };
}

/** A node's definition and its fingerprint. */
function declared(definition: unknown): { definition: unknown; fingerprint: string } {
  return { definition, fingerprint: fingerprintOf(definition) };
}

/** The graph of a project's pipelines and models. */
export function buildGraph(pipelines: readonly Pipeline[], models: readonly SqlModel[]): ProjectGraph {
  const nodes: GraphNode[] = [];
  for (const p of pipelines) {
    for (const r of p.source.resources) {
      const resource = resourceNodeName(p.name, r.name);
      nodes.push({ name: resource, layer: 'resource', kind: 'source', parents: [], file: p.file, pipeline: p.name, resource: r.name, ...declared(resourceDefinition(p, r)) });
      nodes.push({
        name: `bronze.${bronzeTableName(p.name, r.name)}`, layer: 'bronze', kind: 'append', parents: [resource], file: p.file, pipeline: p.name, resource: r.name,
        // Bronze keeps records as received: its shape never depends on the declaration.
        ...declared('bronze'),
      });
    }
    for (const t of p.silver) {
      nodes.push({
        name: `silver.${t.name}`, layer: 'silver', kind: t.history ?? 'merge_by_key', parents: [`bronze.${bronzeTableName(p.name, t.from)}`],
        file: p.file, pipeline: p.name, table: t, ...declared(silverDefinition(t)),
      });
    }
    for (const check of [...p.checks, ...p.freshness]) {
      const parents = 'spec' in check ? checkParents(check) : [check.table];
      const file = ('file' in check && check.file) || p.file;
      nodes.push({
        name: checkNodeName(file, check.line), layer: 'check', kind: 'check', parents, file, pipeline: p.name, check,
        ...declared('spec' in check ? checkDefinition(check) : { ...check, line: undefined }),
      });
    }
  }
  const mapped = new Set(pipelines.flatMap((p) => p.silver.map((t) => `silver.${t.name}`)));
  const owners = silverModelOwners(pipelines, models);
  for (const m of models) {
    // A SQL model named as a mapping's table is an error at both (project.ts); the mapping keeps the name.
    if (mapped.has(m.name)) continue;
    const parents = [...new Set(m.references.map((r) => r.table))].filter((t) => t !== m.name);
    const base = { name: m.name, kind: m.options.materialized, parents, file: m.file, model: m, ...declared(modelDefinition(m)) };
    if (m.layer === 'gold') nodes.push({ ...base, layer: 'gold' });
    else {
      const pipelines = [...(owners.get(m.name)?.keys() ?? [])];
      nodes.push({ ...base, layer: 'silver', pipeline: pipelines.length === 1 ? pipelines[0] : undefined });
    }
  }
  return new ProjectGraph(nodes);
}

/**
 * For each silver SQL model, the pipelines whose bronze it reads, directly or through the silver tables it
 * reads, each with the table it first reaches it through. A silver model belongs to exactly one of them
 * (project.ts says so otherwise): that pipeline's run builds it with its other silver tables.
 */
export function silverModelOwners(pipelines: readonly Pipeline[], models: readonly SqlModel[]): Map<string, Map<string, string>> {
  const direct = new Map<string, string>();
  for (const p of pipelines) {
    for (const r of p.source.resources) direct.set(`bronze.${bronzeTableName(p.name, r.name)}`, p.name);
    for (const t of p.silver) direct.set(`silver.${t.name}`, p.name);
  }
  const silverModels = new Map(models.filter((m) => m.layer === 'silver' && !direct.has(m.name)).map((m) => [m.name, m]));
  const owners = new Map<string, Map<string, string>>();
  const resolve = (name: string, visiting: Set<string>): Map<string, string> => {
    const known = owners.get(name);
    if (known) return known;
    const found = new Map<string, string>();
    // A cycle is reported by the graph; its models get no owner from each other.
    if (visiting.has(name)) return found;
    visiting.add(name);
    for (const { table } of silverModels.get(name)!.references) {
      const pipeline = direct.get(table);
      if (pipeline !== undefined) {
        if (!found.has(pipeline)) found.set(pipeline, table);
      } else if (silverModels.has(table) && table !== name) {
        for (const p of resolve(table, visiting).keys()) if (!found.has(p)) found.set(p, table);
      }
    }
    visiting.delete(name);
    owners.set(name, found);
    return found;
  };
  for (const name of silverModels.keys()) resolve(name, new Set());
  return owners;
}

/** What is fetched, without the values of parameters (they may come from secrets). */
function resourceDefinition(pipeline: Pipeline, resource: Pipeline['source']['resources'][number]): unknown {
  const { name, ...rest } = resource as { name: string; params?: Record<string, string> };
  return { source: pipeline.source.kind, name, ...rest, params: rest.params && Object.keys(rest.params).sort() };
}

export function resourceNodeName(pipeline: string, resource: string): string {
  return `resource:${pipeline}.${resource}`;
}

export function checkNodeName(file: string, line: number): string {
  return `check:${file}:${line}`;
}

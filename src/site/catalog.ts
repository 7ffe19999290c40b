// The catalog: one entry per table of the project's graph (bronze, silver from YAML or SQL, gold) with what
// a reader of its page asks: what is in it (columns, their types and descriptions), who answers for it, how
// it is checked and how fresh it must be, how big it is, how it is made (the model's SQL), and what it
// reads and feeds. The graph gives the declarations; the warehouse gives the columns as built and the
// status report (state/status.ts) the row counts and the last check results, so building the site reads
// the warehouse once for each.
import type { DeclaredCheck, FreshnessSpec } from '../config/types.js';
import { DIFF_DIALECTS, type ColumnRow } from '../diff/diff-sql.js';
import type { GraphNode, MaterializationKind } from '../graph/graph.js';
import type { MaskRuleName } from '../governance/masking.js';
import { sensitiveTables } from '../governance/read-masking.js';
import type { Project } from '../project.js';
import { checkName } from '../quality/checks.js';
import type { CheckResult, FreshnessState, StatusReport } from '../state/types.js';
import type { Warehouse } from '../warehouse/adapter.js';

export type TableLayer = 'bronze' | 'silver' | 'gold';

/** A report page (reports/*.md) as the dashboards build lists it: where it is, its title, the tables its queries read. */
export interface ReportPageRef {
  /** Path of the built page in the site, e.g. reports/daily-sales.html. */
  path: string;
  title: string;
  tablesRead: readonly string[];
}

export interface CatalogColumn {
  name: string;
  /** As the warehouse spells it (DECIMAL(12,2), NUMBER(12,2)); the declared type while the table is not built; null if unknown. */
  type: string | null;
  description?: string;
  /** A column declared sensitive: the rule its values are masked with wherever they are shown. */
  mask?: MaskRuleName;
}

export interface CatalogCheck {
  /** The graph's node name (check:<file>:<line>). */
  node: string;
  /** Readable, as results name it: not_null(a, b), freshness(sold_at). */
  name: string;
  kind: string;
  severity: 'warn' | 'error';
  pipeline: string;
  file: string;
  line: number;
  /** From the newest run that checked its pipeline, with the failing rows it kept; undefined when none has. */
  last?: CheckResult;
}

export interface CatalogFreshness {
  field: string;
  warn_after_seconds: number;
  error_after_seconds: number;
  /** As measured for the status report; undefined without one. */
  state?: FreshnessState;
  age_seconds?: number | null;
}

/** A resource a table's data comes from, directly or not. */
export interface CatalogSource {
  pipeline: string;
  resource: string;
  /** The pipeline's source kind: http, sql or files. */
  kind: string;
}

export interface CatalogTable {
  /** Schema-qualified: silver.transactions. */
  name: string;
  layer: TableLayer;
  kind: MaterializationKind;
  /** The file that declares it, relative to the project. */
  file: string;
  description?: string;
  /** The pipeline whose run builds it; undefined for gold models. */
  pipeline?: string;
  /** Who answers for it: its pipeline's owner; for a gold model, the owners of the pipelines it reads from. */
  owners: string[];
  columns: CatalogColumn[];
  checks: CatalogCheck[];
  freshness?: CatalogFreshness;
  /** Rows now; null when not built (or a view, which the status report does not count). */
  rows: number | null;
  /** ISO 8601 UTC; null when never written. */
  last_loaded_at: string | null;
  /** Whether the warehouse has it. */
  built: boolean;
  /** A SQL model's file as written. */
  sql?: string;
  /** Tables it reads directly (for bronze: none; its resource is in sources). */
  upstream: string[];
  /** Tables that read it directly. */
  downstream: string[];
  /** The resources its data comes from, directly or through the tables it reads. */
  sources: CatalogSource[];
  /** Report pages that read it. */
  reports: Array<{ path: string; title: string }>;
}

export interface CatalogFacts {
  /** Columns of each built table, by schema-qualified lower-case name, in their order. */
  columns: Map<string, Array<{ name: string; type: string }>>;
  status?: StatusReport;
  reports?: readonly ReportPageRef[];
}

const LAYER_ORDER: Record<TableLayer, number> = { bronze: 0, silver: 1, gold: 2 };

/** What bronze's own columns hold; every bronze table has the same ones. */
const BRONZE_COLUMNS: Array<[string, string]> = [
  ['_batch_id', 'The batch (one fetch of the resource) the record came in'],
  ['_source', 'Where the records were fetched from'],
  ['_fetched_at', 'When the batch was fetched, UTC'],
  ['_record_hash', 'MD5 of the record as received; a record already in bronze is not appended again'],
  ['_record', 'The record exactly as received'],
];
const SILVER_COLUMNS: Record<string, string> = {
  _batch_id: 'The bronze batch this version of the row came from',
  _record_hash: 'The bronze record this row was read from',
  _loaded_at: 'When this version of the row was written, UTC',
};

/** The catalog of every table: the graph's declarations with what the warehouse says about them. */
export async function readCatalog(warehouse: Warehouse, project: Project, options: { status?: StatusReport; reports?: readonly ReportPageRef[] } = {}): Promise<CatalogTable[]> {
  return buildCatalog(project, { columns: await readTableColumns(warehouse), ...options });
}

/** Columns of every table of the layer schemas, in one query to information_schema (the same on DuckDB and Snowflake). */
export async function readTableColumns(warehouse: Warehouse): Promise<CatalogFacts['columns']> {
  const rows = await warehouse.query<ColumnRow>(
    // lower(): Snowflake keeps unquoted names in upper case. Precision and length let a Snowflake type be spelled in full.
    `SELECT lower(table_schema) AS table_schema, lower(table_name) AS table_name, lower(column_name) AS column_name, data_type,
            ordinal_position, numeric_precision, numeric_scale, character_maximum_length
     FROM information_schema.columns
     WHERE table_catalog = current_database() AND lower(table_schema) IN ('bronze', 'silver', 'gold')
     ORDER BY lower(table_schema), lower(table_name), ordinal_position`,
  );
  const typeOf = DIFF_DIALECTS[warehouse.kind]?.typeOf ?? ((row: ColumnRow) => row.data_type);
  const columns: CatalogFacts['columns'] = new Map();
  for (const row of rows) {
    const table = `${row.table_schema}.${row.table_name}`;
    const list = columns.get(table) ?? [];
    list.push({ name: row.column_name, type: typeOf(row) });
    columns.set(table, list);
  }
  return columns;
}

/** The catalog from the project and facts already read: every table node, bronze then silver then gold, by name. */
export function buildCatalog(project: Pick<Project, 'graph' | 'pipelines'>, facts: CatalogFacts): CatalogTable[] {
  const { graph } = project;
  const nodes = graph.order.map((name) => graph.get(name)!);
  const children = new Map<string, string[]>();
  for (const node of nodes) for (const parent of node.parents) children.set(parent, [...(children.get(parent) ?? []), node.name]);
  const owners = new Map(project.pipelines.map((p) => [p.name, p.owner]));
  const sourceKinds = new Map(project.pipelines.map((p) => [p.name, p.source.kind]));
  const tableStatus = new Map((facts.status?.tables ?? []).map((t) => [t.name, t]));
  const results = new Map<string, CheckResult>();
  for (const p of facts.status?.pipelines ?? []) {
    for (const c of p.checks) results.set(resultKey(p.name, c.table, c.check), { ...c, failing_rows: Number(c.failing_rows) });
  }
  const isTable = (n: GraphNode | undefined): n is Extract<GraphNode, { layer: TableLayer }> => n !== undefined && n.layer in LAYER_ORDER;
  // A model's sensitive columns, declared or inherited by name, are marked as a mapping's are.
  const sensitive = sensitiveTables(project.pipelines, nodes.flatMap((n) => ('model' in n ? [n.model] : [])));

  const tables: CatalogTable[] = [];
  for (const node of nodes) {
    if (!isTable(node)) continue;
    const checkNodes = (children.get(node.name) ?? [])
      .map((c) => graph.get(c)!)
      .filter((c): c is Extract<GraphNode, { layer: 'check' }> => c.layer === 'check' && c.check.table === node.name);
    const checks = checkNodes.map((c) => catalogCheck(c, results));
    const freshnessSpec = checkNodes.map((c) => c.check).find((c): c is FreshnessSpec => !('spec' in c));
    const upstreamAll = [...graph.upstream([node.name])].map((n) => graph.get(n)!);
    const sources = upstreamAll
      .filter((n): n is Extract<GraphNode, { layer: 'resource' }> => n.layer === 'resource')
      .map((n) => ({ pipeline: n.pipeline!, resource: n.resource, kind: sourceKinds.get(n.pipeline!) ?? 'unknown' }))
      .sort((a, b) => compare(a.pipeline, b.pipeline) || compare(a.resource, b.resource));
    const pipelines = node.pipeline !== undefined ? [node.pipeline] : [...new Set(sources.map((s) => s.pipeline))];
    const status = tableStatus.get(node.name);
    const built = facts.columns.get(node.name);
    tables.push({
      name: node.name,
      layer: node.layer,
      kind: node.kind,
      file: node.file,
      description: describe(node),
      pipeline: node.pipeline,
      owners: [...new Set(pipelines.flatMap((p) => owners.get(p) ?? []))].sort(compare),
      columns: columnsOf(node, built, sensitive.get(node.name)),
      checks,
      freshness: freshnessSpec && {
        field: freshnessSpec.field,
        warn_after_seconds: freshnessSpec.warnAfterSeconds,
        error_after_seconds: freshnessSpec.errorAfterSeconds,
        ...(status?.freshness ? { state: status.freshness.state, age_seconds: status.freshness.age_seconds } : {}),
      },
      rows: status ? Number(status.rows) : null,
      last_loaded_at: status?.last_loaded_at ?? null,
      built: built !== undefined,
      sql: 'model' in node ? node.model.text : undefined,
      upstream: node.parents.filter((p) => isTable(graph.get(p))).sort(compare),
      downstream: (children.get(node.name) ?? []).filter((c) => isTable(graph.get(c))).sort(compare),
      sources,
      reports: (facts.reports ?? [])
        .filter((r) => r.tablesRead.some((t) => t.toLowerCase() === node.name))
        .map((r) => ({ path: r.path, title: r.title }))
        .sort((a, b) => compare(a.path, b.path)),
    });
  }
  return tables.sort((a, b) => LAYER_ORDER[a.layer] - LAYER_ORDER[b.layer] || compare(a.name, b.name));
}

function resultKey(pipeline: string, table: string, check: string): string {
  return `${pipeline}\u0000${table}\u0000${check}`;
}

function catalogCheck(node: Extract<GraphNode, { layer: 'check' }>, results: Map<string, NonNullable<CatalogCheck['last']>>): CatalogCheck {
  const check = node.check;
  const declared = 'spec' in check ? (check as DeclaredCheck) : undefined;
  const name = declared ? checkName(declared.spec) : `freshness(${(check as FreshnessSpec).field})`;
  const last = results.get(resultKey(node.pipeline!, check.table, name));
  return {
    node: node.name,
    name,
    kind: declared ? declared.spec.kind : 'freshness',
    severity: declared ? declared.severity : 'error',
    pipeline: node.pipeline!,
    file: node.file,
    line: check.line,
    ...(last ? { last } : {}),
  };
}

function describe(node: Extract<GraphNode, { layer: TableLayer }>): string | undefined {
  if ('table' in node) return node.table.description;
  if ('model' in node) return node.model.docs.description;
  if (node.layer === 'bronze') return `The records of ${node.pipeline}'s resource ${node.resource}, exactly as received, with when and in which batch they came.`;
  return undefined;
}

/** The columns as built, with their descriptions; the declared ones while the table is not built. */
function columnsOf(node: Extract<GraphNode, { layer: TableLayer }>, built: Array<{ name: string; type: string }> | undefined, sensitive?: ReadonlyMap<string, MaskRuleName>): CatalogColumn[] {
  const described = new Map<string, string>();
  const masks = new Map<string, MaskRuleName>('model' in node ? sensitive : undefined);
  const declared: CatalogColumn[] = [];
  if (node.layer === 'bronze') {
    for (const [name, description] of BRONZE_COLUMNS) {
      described.set(name, description);
      declared.push({ name, type: null, description });
    }
  } else if ('table' in node) {
    for (const c of node.table.columns) {
      if (c.description) described.set(c.name, c.description);
      if (c.mask) masks.set(c.name, c.mask);
      declared.push(withMask(withDescription({ name: c.name, type: c.type }, c.description), c.mask));
    }
    for (const [name, description] of Object.entries(SILVER_COLUMNS)) described.set(name, description);
  } else if ('model' in node) {
    for (const [name, description] of Object.entries(node.model.docs.columns)) {
      described.set(name, description);
      declared.push(withMask({ name, type: null, description }, masks.get(name)));
    }
  }
  if (!built) return declared;
  return built.map((c) => withMask(withDescription({ name: c.name, type: c.type }, described.get(c.name)), masks.get(c.name)));
}

function withMask(column: CatalogColumn, mask: MaskRuleName | undefined): CatalogColumn {
  return mask === undefined ? column : { ...column, mask };
}

function withDescription(column: CatalogColumn, description: string | undefined): CatalogColumn {
  return description === undefined ? column : { ...column, description };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// What a run must do to a table because of its definition: build it (never built), take it as it is
// (built before definitions were recorded), rebuild it (its definition changed: breaking or not), or
// nothing. New input data is the other reason to build, decided by the transform from data versions.
import type { ModelOptions } from '../config/model-options.js';
import { categorizeModel, categorizeSilver, type Categorized, type ChangeCategory, type SilverShape } from '../graph/categorize.js';
import type { NodeOf } from '../graph/graph.js';
import type { NodeState } from '../state/nodes.js';

export type DefinitionAction = 'create' | 'adopt' | 'rebuild' | 'none';

export interface DefinitionChange {
  action: DefinitionAction;
  /** For a rebuild: breaking changes rebuild what reads the table too. */
  category?: ChangeCategory;
  reasons: string[];
}

export type TransformNode = NodeOf<'silver'> | NodeOf<'gold'>;

export const FULL_REFRESH = 'full refresh asked for';

export function definitionChange(node: TransformNode, state: NodeState | undefined, exists: boolean, fullRefresh = false): DefinitionChange {
  if (!exists) return { action: 'create', reasons: ['not built yet'] };
  if (fullRefresh) return { action: 'rebuild', category: 'breaking', reasons: [FULL_REFRESH] };
  if (!state) return { action: 'adopt', reasons: ['built before definitions were recorded: taken as built from the current one'] };
  if (state.fingerprint === node.fingerprint) return { action: 'none', reasons: [] };
  const { category, reasons } = categorizeDefinitions(node.layer, state.definition, node.definition);
  return { action: 'rebuild', category, reasons };
}

/**
 * What kind of change one normalised definition of a table is against another (graph/fingerprint.ts):
 * against what the table was built from (a run), or against the base branch's (a pull request's plan).
 * A silver table declared the other way now (a YAML mapping become a SQL model, or back) is a breaking change.
 */
export function categorizeDefinitions(layer: TransformNode['layer'], before: unknown, after: unknown): Categorized {
  const [was, now] = [isModelShape(before), isModelShape(after)];
  if (was !== now) return { category: 'breaking', reasons: [now ? 'declared by a SQL model now (was a pipeline\'s mapping)' : 'declared by a pipeline\'s mapping now (was a SQL model)'] };
  if (layer === 'silver' && !now) return categorizeSilver(before as SilverShape, after as SilverShape);
  return categorizeModelChange(before as ModelShape, after as ModelShape);
}

interface ModelShape {
  sql: string;
  /** Absent in records made before models had options: they were tables. */
  options?: ModelOptions;
}

function isModelShape(definition: unknown): definition is ModelShape {
  return typeof definition === 'object' && definition !== null && 'sql' in definition;
}

/**
 * The SQL decides the category; options alone (how it is materialised) change how, not which rows, except
 * for a model incremental by batch with a unique_key: its key and latest_by decide which version of a key
 * it keeps.
 */
function categorizeModelChange(before: ModelShape, after: ModelShape): Categorized {
  const old = { materialized: 'table', ...before.options } as Record<string, unknown>;
  const now = { materialized: 'table', ...after.options } as Record<string, unknown>;
  const optionReasons = [...new Set([...Object.keys(old), ...Object.keys(now)])]
    .filter((k) => JSON.stringify(old[k]) !== JSON.stringify(now[k]))
    .map((k) => `${k.replace(/_seconds$/, '')}: ${show(old[k])} -> ${show(now[k])}`);
  const keeps = (o: Record<string, unknown>) => (o.materialized === 'incremental_by_batch' && o.unique_key ? JSON.stringify([o.unique_key, o.latest_by]) : 'every row');
  const rowsKept = keeps(old) !== keeps(now) ? { category: 'breaking' as const, reasons: ['which version of each key is kept changed'] } : undefined;
  if (before.sql === after.sql) return rowsKept ? { ...rowsKept, reasons: [...rowsKept.reasons, ...optionReasons] } : { category: 'non_breaking', reasons: optionReasons };
  const sql = categorizeModel(before.sql, after.sql);
  return { category: rowsKept?.category ?? sql.category, reasons: [...sql.reasons, ...(rowsKept?.reasons ?? []), ...optionReasons] };
}

function show(value: unknown): string {
  if (value === undefined) return 'none';
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

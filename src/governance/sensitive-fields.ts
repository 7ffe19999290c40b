// Where a sensitive column's value sits in a record that meta.rejected keeps. A rejected row of a silver
// mapping is a bronze record, or with `explode` one element of it (the record itself when the array was
// missing); a row rejected before bronze is under the bronze table and is the whole record. A record is read
// by every silver table built from its resource, so its sensitive fields are those of all of them.
import type { Pipeline, SilverTable } from '../config/types.js';
import { bronzeTableName, splitPath } from '../config/types.js';
import type { SqlModel } from '../config/sql-model.js';
import { DEFAULT_MASK_RULE, type SensitiveField } from './masking.js';
import { sensitiveTables } from './read-masking.js';

export interface RejectedRecordShape {
  /** Where it is kept: "silver.customers", "bronze.catalog_customers". */
  table: string;
  /** The element's index in its parent's exploded array; null when the record is the whole bronze record. */
  elementIndex: number | null;
}

/** The sensitive fields of a record rejected for `table`; [] for a table no pipeline maps (nothing declared). */
export function sensitiveFieldsOf(pipelines: readonly Pipeline[], record: RejectedRecordShape): SensitiveField[] {
  const found = tableOf(pipelines, record.table);
  if (!found) return [];
  const siblings = found.pipeline.silver.filter((t) => t.from === found.resource);
  const parentFields = siblings.flatMap(fieldsInParent);
  if (!found.silver?.explode || record.elementIndex === null) return dedupe(parentFields);
  // An element: the fields of tables that explode the same array, and any parent field inside that array.
  const array = splitPath(found.silver.explode);
  const inElement = siblings.filter((t) => t.explode === found.silver!.explode).flatMap((t) =>
    sensitiveColumns(t).filter((c) => !c.path.startsWith('$.')).map((c) => field(t, c.name, splitPath(c.path), c.mask)));
  for (const f of parentFields) {
    if (f.path.length <= array.length || array.some((key, i) => f.path[i] !== key)) continue;
    const rest = f.path.slice(array.length);
    // An index into the array may name this element or another: masked either way.
    inElement.push({ ...f, path: /^\d+$/.test(rest[0]) ? rest.slice(1) : rest });
  }
  return dedupe(inElement);
}

/** The table's fields as they sit in the whole bronze record. */
function fieldsInParent(table: SilverTable): SensitiveField[] {
  return sensitiveColumns(table).map((c) => {
    if (!table.explode) return field(table, c.name, splitPath(c.path), c.mask);
    // `$.x` is in the parent; any other path is in each element of the exploded array.
    return field(table, c.name, c.path.startsWith('$.') ? splitPath(c.path) : [...splitPath(table.explode), ...splitPath(c.path)], c.mask);
  });
}

function sensitiveColumns(table: SilverTable) {
  return table.columns.filter((c): c is typeof c & { mask: NonNullable<typeof c.mask> } => c.mask !== undefined);
}

function field(table: SilverTable, column: string, path: string[], rule = DEFAULT_MASK_RULE): SensitiveField {
  return { path, rule, column: `silver.${table.name}.${column}` };
}

function tableOf(pipelines: readonly Pipeline[], table: string): { pipeline: Pipeline; resource: string; silver?: SilverTable } | undefined {
  for (const pipeline of pipelines) {
    for (const silver of pipeline.silver) if (`silver.${silver.name}` === table) return { pipeline, resource: silver.from, silver };
    for (const resource of pipeline.source.resources) {
      if (`bronze.${bronzeTableName(pipeline.name, resource.name)}` === table) return { pipeline, resource: resource.name };
    }
  }
  return undefined;
}


function dedupe(fields: SensitiveField[]): SensitiveField[] {
  const seen = new Map<string, SensitiveField>();
  for (const f of fields) seen.set(`${f.path.join('\u0000')}\u0001${f.rule}`, seen.get(`${f.path.join('\u0000')}\u0001${f.rule}`) ?? f);
  return [...seen.values()];
}

/**
 * The sensitive columns of a row of `table` (a check's failing-row sample), by column name. A silver table
 * of a mapping has its own; a model its own and those it inherits (governance/read-masking.ts); any other
 * table (a custom check's SELECT) may carry a sensitive value under its column's name, so every sensitive
 * column name of the project is masked. Models given in `models` add theirs to that list.
 */
export function sensitiveColumnsOf(pipelines: readonly Pipeline[], table: string, models: readonly SqlModel[] = []): SensitiveField[] {
  const mapped = tableOf(pipelines, table)?.silver;
  const tables = mapped ? [mapped] : pipelines.flatMap((p) => p.silver);
  const fields = tables.flatMap((t) => sensitiveColumns(t).map((c) => field(t, c.name, [c.name], c.mask)));
  if (!mapped) {
    const declared = sensitiveTables(pipelines, models);
    const own = declared.get(table);
    for (const [name, columns] of own ? [[table, own] as const] : declared) {
      for (const [column, rule] of columns) fields.push({ path: [column], rule, column: `${name}.${column}` });
    }
  }
  return dedupe(fields);
}

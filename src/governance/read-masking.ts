// Sensitive columns masked at read, per column, before any expression of a query for people sees the value:
// what a Snowflake masking policy does for a role that may not see the clear value. On Snowflake the policy
// does it (`dataops grants`); on DuckDB each reference to a table with sensitive columns in such a query (a
// report page, a site page) becomes a subquery that gives the masked values under the columns' own names.
// Models and checks read clear values, as the transformer role does. The SQL of each rule shows what the
// TypeScript rule of masking.ts shows for a text or a number (test/unit/governance/read-masking.test.ts).
import { bronzeTableName, type Pipeline } from '../config/types.js';
import type { SqlModel } from '../config/sql-model.js';
import { blankOutCommentsAndStrings } from '../config/sql-model.js';
import { CLEAR } from '../config/model-options.js';
import type { Project } from '../project.js';
import { quoteIdent, sqlString, type Warehouse } from '../warehouse/adapter.js';
import { DEFAULT_MASK_RULE, PARTIAL_TAIL_MIN_LENGTH, REDACTED, type MaskRuleName } from './masking.js';

/** The column of a bronze table that holds the record as received. */
export const BRONZE_RECORD_COLUMN = '_record';

/** schema.table -> its sensitive columns (lower case) -> the rule each is masked with. */
export type SensitiveTables = Map<string, Map<string, MaskRuleName>>;

/**
 * Every table's sensitive columns: a silver mapping's columns declared `sensitive: true` (and the `_record` of
 * the bronze table it reads, redacted whole); a model's declared
 * in its leading comment block (`-- sensitive: email (partial)`), and any column a table it reads declares
 * sensitive, by the same name, which it is taken to pass through, unless the model names it itself (with
 * another rule, or `clear`). A column renamed on the way is not followed: declare it in the model.
 */
export function sensitiveTables(pipelines: readonly Pipeline[], models: readonly SqlModel[]): SensitiveTables {
  const out: SensitiveTables = new Map();
  for (const pipeline of pipelines) {
    for (const table of pipeline.silver) {
      const columns = new Map(table.columns.filter((c) => c.mask !== undefined).map((c) => [c.name.toLowerCase(), c.mask ?? DEFAULT_MASK_RULE] as const));
      if (columns.size === 0) continue;
      out.set(`silver.${table.name}`, columns);
      // The bronze record it is read from holds the same values somewhere in its JSON: redacted whole.
      out.set(`bronze.${bronzeTableName(pipeline.name, table.from)}`, new Map([[BRONZE_RECORD_COLUMN, 'redact']]));
    }
  }
  const byName = new Map(models.map((m) => [m.name, m]));
  const resolving = new Set<string>();
  const resolve = (name: string): Map<string, MaskRuleName> | undefined => {
    const model = byName.get(name);
    if (!model || out.has(name) || resolving.has(name)) return out.get(name);
    resolving.add(name); // a cycle is reported by the graph; here it only must not loop
    const columns = new Map<string, MaskRuleName>();
    for (const parent of new Set(model.references.map((r) => r.table))) {
      for (const [column, rule] of resolve(parent) ?? []) if (!columns.has(column)) columns.set(column, rule);
    }
    for (const [column, rule] of Object.entries(model.options.sensitive ?? {})) {
      if (rule === CLEAR) columns.delete(column);
      else columns.set(column, rule);
    }
    resolving.delete(name);
    if (columns.size) out.set(name, columns);
    return columns;
  };
  for (const model of models) resolve(model.name);
  return out;
}

/** The column (a DuckDB expression) as `rule` shows it; NULL stays NULL, as the TypeScript rules leave it. */
export function maskedColumnSql(rule: MaskRuleName, column: string): string {
  const redacted = `'${REDACTED}'`;
  // Texts, numbers and dates (which the client gives as text) are masked as their text; a boolean, a JSON or
  // nested value is redacted whole, as masking.ts does with what is not a string or a number.
  const text = `regexp_replace(CAST(${column} AS VARCHAR), '^\\s+|\\s+$', '', 'g')`;
  const textual = `NOT (typeof(${column}) IN ('BOOLEAN', 'JSON') OR typeof(${column}) LIKE '%[]' OR regexp_matches(typeof(${column}), '^(STRUCT|MAP|UNION)\\('))`;
  const masked: Record<MaskRuleName, string> = {
    redact: redacted,
    null: 'CAST(NULL AS VARCHAR)',
    hash: `'sha256:' || left(sha256(CAST(${column} AS VARCHAR)), 12)`,
    partial:
      `CASE WHEN NOT ${textual} THEN ${redacted} ` +
      `WHEN strpos(${text}, '@') > 0 THEN ${redacted} || '@' || regexp_extract(${text}, '@([^@]*)$', 1) ` +
      `WHEN length(${text}) >= ${PARTIAL_TAIL_MIN_LENGTH} THEN ${redacted} || right(${text}, 4) ELSE ${redacted} END`,
  };
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE ${masked[rule]} END`;
}

const TABLE_REFERENCE = /\b(bronze|silver|gold)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/gi;
/** Words that may follow a table in FROM and are not its alias. */
const NOT_ALIAS = new Set(['where', 'join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural', 'asof', 'positional', 'anti', 'semi', 'on', 'using', 'group', 'order', 'limit', 'offset', 'having', 'qualify', 'window', 'union', 'except', 'intersect', 'minus', 'pivot', 'unpivot', 'tablesample', 'using', 'lateral', 'fetch', 'returning']);

/**
 * The query (in the warehouse's SQL) with each table of `sensitive` it reads replaced by a subquery of the
 * same columns, the sensitive ones masked, under the table's alias (or its own name when it has none, so
 * `dim_customer.email` still resolves). `columnsOf` gives the table's columns: a rule for a column the table
 * lacks (one inherited by name) is dropped. A schema-qualified column (`gold.t.c`) is left for the warehouse
 * to refuse, as that name no longer resolves: an error, never a clear value.
 */
export async function maskSensitiveReads(sql: string, sensitive: SensitiveTables, columnsOf: (table: string) => Promise<string[]>): Promise<string> {
  if (sensitive.size === 0) return sql;
  const code = blankOutCommentsAndStrings(sql);
  let out = '';
  let from = 0;
  for (const match of code.matchAll(TABLE_REFERENCE)) {
    const table = `${match[1]}.${match[2]}`.toLowerCase();
    const rules = sensitive.get(table);
    const end = match.index + match[0].length;
    if (!rules || /^\s*\./.test(code.slice(end))) continue;
    const present = new Set((await columnsOf(table)).map((c) => c.toLowerCase()));
    const replaced = [...rules].filter(([column]) => present.has(column)).map(([column, rule]) => `${maskedColumnSql(rule, quoteIdent(column))} AS ${quoteIdent(column)}`);
    if (replaced.length === 0) continue;
    const alias = /^\s+(?:as\s+)?([A-Za-z_][A-Za-z0-9_]*|"[^"]*")/i.exec(code.slice(end));
    const hasAlias = alias !== null && (/^\s+as\s/i.test(code.slice(end)) || !NOT_ALIAS.has(alias[1].toLowerCase()));
    // On one line, so the warehouse's LINE n is still the page's line.
    out += `${sql.slice(from, match.index)}(SELECT * REPLACE (${replaced.join(', ')}) FROM ${match[0]})${hasAlias ? '' : ` AS ${quoteIdent(match[2].toLowerCase())}`}`;
    from = end;
  }
  return out + sql.slice(from);
}


/** Masks a query for people before it is run: identity where the warehouse masks by itself (Snowflake's policies) or nothing is sensitive. */
export type ReadMasker = (sql: string) => Promise<string>;

export const NO_READ_MASKING: ReadMasker = async (sql) => sql;

/** The masker for queries for people on this warehouse and project; a table's columns are read once. */
export function readMaskerFor(warehouse: Warehouse, project: Pick<Project, 'pipelines' | 'models'>): ReadMasker {
  if (warehouse.kind !== 'duckdb') return NO_READ_MASKING;
  const sensitive = sensitiveTables(project.pipelines, project.models);
  if (sensitive.size === 0) return NO_READ_MASKING;
  const known = new Map<string, Promise<string[]>>();
  const columnsOf = (table: string): Promise<string[]> => {
    if (!known.has(table)) {
      const [schema, name] = table.split('.');
      known.set(table, warehouse.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() AND lower(table_schema) = ${sqlString(schema)} AND lower(table_name) = ${sqlString(name)}`,
      ).then((rows) => rows.map((r) => r.column_name)));
    }
    return known.get(table)!;
  };
  return (sql) => maskSensitiveReads(sql, sensitive, columnsOf);
}

// The diff's SQL. Everything is computed inside the warehouse, in one pass over each pair of tables
// where it can be; only counts and a few sample rows come back. The same statements run on DuckDB and
// on Snowflake, except for the few fragments each warehouse spells differently (the registry below).
import { nameList, UsageError } from '../errors.js';
import { quoteIdent, sqlString } from '../warehouse/adapter.js';

/** A table as a user names it: schema.table, both plain identifiers. */
export interface TableName {
  schema: string;
  table: string;
}

/** One row of information_schema.columns, as both warehouses return it (lower-case keys). */
export interface ColumnRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
  ordinal_position: number | string;
  numeric_precision?: number | string | null;
  numeric_scale?: number | string | null;
  character_maximum_length?: number | string | null;
}

export interface DiffDialect {
  /** information_schema.columns of the named tables, in `catalog` (undefined: the connection's own database). */
  columnsSql(catalog: string | undefined, tables: readonly TableName[]): string;
  /** A column's type from its information_schema row, spelled as the warehouse spells it in DDL. */
  typeOf(row: ColumnRow): string;
  /** How a CTE read twice is declared so that it is computed once. */
  materializedCte: string;
}

/** Snowflake's VARCHAR without a length is VARCHAR(16777216); shown as plain VARCHAR. */
const SNOWFLAKE_MAX_VARCHAR = 16_777_216;

/** Both warehouses compare names case-insensitively here: tables are named without quotes in this project. */
function tableFilter(tables: readonly TableName[]): string {
  if (tables.length === 0) return 'FALSE';
  return tables
    .map((t) => `(UPPER(table_schema) = ${sqlString(t.schema.toUpperCase())} AND UPPER(table_name) = ${sqlString(t.table.toUpperCase())})`)
    .join(' OR ');
}

const COLUMNS = 'table_schema, table_name, column_name, data_type, ordinal_position';

export const DIFF_DIALECTS: Record<string, DiffDialect> = {
  duckdb: {
    // DuckDB's information_schema covers every attached database; table_catalog picks one.
    columnsSql: (catalog, tables) =>
      `SELECT ${COLUMNS} FROM information_schema.columns
       WHERE table_catalog = ${catalog === undefined ? 'current_database()' : sqlString(catalog)} AND (${tableFilter(tables)})
       ORDER BY table_schema, table_name, ordinal_position`,
    typeOf: (row) => row.data_type,
    materializedCte: 'AS MATERIALIZED',
  },
  snowflake: {
    // Each Snowflake database has its own information_schema.
    columnsSql: (catalog, tables) =>
      `SELECT ${COLUMNS}, numeric_precision, numeric_scale, character_maximum_length
       FROM ${catalog === undefined ? '' : `${quoteIdent(catalog)}.`}information_schema.columns
       WHERE ${tableFilter(tables)}
       ORDER BY table_schema, table_name, ordinal_position`,
    typeOf: (row) => {
      const type = row.data_type.toUpperCase();
      if (type === 'NUMBER' && row.numeric_precision != null) return `NUMBER(${row.numeric_precision},${row.numeric_scale ?? 0})`;
      if (type === 'TEXT') {
        const length = Number(row.character_maximum_length ?? SNOWFLAKE_MAX_VARCHAR);
        return length === SNOWFLAKE_MAX_VARCHAR ? 'VARCHAR' : `VARCHAR(${length})`;
      }
      return type;
    },
    // Snowflake computes a CTE that is read twice once, and has no MATERIALIZED keyword.
    materializedCte: 'AS',
  },
};

export function diffDialectFor(kind: string): DiffDialect {
  const dialect = DIFF_DIALECTS[kind];
  if (!dialect) throw new UsageError(`dataops diff does not know warehouse "${kind}" (known: ${nameList(Object.keys(DIFF_DIALECTS))})`);
  return dialect;
}


// ---- types: which columns compare directly, and which as text ----

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|NUMERIC|NUMBER|DOUBLE|FLOAT|FLOAT4|FLOAT8|REAL|BYTEINT)\b/;
const TEXT = /^(VARCHAR|TEXT|STRING|CHAR|CHARACTER|BPCHAR)\b/;

/** Types whose values both warehouses compare across each other without an explicit cast. */
function family(type: string): string {
  const upper = type.toUpperCase();
  if (NUMERIC.test(upper)) return 'number';
  if (TEXT.test(upper)) return 'text';
  return upper;
}

/**
 * A column as it is compared, given each side's quoted name and type: as itself when both sides have the
 * same type or types of one family (numbers with numbers, text with text), else as text on both sides,
 * so that a retyped column can still be compared (12 as INTEGER and '12' as VARCHAR are the same value).
 */
export function comparable(base: { ref: string; type: string }, changed: { ref: string; type: string }): SharedColumn {
  if (base.type === changed.type || family(base.type) === family(changed.type)) return { base: base.ref, changed: changed.ref };
  return { base: `CAST(${base.ref} AS VARCHAR)`, changed: `CAST(${changed.ref} AS VARCHAR)` };
}

// ---- statements ----

/** Sample values are text, cut in the warehouse so that a large value never leaves it whole. */
export const SAMPLE_VALUE_CHARS = 200;

function sampleText(expr: string): string {
  return `LEFT(CAST(${expr} AS VARCHAR), ${SAMPLE_VALUE_CHARS + 1})`;
}

/** A column of a table on both sides: the expression that reads it on each side. */
export interface SharedColumn {
  base: string;
  changed: string;
}

export interface KeyedDiffSql {
  baseTable: string;
  changedTable: string;
  key: readonly SharedColumn[];
  columns: readonly SharedColumn[];
  /** Some key has more than one row on a side: group each side by key first, and leave such keys out. */
  excludeDuplicates: boolean;
  samples: number;
  materializedCte: string;
}

const notNull = (exprs: readonly string[]) => exprs.map((e) => `${e} IS NOT NULL`).join(' AND ');
const list = (prefix: string, n: number, alias = '') => Array.from({ length: n }, (_, i) => `${alias}${prefix}${i}`);

/**
 * Per side: rows, rows with a NULL in the key, and keys that appear more than once (how many, and the
 * rows they hold). One GROUP BY over the key per side.
 */
export function keyStatsSql(baseTable: string, changedTable: string, baseKey: readonly string[], changedKey: readonly string[]): string {
  const side = (table: string, key: readonly string[]) => ({
    dup: `SELECT COUNT(*) AS n FROM ${table} WHERE ${notNull(key)} GROUP BY ${key.join(', ')} HAVING COUNT(*) > 1`,
    nulls: `SELECT COUNT(*) FROM ${table} WHERE NOT (${notNull(key)})`,
  });
  const b = side(baseTable, baseKey);
  const c = side(changedTable, changedKey);
  return `WITH base_dup AS (${b.dup}), changed_dup AS (${c.dup})
    SELECT (SELECT COUNT(*) FROM ${baseTable}) AS base_rows,
           (SELECT COUNT(*) FROM ${changedTable}) AS changed_rows,
           (${b.nulls}) AS base_null_keys,
           (${c.nulls}) AS changed_null_keys,
           (SELECT COUNT(*) FROM base_dup) AS base_dup_keys,
           (SELECT COALESCE(SUM(n), 0) FROM base_dup) AS base_dup_rows,
           (SELECT COUNT(*) FROM changed_dup) AS changed_dup_keys,
           (SELECT COALESCE(SUM(n), 0) FROM changed_dup) AS changed_dup_rows`;
}

/**
 * The rows of each side that the keyed comparison reads: those with no NULL in the key, each with `n`,
 * the rows its key has on that side. Without duplicates that is 1 for every row; with them, each side is
 * first grouped by key (ANY_VALUE is exact where n = 1, and rows with n > 1 are not compared), which
 * costs more, so it is only done when the key statistics found duplicates.
 */
function keyedSides(q: KeyedDiffSql): string {
  const side = (table: string, pick: (c: SharedColumn) => string) => {
    const keys = q.key.map(pick);
    const keyed = keys.map((e, i) => `${e} AS k${i}`);
    if (!q.excludeDuplicates) {
      return `SELECT ${[...keyed, ...q.columns.map((c, i) => `${pick(c)} AS v${i}`), '1 AS n'].join(', ')} FROM ${table} WHERE ${notNull(keys)}`;
    }
    const values = q.columns.map((c, i) => `ANY_VALUE(${pick(c)}) AS v${i}`);
    return `SELECT ${[...keyed, 'COUNT(*) AS n', ...values].join(', ')} FROM ${table} WHERE ${notNull(keys)} GROUP BY ${keys.join(', ')}`;
  };
  return `b AS (${side(q.baseTable, (c) => c.base)}),\n  c AS (${side(q.changedTable, (c) => c.changed)})`;
}

/**
 * The keyed comparison: a FULL OUTER JOIN on the key; a row is added (key only on the changed side),
 * removed, or changed (on both, with a column IS DISTINCT FROM the other side's: NULL-safe on both
 * warehouses); a key with more than one row on either side is left out, and its rows counted. Only the
 * rows that differ are kept, once; the counts and the first `samples` changed rows by key come back
 * together, the counts repeated on each sample row (one row when there is none).
 */
export function keyedDiffSql(q: KeyedDiffSql): string {
  const k = q.key.length;
  const n = q.columns.length;
  const keys = list('k', k);
  const joined = [
    ...keys.map((key) => `COALESCE(b.${key}, c.${key}) AS ${key}`),
    'b.n AS nb',
    'c.n AS nc',
    ...list('v', n).map((v, i) => `(b.${v} IS DISTINCT FROM c.${v}) AS d${i}`),
    ...list('v', n).map((v, i) => `b.${v} AS b${i}, c.${v} AS c${i}`),
  ];
  const differs = ['nb IS NULL', 'nc IS NULL', 'nb > 1', 'nc > 1', ...list('d', n)].join(' OR ');
  const both = 'nb = 1 AND nc = 1';
  const duplicated = 'nb > 1 OR nc > 1';
  const counts = [
    'COUNT_IF(nb IS NULL AND nc = 1) AS added',
    'COUNT_IF(nc IS NULL AND nb = 1) AS removed',
    `COUNT_IF(${both}) AS changed`,
    `COALESCE(SUM(CASE WHEN ${duplicated} THEN COALESCE(nb, 0) ELSE 0 END), 0) AS base_left_out`,
    `COALESCE(SUM(CASE WHEN ${duplicated} THEN COALESCE(nc, 0) ELSE 0 END), 0) AS changed_left_out`,
    ...list('d', n).map((d, i) => `COUNT_IF(${both} AND ${d}) AS n${i}`),
  ];
  // Sample values come back as text; the typed key only orders them.
  const sample = [
    ...keys.map((key, i) => `${sampleText(key)} AS sk${i}`),
    ...list('d', n).map((d, i) => `${d} AS sd${i}, ${sampleText(`b${i}`)} AS sb${i}, ${sampleText(`c${i}`)} AS sc${i}`),
  ];
  // A key is never NULL here, so a row without sk0 is the counts alone.
  const shown = [...list('sk', k), ...list('', n).flatMap((_, i) => [`sd${i}`, `sb${i}`, `sc${i}`])];
  return `WITH ${keyedSides(q)},
  j AS (SELECT ${joined.join(', ')} FROM b FULL OUTER JOIN c ON ${keys.map((key) => `b.${key} = c.${key}`).join(' AND ')}),
  differing ${q.materializedCte} (SELECT * FROM j WHERE ${differs}),
  counts AS (SELECT ${counts.join(', ')} FROM differing),
  samples AS (SELECT ${[...keys, ...sample].join(', ')} FROM differing WHERE ${both} ORDER BY ${keys.join(', ')} LIMIT ${q.samples})
  SELECT counts.*, ${shown.map((c) => `samples.${c}`).join(', ')}
  FROM counts LEFT JOIN samples ON TRUE ORDER BY ${list('k', k, 'samples.').join(', ')}`;
}

export interface WholeRowDiffSql {
  baseTable: string;
  changedTable: string;
  columns: readonly SharedColumn[];
  samples: number;
  materializedCte: string;
}

/**
 * Without a key, rows are compared whole, as multisets: both sides in one UNION ALL, grouped by every
 * compared column, each group counting its rows per side. GROUP BY puts NULLs together, so the
 * comparison is NULL-safe, and it is one SQL text for both warehouses (Snowflake has no EXCEPT ALL).
 * A group with more rows on one side adds (or removes) the difference.
 */
export function wholeRowDiffSql(q: WholeRowDiffSql): string {
  const values = list('v', q.columns.length);
  const side = (table: string, pick: (c: SharedColumn) => string, b: number) =>
    `SELECT ${[...q.columns.map((c, i) => `${pick(c)} AS v${i}`), `${b} AS on_base`, `${1 - b} AS on_changed`].join(', ')} FROM ${table}`;
  const grouped = values.length
    ? `SELECT ${values.join(', ')}, SUM(on_base) AS nb, SUM(on_changed) AS nc FROM u GROUP BY ${values.join(', ')}`
    : 'SELECT SUM(on_base) AS nb, SUM(on_changed) AS nc FROM u';
  const order = values.length ? values : ['nb'];
  const sample = [...order, 'nb AS s_nb', 'nc AS s_nc', ...values.map((v, i) => `${sampleText(v)} AS sv${i}`)];
  const shown = ['s_nb', 's_nc', ...values.map((_, i) => `sv${i}`)];
  return `WITH u AS (${side(q.baseTable, (c) => c.base, 1)} UNION ALL ${side(q.changedTable, (c) => c.changed, 0)}),
  differing ${q.materializedCte} (SELECT * FROM (${grouped}) g WHERE nb <> nc),
  counts AS (SELECT COALESCE(SUM(CASE WHEN nc > nb THEN nc - nb ELSE 0 END), 0) AS added,
                    COALESCE(SUM(CASE WHEN nb > nc THEN nb - nc ELSE 0 END), 0) AS removed FROM differing),
  samples AS (SELECT ${sample.join(', ')} FROM differing ORDER BY ${order.join(', ')} LIMIT ${q.samples})
  SELECT counts.*, ${shown.map((c) => `samples.${c}`).join(', ')}
  FROM counts LEFT JOIN samples ON TRUE ORDER BY ${order.map((c) => `samples.${c}`).join(', ')}`;
}

export function rowCountsSql(baseTable: string | undefined, changedTable: string | undefined): string {
  const count = (table: string | undefined) => (table ? `(SELECT COUNT(*) FROM ${table})` : 'NULL');
  return `SELECT ${count(baseTable)} AS base_rows, ${count(changedTable)} AS changed_rows`;
}

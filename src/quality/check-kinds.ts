// Check kinds, keyed by kind. Each one names itself, says which columns it reads and gives the SQL that
// returns its failing rows (none means it passes). A row-level kind's failing rows are rows of the table, so
// they can be sampled, limited to new rows and counted against the table's size; a table-level kind's are
// not (groups of duplicates, one row that says the count is out of bounds).
import type { CheckSpec } from '../config/types.js';
import { InvariantError } from '../errors.js';
import { snowflakeString } from '../sql/tokenize.js';
import { ident, sqlString } from '../warehouse/adapter.js';
import { anomalyCheckName, anomalyMeasureSql } from './anomaly/check.js';

export type CheckLevel = 'row' | 'table';

export interface CheckKind<S extends CheckSpec = CheckSpec> {
  level: CheckLevel;
  /** A readable name, e.g. "not_null(transaction_id)". */
  label(spec: S): string;
  /** The table's columns it reads, for validation. */
  columns(spec: S): string[];
  /** The Snowflake SELECT that returns the failing rows of `table`. `quote` makes a string literal. */
  failingRowsSql(table: string, spec: S, quote: (value: string) => string): string;
  /**
   * The Snowflake condition that is true on a failing row of the table (its columns unqualified), where the
   * failing rows are exactly the table's rows where it holds: such checks are counted together, in one scan.
   */
  failingRowCondition?(spec: S, quote: (value: string) => string, textColumns?: ReadonlySet<string>): string;
  /** The column whose offending values make a failure's message actionable, if any. */
  exampleColumn?(spec: S): string | undefined;
}

type Kinds = { [K in CheckSpec['kind']]: CheckKind<Extract<CheckSpec, { kind: K }>> };

const CHECKS: Kinds = {
  not_null: {
    level: 'row',
    label: (s) => `not_null(${s.columns.join(', ')})`,
    columns: (s) => s.columns,
    failingRowsSql: (table, s, quote) => whereFailing(table, CHECKS.not_null.failingRowCondition!(s, quote)),
    failingRowCondition: (s) => s.columns.map((c) => `${ident(c)} IS NULL`).join(' OR '),
  },

  unique: {
    level: 'table',
    label: (s) => `unique(${s.columns.join(', ')})`,
    columns: (s) => s.columns,
    failingRowsSql: (table, s) => {
      const cols = s.columns.map(ident).join(', ');
      return `SELECT ${cols}, COUNT(*) AS copies FROM ${table} WHERE ${s.columns.map((c) => `${ident(c)} IS NOT NULL`).join(' AND ')} GROUP BY ${cols} HAVING COUNT(*) > 1`;
    },
    exampleColumn: (s) => (s.columns.length === 1 ? s.columns[0] : undefined),
  },

  accepted_values: {
    level: 'row',
    label: (s) => `accepted_values(${s.column})`,
    columns: (s) => [s.column],
    failingRowsSql: (table, s, quote) => whereFailing(table, CHECKS.accepted_values.failingRowCondition!(s, quote)),
    failingRowCondition: (s, quote) =>
      `${ident(s.column)} IS NOT NULL AND ${ident(s.column)} NOT IN (${s.values.map((v) => (typeof v === 'string' ? quote(v) : String(v))).join(', ')})`,
    exampleColumn: (s) => s.column,
  },

  range: {
    level: 'row',
    label: (s) => `range(${s.column}${s.min !== undefined ? ` >= ${s.min}` : ''}${s.max !== undefined ? ` <= ${s.max}` : ''})`,
    columns: (s) => [s.column],
    failingRowsSql: (table, s, quote) => whereFailing(table, CHECKS.range.failingRowCondition!(s, quote)),
    failingRowCondition: (s) => {
      const bounds = [
        s.min !== undefined ? `${ident(s.column)} < ${s.min}` : undefined,
        s.max !== undefined ? `${ident(s.column)} > ${s.max}` : undefined,
      ].filter(Boolean);
      return bounds.length ? bounds.join(' OR ') : 'FALSE';
    },
    exampleColumn: (s) => s.column,
  },

  relationships: {
    level: 'row',
    label: (s) => `relationships(${s.column} -> ${s.to.table}.${s.to.column})`,
    columns: (s) => [s.column],
    failingRowsSql: (table, s) =>
      `SELECT c.* FROM ${table} AS c WHERE c.${ident(s.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${s.to.table} AS p WHERE p.${ident(s.to.column)} = c.${ident(s.column)})`,
    // The same rows as NOT EXISTS: the parent's NULL keys are left out, since NOT IN a list with a NULL is never true.
    failingRowCondition: (s) =>
      `${ident(s.column)} IS NOT NULL AND ${ident(s.column)} NOT IN (SELECT p.${ident(s.to.column)} FROM ${s.to.table} AS p WHERE p.${ident(s.to.column)} IS NOT NULL)`,
    exampleColumn: (s) => s.column,
  },

  row_count: {
    level: 'table',
    label: (s) => `row_count(${s.min ?? 0}..${s.max ?? '∞'})`,
    columns: () => [],
    failingRowsSql: (table, s) => {
      const bounds = [s.min !== undefined ? `COUNT(*) < ${s.min}` : undefined, s.max !== undefined ? `COUNT(*) > ${s.max}` : undefined].filter(Boolean);
      return `SELECT COUNT(*) AS row_count FROM ${table} HAVING ${bounds.length ? bounds.join(' OR ') : 'FALSE'}`;
    },
  },

  pattern: {
    level: 'row',
    label: (s) => `pattern(${s.column} ~ ${s.regex})`,
    columns: (s) => [s.column],
    // Snowflake's REGEXP_LIKE matches the whole text; the translation keeps that on DuckDB.
    failingRowsSql: (table, s, quote) => whereFailing(table, CHECKS.pattern.failingRowCondition!(s, quote)),
    // A text column needs no cast, and a cast costs on DuckDB (the text of a date or time follows Snowflake's format).
    failingRowCondition: (s, quote, textColumns) =>
      `${ident(s.column)} IS NOT NULL AND NOT REGEXP_LIKE(${textColumns?.has(s.column.toLowerCase()) ? ident(s.column) : `CAST(${ident(s.column)} AS VARCHAR)`}, ${quote(s.regex)})`,
    exampleColumn: (s) => s.column,
  },

  expression: {
    level: 'row',
    label: (s) => `expression(${s.expression})`,
    columns: () => [],
    failingRowsSql: (table, s, quote) => whereFailing(table, CHECKS.expression.failingRowCondition!(s, quote)),
    failingRowCondition: (s) => `NOT (${s.expression})`,
  },

  sql: {
    level: 'row',
    label: (s) => `sql(${s.name})`,
    columns: () => [],
    failingRowsSql: (_table, s) => s.select,
  },

  // Judged, not counted: src/quality/anomaly/check.ts measures the metric and compares it with its history.
  // Its "SQL" is what measures the metric now, to copy; it returns one row whatever the verdict.
  anomaly: {
    level: 'table',
    label: anomalyCheckName,
    columns: (s) => (s.column ? [s.column] : []),
    failingRowsSql: anomalyMeasureSql,
  },
};

function whereFailing(table: string, condition: string): string {
  return `SELECT * FROM ${table} WHERE ${condition}`;
}

/** The kinds a check in a pipeline file may have (a custom SQL check is a file of its own). */
export const CHECK_KINDS = Object.keys(CHECKS).filter((k) => k !== 'sql') as Array<Exclude<CheckSpec['kind'], 'sql'>>;

export function checkKind<S extends CheckSpec>(spec: S): CheckKind<S> {
  const kind = (CHECKS as Record<string, CheckKind<never> | undefined>)[spec.kind];
  if (!kind) throw new InvariantError(`unknown check kind "${spec.kind}" (expected one of: ${CHECK_KINDS.join(', ')})`);
  return kind as unknown as CheckKind<S>;
}

export function checkName(spec: CheckSpec): string {
  return checkKind(spec).label(spec);
}

/** The Snowflake SQL that returns this check's failing rows (run through the warehouse's translation). */
export function failingRowsSql(table: string, spec: CheckSpec, quote: (value: string) => string = snowflakeString): string {
  return checkKind(spec).failingRowsSql(table, spec, quote);
}

export function checkColumns(spec: CheckSpec): string[] {
  return checkKind(spec).columns(spec);
}

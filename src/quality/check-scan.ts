// Counting checks cheaply before each is judged. The row-level checks of one table (and one scope) are
// counted together in one scan, one COUNT_IF per check; a single-column unique check on integers is proved
// on DuckDB with a bitmap of the values instead of a GROUP BY. Whatever cannot be counted this way (or
// fails to) is left out, and runCheck counts it on its own as before: the results are the same either way.
import type { DeclaredCheck } from '../config/types.js';
import { snowflakeString } from '../sql/tokenize.js';
import { ident, type Warehouse } from '../warehouse/adapter.js';
import { isAnomaly } from './anomaly/check.js';
import { checkKind } from './check-kinds.js';

export interface CheckCount {
  failing: number;
  /** The rows the check looked at: the table's, or the run's new rows for scope: new. */
  tableRows: number;
}

/**
 * The rows a check looks at, as a table name or a parenthesised SELECT: a table that keeps history only its
 * current rows (as its readers see it); with `newInRun`, only the rows that run's batches wrote (a silver
 * table keeps the batch that last wrote each row).
 */
export function checkedRows(table: string, how: { current: boolean; newInRun?: string }, quote: (value: string) => string = snowflakeString): string {
  const current = how.current ? `(SELECT * FROM ${table} WHERE is_current)` : table;
  if (how.newInRun === undefined) return current;
  return `(SELECT * FROM ${current} AS c WHERE _batch_id IN (SELECT batch_id FROM meta.batches WHERE run_id = ${quote(how.newInRun)}))`;
}

/** A bitmap of distinct integers costs one bit per value of the range, in each thread: at most 16 MB here. */
const MAX_BITMAP_RANGE = 2 ** 27;

/** Counts of the checks that could be counted up front; the others are absent. */
export async function countChecks(
  warehouse: Warehouse,
  checks: readonly DeclaredCheck[],
  runId: string,
  keepsHistory: (table: string) => boolean = () => false,
): Promise<Map<DeclaredCheck, CheckCount>> {
  const counts = new Map<DeclaredCheck, CheckCount>();
  const groups = new Map<string, DeclaredCheck[]>();
  for (const check of checks) {
    if (isAnomaly(check)) continue;
    const kind = checkKind(check.spec);
    if (kind.level !== 'row' || !kind.failingRowCondition) continue;
    const scoped = check.scope === 'new';
    // A condition that does not translate is left to runCheck, which says why it cannot run.
    if (hasError(warehouse, `SELECT COUNT_IF(${kind.failingRowCondition(check.spec, snowflakeString)}) FROM ${check.table}`, check)) continue;
    const key = `${check.table}\u0000${scoped}`;
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  // A table's text columns are read once, however many scopes its checks are counted in.
  const textColumnsOf = new Map<string, Promise<Set<string>>>();
  for (const group of groups.values()) {
    const { table } = group[0];
    if (!textColumnsOf.has(table)) textColumnsOf.set(table, textColumns(warehouse, table));
    for (const [check, count] of await countRowChecks(warehouse, group, runId, keepsHistory(table), await textColumnsOf.get(table)!)) counts.set(check, count);
  }
  if (warehouse.dialect.distinctIntegers) {
    for (const check of checks) {
      if (check.spec.kind !== 'unique' || check.spec.columns.length !== 1) continue;
      const count = await provedUnique(warehouse, checkedRows(check.table, { current: keepsHistory(check.table) }), check.spec.columns[0]);
      if (count) counts.set(check, count);
    }
  }
  return counts;
}

function hasError(warehouse: Warehouse, snowflakeSql: string, check: DeclaredCheck): boolean {
  return warehouse.translate(snowflakeSql, check.file).diagnostics.some((d) => d.severity === 'error');
}

/** One scan of the table (or its new rows) for all of the group's checks; none when it fails. */
async function countRowChecks(warehouse: Warehouse, group: DeclaredCheck[], runId: string, current: boolean, text: Set<string>): Promise<Map<DeclaredCheck, CheckCount>> {
  const { table, scope, file } = group[0];
  const failing = group.map((c, i) => `COUNT_IF(${checkKind(c.spec).failingRowCondition!(c.spec, snowflakeString, text)}) AS failing_${i}`);
  const from = `${checkedRows(table, { current, ...(scope === 'new' ? { newInRun: runId } : {}) })} AS looked`;
  const translated = warehouse.translate(`SELECT COUNT(*) AS looked_rows, ${failing.join(', ')} FROM ${from}`, file);
  if (translated.diagnostics.some((d) => d.severity === 'error')) return new Map();
  let row: Record<string, unknown> | undefined;
  try {
    [row] = await warehouse.query<Record<string, unknown>>(translated.sql);
  } catch {
    return new Map(); // e.g. an expression that fails on some row: each check then runs, and fails, alone.
  }
  const lower = Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return new Map(group.map((c, i) => [c, { failing: Number(lower[`failing_${i}`] ?? 0), tableRows: Number(lower.looked_rows ?? 0) }]));
}

/** The table's text columns (lower case), or none when they cannot be read. */
async function textColumns(warehouse: Warehouse, table: string): Promise<Set<string>> {
  const [schema, name] = table.split('.');
  if (!name) return new Set();
  try {
    const columns = await warehouse.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE lower(table_schema) = ${warehouse.dialect.quote(schema.toLowerCase())} AND lower(table_name) = ${warehouse.dialect.quote(name.toLowerCase())}`,
    );
    return new Set(columns.filter((c) => /^(VARCHAR|TEXT|STRING)\b/i.test(String(c.data_type))).map((c) => String(c.column_name).toLowerCase()));
  } catch {
    return new Set();
  }
}

/**
 * A unique column without duplicates has as many distinct values as non-NULL ones. On integers in a range
 * small enough for a bitmap, that is counted without hashing each value. Duplicates (or any other column)
 * go to the GROUP BY that counts and samples them.
 */
async function provedUnique(warehouse: Warehouse, rows: string, column: string): Promise<CheckCount | undefined> {
  try {
    const [bounds] = await warehouse.query<{ lo: unknown; hi: unknown; n: unknown; all_rows: unknown }>(
      `SELECT MIN(${ident(column)}) AS lo, MAX(${ident(column)}) AS hi, COUNT(${ident(column)}) AS n, COUNT(*) AS all_rows FROM ${rows}`,
    );
    const tableRows = Number(bounds.all_rows);
    if (Number(bounds.n) === 0) return { failing: 0, tableRows };
    const integral = (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
    if (!integral(bounds.lo) || !integral(bounds.hi)) return undefined;
    const lo = BigInt(bounds.lo as number | bigint);
    const hi = BigInt(bounds.hi as number | bigint);
    if (hi - lo >= BigInt(MAX_BITMAP_RANGE)) return undefined;
    const [{ distinct_values: distinct }] = await warehouse.query<{ distinct_values: unknown }>(`SELECT ${warehouse.dialect.distinctIntegers!(ident(column), lo, hi)} AS distinct_values FROM ${rows}`);
    return Number(distinct) === Number(bounds.n) ? { failing: 0, tableRows } : undefined;
  } catch {
    return undefined; // not an integer type after all (e.g. a DECIMAL): the GROUP BY decides.
  }
}

// What a change does to the data: a table on the changed side (a pull request's copy of the warehouse)
// against the same table on the base side (production), compared inside the warehouse. The base side is
// read through the changed side's connection: on DuckDB the base file is attached read-only under an
// alias, on Snowflake it is another database of the same account. Only counts and samples come back.
import { UsageError, WarehouseError } from '../errors.js';
import { quoteIdent, type Warehouse } from '../warehouse/adapter.js';
import {
  comparable,
  diffDialectFor,
  keyedDiffSql,
  keyStatsSql,
  rowCountsSql,
  SAMPLE_VALUE_CHARS,
  wholeRowDiffSql,
  type ColumnRow,
  type KeyedDiffSql,
  type SharedColumn,
  type TableName,
} from './diff-sql.js';

/** Columns the engine writes about a load, not data: left out of the row comparison unless asked. */
export const META_COLUMNS = ['_loaded_at', '_batch_id', '_record_hash'] as const;

export const DEFAULT_SAMPLES = 5;

/** How the changed side's SQL names the base side: the DuckDB alias of the attached file, or the Snowflake database. */
export interface DiffBase {
  /** The catalog as stored (DuckDB: the alias; Snowflake: the database name, upper-case when unquoted). */
  catalog: string;
}

export interface TableToDiff {
  /** schema.table */
  table: string;
  /** Columns that identify a row; without one, rows are compared whole. */
  key?: readonly string[];
  /**
   * The base declares no such table (the change adds it): compared as new, whatever the base side holds
   * (on DuckDB, a copy of the pull request's own earlier build).
   */
  newInChange?: boolean;
}

export interface DiffOptions {
  /** Changed rows shown per table, with before and after (default 5). */
  samples?: number;
  /** Columns left out of the row comparison (default: the engine's meta columns). */
  ignoreColumns?: readonly string[];
}

export interface ColumnType {
  column: string;
  type: string;
}

export interface Retype {
  column: string;
  base_type: string;
  changed_type: string;
}

export interface DuplicateKeys {
  /** Key values that appear more than once. */
  keys: number;
  /** The rows that hold them. */
  rows: number;
}

export type DiffSample =
  /** A row on both sides whose values differ: its key, and each changed column before and after. */
  | { kind: 'changed'; key: Record<string, string | null>; changes: Array<{ column: string; before: string | null; after: string | null }> }
  /** Tables without a key: a whole row found more times on one side, `copies` more times. */
  | { kind: 'added' | 'removed'; row: Record<string, string | null>; copies: number };

/** The JSON of `dataops diff --json` (README: "Comparing a pull request with production"). */
export interface TableDiff {
  table: string;
  /** The key rows were matched by; null: compared as whole rows. */
  key: string[] | null;
  exists: { base: boolean; changed: boolean };
  rows: { base: number | null; changed: number | null };
  schema: { added: ColumnType[]; removed: ColumnType[]; retyped: Retype[] };
  /** Columns compared row by row: on both sides, not in the key, not ignored. */
  compared_columns: string[];
  /** Columns on both sides left out of the comparison (the engine's meta columns). */
  ignored_columns: string[];
  /** Rows only on the changed side (keyed: keys only there). */
  rows_added: number;
  /** Rows only on the base side. */
  rows_removed: number;
  /** Keyed: rows on both sides with a compared column that differs; null without a key. */
  rows_changed: number | null;
  /** Rows on both sides that are the same in every compared column. */
  rows_unchanged: number | null;
  /** Keyed: per compared column, the rows whose value differs; null without a key. */
  column_changes: Record<string, number> | null;
  /** Keyed: key values found more than once per side; their rows are left out of the comparison. */
  duplicate_keys: { base: DuplicateKeys; changed: DuplicateKeys } | null;
  /** Keyed: rows with a NULL in a key column per side; left out of the comparison. */
  null_keys: { base: number; changed: number } | null;
  samples: DiffSample[];
  /** What the figures leave out, and why, in words. */
  notes: string[];
  /** Anything differs: the table's presence, its columns, or its rows. */
  differs: boolean;
  /** Why the rows could not be compared (the counts are then left at zero); null when they were. */
  error: string | null;
}

interface SideColumn {
  /** As stored in information_schema (quoted as is in SQL). */
  stored: string;
  type: string;
}

/** A side's columns by lower-case name, in table order. */
type SideColumns = Map<string, SideColumn>;

/** A table on one side: its schema and name as stored (Snowflake keeps unquoted names upper-case), and its columns. */
interface SideTable {
  stored: TableName;
  columns: SideColumns;
}

/** Parses schema.table; both parts plain identifiers. */
export function parseTableName(name: string): TableName {
  const match = /^([A-Za-z_][A-Za-z0-9_$]*)\.([A-Za-z_][A-Za-z0-9_$]*)$/.exec(name);
  if (!match) throw new UsageError(`table "${name}": expected schema.table (e.g. silver.transactions), each a plain identifier`);
  return { schema: match[1], table: match[2] };
}

/**
 * Compares each table of the changed side (the warehouse's own database) with the base side's, in SQL
 * inside the warehouse: row counts, schema changes, and with a key the rows added, removed and changed
 * and per-column change counts; without one, rows compared whole as multisets. Tables in `tables` order.
 */
export async function diffTables(warehouse: Warehouse, base: DiffBase, tables: readonly TableToDiff[], options: DiffOptions = {}): Promise<TableDiff[]> {
  const dialect = diffDialectFor(warehouse.kind);
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 0) throw new UsageError(`samples: expected a whole number of 0 or more, got ${samples}`);
  const ignore = new Set((options.ignoreColumns ?? META_COLUMNS).map((c) => c.toLowerCase()));
  const names = tables.map((t) => parseTableName(t.table));
  // One connection runs one statement at a time.
  const baseColumns = await readColumns(warehouse, dialect.columnsSql(base.catalog, names), `the base database ${base.catalog}`, dialect.typeOf);
  const changedColumns = await readColumns(warehouse, dialect.columnsSql(undefined, names), 'the changed database', dialect.typeOf);
  const out: TableDiff[] = [];
  for (const [i, request] of tables.entries()) {
    const id = `${names[i].schema}.${names[i].table}`.toLowerCase();
    const sides = { base: request.newInChange ? undefined : baseColumns.get(id), changed: changedColumns.get(id) };
    const diff = await diffTable(warehouse, { request, base, sides, samples, ignore, materializedCte: dialect.materializedCte });
    out.push(diff);
  }
  return out;
}

async function readColumns(warehouse: Warehouse, sql: string, what: string, typeOf: (row: ColumnRow) => string): Promise<Map<string, SideTable>> {
  let rows: ColumnRow[];
  try {
    rows = await warehouse.query<ColumnRow>(sql);
  } catch (e) {
    throw new WarehouseError(`cannot read the columns of ${what}: ${(e as Error).message.split('\n')[0]}`);
  }
  const tables = new Map<string, SideTable>();
  for (const row of rows.sort((a, b) => Number(a.ordinal_position) - Number(b.ordinal_position))) {
    const id = `${row.table_schema}.${row.table_name}`.toLowerCase();
    let table = tables.get(id);
    if (!table) tables.set(id, (table = { stored: { schema: row.table_schema, table: row.table_name }, columns: new Map() }));
    const name = row.column_name.toLowerCase();
    // Two columns whose names differ only in case (quoted on Snowflake): the first is compared.
    if (!table.columns.has(name)) table.columns.set(name, { stored: row.column_name, type: typeOf(row) });
  }
  return tables;
}

interface TableJob {
  request: TableToDiff;
  base: DiffBase;
  sides: { base?: SideTable; changed?: SideTable };
  samples: number;
  ignore: Set<string>;
  materializedCte: string;
}

async function diffTable(warehouse: Warehouse, job: TableJob): Promise<TableDiff> {
  const { request } = job;
  const sides = { base: job.sides.base?.columns, changed: job.sides.changed?.columns };
  const name = parseTableName(request.table);
  const qualified = (t: TableName) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
  const ref = {
    base: `${quoteIdent(job.base.catalog)}.${qualified(job.sides.base?.stored ?? name)}`,
    changed: qualified(job.sides.changed?.stored ?? name),
  };
  const requestedKey = request.key?.length ? request.key.map((k) => k.toLowerCase()) : null;
  const fresh = (): TableDiff => ({
    table: request.table,
    key: requestedKey,
    exists: { base: sides.base !== undefined, changed: sides.changed !== undefined },
    rows: { base: null, changed: null },
    schema: schemaChanges(sides.base, sides.changed),
    compared_columns: [],
    ignored_columns: [],
    rows_added: 0,
    rows_removed: 0,
    rows_changed: requestedKey ? 0 : null,
    rows_unchanged: 0,
    column_changes: requestedKey ? {} : null,
    duplicate_keys: null,
    null_keys: null,
    samples: [],
    notes: [],
    differs: false,
    error: null,
  });
  const diff = fresh();
  try {
    await compareTable(warehouse, diff, { ...job, ref, requestedKey });
    return diff;
  } catch (e) {
    // One table the warehouse cannot compare (a type it cannot group, say) does not hide the others.
    if (!(e instanceof WarehouseError)) throw e;
    const failed = fresh();
    failed.error = `could not compare ${request.table}: ${e.message.split('\n')[0]}`;
    failed.differs = failed.exists.base !== failed.exists.changed || schemaDiffers(failed);
    return failed;
  }
}

function schemaDiffers(diff: TableDiff): boolean {
  return diff.schema.added.length + diff.schema.removed.length + diff.schema.retyped.length > 0;
}

async function compareTable(
  warehouse: Warehouse,
  diff: TableDiff,
  job: TableJob & { ref: { base: string; changed: string }; requestedKey: string[] | null },
): Promise<void> {
  const { ref, requestedKey } = job;
  const sides = { base: job.sides.base?.columns, changed: job.sides.changed?.columns };
  if (!sides.base || !sides.changed) {
    const [counts] = await warehouse.query(rowCountsSql(sides.base && ref.base, sides.changed && ref.changed));
    diff.rows = { base: countOrNull(counts.base_rows), changed: countOrNull(counts.changed_rows) };
    diff.rows_added = diff.rows.changed ?? 0;
    diff.rows_removed = diff.rows.base ?? 0;
    diff.notes.push(sides.changed ? 'new table: only on the changed side' : sides.base ? 'dropped: only on the base side' : 'on neither side');
    diff.differs = diff.exists.base !== diff.exists.changed;
    return;
  }

  const shared = [...sides.changed.keys()].filter((c) => sides.base!.has(c));
  const missingKey = requestedKey?.filter((k) => !shared.includes(k)) ?? [];
  const key = missingKey.length ? null : requestedKey;
  if (requestedKey && missingKey.length) {
    const where = missingKey.map((k) => `${k} (${sides.base!.has(k) ? 'not on the changed side' : sides.changed!.has(k) ? 'not on the base side' : 'on neither side'})`);
    diff.notes.push(`key column ${where.join(', ')}: rows compared whole instead`);
    diff.key = null;
    diff.rows_changed = null;
    diff.column_changes = null;
  }
  diff.ignored_columns = shared.filter((c) => job.ignore.has(c) && !key?.includes(c));
  diff.compared_columns = shared.filter((c) => !job.ignore.has(c) && !key?.includes(c));
  const addedOrRemoved = diff.schema.added.length + diff.schema.removed.length;
  if (addedOrRemoved) diff.notes.push(`compared on the ${diff.compared_columns.length} shared column${diff.compared_columns.length === 1 ? '' : 's'}: added and removed columns are left out of the row comparison`);
  const pair = (c: string): SharedColumn => {
    const [b, ch] = [sides.base!.get(c)!, sides.changed!.get(c)!];
    return comparable({ ref: quoteIdent(b.stored), type: b.type }, { ref: quoteIdent(ch.stored), type: ch.type });
  };
  const columns = diff.compared_columns.map(pair);
  if (key) await keyedDiff(warehouse, diff, { ref, key: key.map(pair), keyNames: key, columns, samples: job.samples, materializedCte: job.materializedCte, sides });
  else await wholeRowDiff(warehouse, diff, { ref, columns, samples: job.samples, materializedCte: job.materializedCte });
  diff.differs = schemaDiffers(diff) || diff.rows_added + diff.rows_removed + (diff.rows_changed ?? 0) > 0;
}

function schemaChanges(base: SideColumns | undefined, changed: SideColumns | undefined): TableDiff['schema'] {
  const out: TableDiff['schema'] = { added: [], removed: [], retyped: [] };
  if (!base || !changed) return out;
  for (const [column, c] of changed) {
    const b = base.get(column);
    if (!b) out.added.push({ column, type: c.type });
    else if (b.type !== c.type) out.retyped.push({ column, base_type: b.type, changed_type: c.type });
  }
  for (const [column, b] of base) if (!changed.has(column)) out.removed.push({ column, type: b.type });
  return out;
}

interface KeyedJob {
  ref: { base: string; changed: string };
  key: SharedColumn[];
  keyNames: string[];
  columns: SharedColumn[];
  samples: number;
  materializedCte: string;
  sides: { base?: SideColumns; changed?: SideColumns };
}

async function keyedDiff(warehouse: Warehouse, diff: TableDiff, job: KeyedJob): Promise<void> {
  const raw = (side: SideColumns, k: string) => quoteIdent(side.get(k)!.stored);
  const [stats] = await warehouse.query(
    keyStatsSql(job.ref.base, job.ref.changed, job.keyNames.map((k) => raw(job.sides.base!, k)), job.keyNames.map((k) => raw(job.sides.changed!, k))),
  );
  const n = (v: unknown) => Number(v ?? 0);
  const baseRows = n(stats.base_rows);
  diff.rows = { base: baseRows, changed: n(stats.changed_rows) };
  diff.null_keys = { base: n(stats.base_null_keys), changed: n(stats.changed_null_keys) };
  diff.duplicate_keys = {
    base: { keys: n(stats.base_dup_keys), rows: n(stats.base_dup_rows) },
    changed: { keys: n(stats.changed_dup_keys), rows: n(stats.changed_dup_rows) },
  };
  const excludeDuplicates = diff.duplicate_keys.base.keys + diff.duplicate_keys.changed.keys > 0;
  const sql: KeyedDiffSql = {
    baseTable: job.ref.base,
    changedTable: job.ref.changed,
    key: job.key,
    columns: job.columns,
    excludeDuplicates,
    samples: job.samples,
    materializedCte: job.materializedCte,
  };
  const rows = await warehouse.query(keyedDiffSql(sql));
  const counts = rows[0];
  diff.rows_added = n(counts.added);
  diff.rows_removed = n(counts.removed);
  diff.rows_changed = n(counts.changed);
  diff.column_changes = Object.fromEntries(diff.compared_columns.map((c, i) => [c, n(counts[`n${i}`])]));
  if (excludeDuplicates) {
    const { base, changed } = diff.duplicate_keys;
    diff.notes.push(
      `duplicate keys: ${describeDuplicates(base)} on the base side, ${describeDuplicates(changed)} on the changed side; ` +
        `the rows of a key duplicated on either side (${n(counts.base_left_out)} on the base side, ${n(counts.changed_left_out)} on the changed side) are left out of the comparison`,
    );
  }
  if (diff.null_keys.base + diff.null_keys.changed > 0) {
    diff.notes.push(`rows with a NULL key (${diff.null_keys.base} on the base side, ${diff.null_keys.changed} on the changed side) are left out of the comparison`);
  }
  diff.rows_unchanged = baseRows - diff.null_keys.base - n(counts.base_left_out) - diff.rows_removed - diff.rows_changed;
  diff.samples = rows
    .filter((row) => row.sk0 !== null && row.sk0 !== undefined)
    .map((row) => ({
      kind: 'changed' as const,
      key: Object.fromEntries(job.keyNames.map((k, i) => [k, sampleValue(row[`sk${i}`])])),
      changes: diff.compared_columns.flatMap((column, i) => (truthy(row[`sd${i}`]) ? [{ column, before: sampleValue(row[`sb${i}`]), after: sampleValue(row[`sc${i}`]) }] : [])),
    }));
}

function describeDuplicates(d: DuplicateKeys): string {
  return d.keys === 0 ? 'none' : `${d.keys} key${d.keys === 1 ? '' : 's'} in ${d.rows} rows`;
}

async function wholeRowDiff(
  warehouse: Warehouse,
  diff: TableDiff,
  job: { ref: { base: string; changed: string }; columns: SharedColumn[]; samples: number; materializedCte: string },
): Promise<void> {
  const [counts] = await warehouse.query(rowCountsSql(job.ref.base, job.ref.changed));
  const baseRows = Number(counts.base_rows);
  diff.rows = { base: baseRows, changed: Number(counts.changed_rows) };
  const rows = await warehouse.query(
    wholeRowDiffSql({ baseTable: job.ref.base, changedTable: job.ref.changed, columns: job.columns, samples: job.samples, materializedCte: job.materializedCte }),
  );
  diff.rows_added = Number(rows[0].added ?? 0);
  diff.rows_removed = Number(rows[0].removed ?? 0);
  diff.rows_unchanged = baseRows - diff.rows_removed;
  diff.notes.push('without a key, rows are compared whole: a changed row counts as one removed and one added');
  diff.samples = rows
    .filter((row) => row.s_nb !== null && row.s_nb !== undefined)
    .map((row) => {
      const nb = Number(row.s_nb);
      const nc = Number(row.s_nc);
      return {
        kind: nc > nb ? ('added' as const) : ('removed' as const),
        row: Object.fromEntries(diff.compared_columns.map((c, i) => [c, sampleValue(row[`sv${i}`])])),
        copies: Math.abs(nc - nb),
      };
    });
}

function countOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Snowflake returns booleans as booleans, DuckDB too; a driver that returns text or 0/1 is read the same. */
function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === 'TRUE' || value === '1';
}

/** Text cut in the warehouse to SAMPLE_VALUE_CHARS + 1 characters: one more than that means it went on. */
function sampleValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  return text.length > SAMPLE_VALUE_CHARS ? `${text.slice(0, SAMPLE_VALUE_CHARS)}…` : text;
}


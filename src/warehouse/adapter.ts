// What the engine needs from a warehouse. Engines stay small: the differences live in capability
// flags and in the Dialect that renders the few SQL fragments that are spelled differently.

import type { Diagnostic } from '../errors.js';
import type { TranslatedStatement } from '../sql/translate.js';

export type Row = Record<string, unknown>;

export interface Capabilities {
  /** MERGE INTO ... WHEN MATCHED / NOT MATCHED. */
  merge: boolean;
  /** Reads an attached database file read-only (the local stand-in for a share). */
  attachReadOnly: boolean;
  /**
   * Only one process at a time has the database open (DuckDB's file lock), so runs are serialised
   * already; without it, runs take a lock per pipeline in meta.locks (src/state/run-lock.ts).
   */
  exclusiveWriter: boolean;
  /**
   * Keeps files in the warehouse itself (an internal stage: PUT, GET, LIST, REMOVE). Landing files are
   * kept there, so that a replay on another machine finds them (src/ingest/landing-stage.ts).
   */
  fileStage: boolean;
}

export interface Dialect {
  /** The text at a JSON path (no JSON quotes), or NULL when absent or JSON null. */
  jsonText(json: string, path: string[]): string;
  /** The JSON value at a path. */
  jsonValue(json: string, path: string[]): string;
  /**
   * A lateral join over the elements of the JSON array at `path` (used by `explode`): the FROM-clause
   * fragment, and expressions for each element's 0-based index and its value.
   */
  explode(json: string, path: string[], alias: string): { join: string; index: string; value: string };
  /** Number of elements when the value at `path` is a JSON array, else NULL. */
  arrayLength(json: string, path: string[]): string;
  /** The warehouse type for a column type of the pipeline file (string, integer, decimal(12,2)...). */
  columnType(type: string): string;
  /** NULL when the text does not convert to the column type (never an error). */
  tryConvert(text: string, type: string): string;
  /** Joins the non-NULL texts with commas; '' when all are NULL. */
  joinNonNull(exprs: string[]): string;
  jsonType: string;
  /** Whole-string regular-expression match. */
  regexpFullMatch(expr: string, pattern: string): string;
  timestampType: string;
  /**
   * A string constant. Use it for text that comes from users or data (check values, messages):
   * Snowflake reads backslash escapes inside '...', DuckDB does not.
   */
  quote(value: string): string;
  /** Seconds since the Unix epoch of a timestamp, as a number. */
  epochSeconds(expr: string): string;
  /** Current time as the timestamp type, UTC. */
  now: string;
  /** A timestamp expression plus a whole number of seconds (negative: minus). */
  plusSeconds(expr: string, seconds: number): string;
  /**
   * An aggregate: the number of distinct values of an integer column whose values lie in [lo, hi], counted
   * in a bitmap (no hashing). Absent where the warehouse has no such aggregate.
   */
  distinctIntegers?(column: string, lo: bigint, hi: bigint): string;
}

/** The batch a bronze append belongs to, and what its file holds. */
export interface BronzeAppend {
  batchId: string;
  source: string;
  fetchedAt: Date;
  /** An upper bound on the bytes of the file's longest record (a JSON reader sizes its buffers by it). */
  maxRecordBytes?: number;
  /**
   * Exact copies are looked for among the bronze rows fetched at or after this time (all of bronze when
   * unset). Rows arrive in fetch order, so both warehouses skip older blocks by their min/max fetch time:
   * the check costs about the recent rows, not the whole table.
   */
  copiesSince?: Date;
}

export interface Warehouse {
  readonly kind: string;
  /** Human-readable location, e.g. the DuckDB file path. */
  readonly location: string;
  readonly capabilities: Capabilities;
  readonly dialect: Dialect;
  /**
   * Turns Snowflake SQL written by users (models, `dataops sql`) into SQL this warehouse runs with the
   * same results; identity on Snowflake. Constructs outside the supported subset are diagnostics.
   */
  translate(snowflakeSql: string, file?: string): { sql: string; diagnostics: Diagnostic[]; statements?: TranslatedStatement[] };
  /** Runs one or more statements; returns the rows of the last one. */
  query<T = Row>(sql: string): Promise<T[]>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string): Promise<number>;
  /** Runs fn in a transaction: everything it did is committed, or none of it. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Appends a JSON-lines file of raw records to a bronze table in bulk, with the batch's metadata and
   * each record's hash (MD5 of its text). Records whose hash the table already holds, and repeats
   * within the file, are skipped. Returns the rows appended.
   */
  appendBronze(table: string, file: string, batch: BronzeAppend): Promise<number>;
  attachReadOnly(name: string, path: string): Promise<void>;
  /** Labels the statements that follow (Snowflake's QUERY_TAG), so a run's cost can be traced. */
  setQueryTag?(tag: string | undefined): void;
  tableExists(qualifiedName: string): Promise<boolean>;
  /**
   * Makes `replacement` (a table of the same schema) the table `table`, whose old rows are dropped, in
   * one step readers never see half of: a rebuild is made aside and put in place at once.
   */
  replaceTable(table: string, replacement: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Column names for a result's row objects, each once: a repeated name gets _2, _3, ... (the first name not
 * already taken by another column), so SELECT TO_DATE(x), DATE(x) keeps both columns instead of the second
 * overwriting the first.
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`) || seen.has(`${name}_${n}`)) n++;
    seen.add(`${name}_${n}`);
    return `${name}_${n}`;
  });
}

/** Quotes a string for SQL. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An instant as a timestamp of the warehouse (UTC, without a zone: both warehouses store UTC wall time). */
export function timestampLiteral(dialect: Dialect, at: Date): string {
  return `CAST(${sqlString(at.toISOString().replace('T', ' ').replace(/Z$/, ''))} AS ${dialect.timestampType})`;
}

/** Quotes an identifier that comes from user YAML (column names are validated, but be safe). */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an identifier exactly as stored (both warehouses read "..." the same way). */
export function quoteIdent(stored: string): string {
  return `"${stored.replace(/"/g, '""')}"`;
}

/** `dataops:<pipeline>:<run>`, within Snowflake's 2,000-character limit for QUERY_TAG. */
export function queryTagFor(pipeline: string, runId: string): string {
  return `dataops:${pipeline}:${runId}`.slice(0, 2000);
}

// The embedded default: one DuckDB file (or memory), one connection, Snowflake-style helpers as macros.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { WarehouseError } from '../errors.js';
import { ownRefusal } from '../sql/errors.js';
import { DUCKDB_SNOWFLAKE_MACROS, DUCKDB_SNOWFLAKE_SETTINGS } from '../sql/macros.js';
import { translateSnowflakeToDuckDB } from '../sql/translate.js';
import { sqlString, uniqueColumnNames, type BronzeAppend, type Dialect, type Row, type Warehouse } from './adapter.js';

function jsonPath(path: string[]): string {
  return sqlString('$' + path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `."${p.replace(/"/g, '\\"')}"`)).join(''));
}

function duckdbColumnType(type: string): string {
  const simple: Record<string, string> = {
    string: 'VARCHAR',
    integer: 'BIGINT',
    bigint: 'BIGINT',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
    json: 'JSON',
  };
  return simple[type] ?? type.toUpperCase();
}

export const duckdbDialect: Dialect = {
  jsonText: (json, path) => `json_extract_string(${json}, ${jsonPath(path)})`,
  jsonValue: (json, path) => `json_extract(${json}, ${jsonPath(path)})`,
  explode: (json, path, alias) => ({
    join: `CROSS JOIN json_each(${json}, ${jsonPath(path)}) AS ${alias}`,
    // json_each's row order is not stable; the index comes from the key, never from row order.
    index: `CAST(${alias}.key AS INTEGER)`,
    value: `${alias}.value`,
  }),
  arrayLength: (json, path) =>
    `CASE WHEN json_type(${json}, ${jsonPath(path)}) = 'ARRAY' THEN json_array_length(${json}, ${jsonPath(path)}) END`,
  columnType: duckdbColumnType,
  tryConvert: (text, type) => {
    // Through TIMESTAMPTZ so an offset such as +02:00 is applied, not dropped; the session is UTC.
    if (type === 'timestamp') return `TRY_CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP)`;
    if (type === 'json') return `TRY_CAST(${text} AS JSON)`;
    // 1e400 casts to inf (and 'nan' to nan); a double column holds finite numbers only, as JSON does.
    if (type === 'double') return `CASE WHEN isfinite(TRY_CAST(${text} AS DOUBLE)) THEN TRY_CAST(${text} AS DOUBLE) END`;
    // An integer past BIGINT's range does not cast (NULL), as on Snowflake's side.
    return `TRY_CAST(${text} AS ${duckdbColumnType(type)})`;
  },
  joinNonNull: (exprs) => (exprs.length ? `concat_ws(',', ${exprs.join(', ')})` : `''`),
  jsonType: 'JSON',
  regexpFullMatch: (expr, pattern) => `regexp_full_match(${expr}, ${sqlString(pattern)})`,
  timestampType: 'TIMESTAMP',
  quote: sqlString,
  epochSeconds: (expr) => `epoch(${expr})`,
  now: `CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)`,
  plusSeconds: (expr, seconds) => `(${expr} + to_seconds(${Math.trunc(seconds)}))`,
  distinctIntegers: (column, lo, hi) => `bit_count(bitstring_agg(${column}, ${lo}, ${hi}))`,
};

/** Another process has the file open: DuckDB allows one process per file, even read-only next to a writer. */
export class DuckDBFileLockedError extends WarehouseError {
  override name = 'DuckDBFileLockedError';
  constructor(
    readonly path: string,
    /** The holder's pid and program, as DuckDB names them. */
    readonly holderPid?: number,
    readonly holderProgram?: string,
  ) {
    super(`cannot open DuckDB database ${path}: another process${holderPid ? ` (pid ${holderPid})` : ''} has it open`);
  }
}

export class DuckDBWarehouse implements Warehouse {
  readonly kind = 'duckdb';
  readonly capabilities = { merge: true, attachReadOnly: true, exclusiveWriter: true, fileStage: false };
  readonly dialect = duckdbDialect;
  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string, options: { memoryLimit?: string } = {}): Promise<DuckDBWarehouse> {
    // Loaded here, not at the top: actions bundles must not carry DuckDB unless the target is DuckDB.
    const { DuckDBInstance } = await import(/* webpackIgnore: true */ '@duckdb/node-api');
    let instance: DuckDBInstance;
    try {
      if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      const message = (e as Error).message.split('\n')[0];
      if (/Could not set lock on file/.test(message)) {
        const held = /held in (.+?) \(PID (\d+)\)/.exec(message);
        throw new DuckDBFileLockedError(path, held ? Number(held[2]) : undefined, held?.[1]);
      }
      throw new WarehouseError(`cannot open DuckDB database ${path}: ${message}`);
    }
    const connection = await instance.connect();
    const warehouse = new DuckDBWarehouse(path, instance, connection);
    // Snowflake's session behaviour (UTC, NULL ordering) and its functions, for translated SQL.
    for (const statement of [...DUCKDB_SNOWFLAKE_SETTINGS, ...DUCKDB_SNOWFLAKE_MACROS]) await warehouse.execute(statement);
    if (options.memoryLimit) await warehouse.execute(`SET memory_limit = ${sqlString(options.memoryLimit)}`);
    return warehouse;
  }

  translate(snowflakeSql: string, file?: string) {
    return translateSnowflakeToDuckDB(snowflakeSql, { file });
  }

  async query<T = Row>(sql: string): Promise<T[]> {
    const reader = await this.run(sql, () => this.connection.runAndReadAll(sql));
    const types = reader.columnTypes().map((t) => t.toString());
    // Columns with the same name (SELECT a, a) stay apart: a row object would keep only the last.
    const names = uniqueColumnNames(reader.columnNames());
    return reader.getRowsJS().map((values) => {
      const row: Row = {};
      values.forEach((v, i) => (row[names[i]] = toPlain(v, types[i])));
      return row as T;
    });
  }

  async execute(sql: string): Promise<number> {
    const result = await this.run(sql, () => this.connection.run(sql));
    return result.rowsChanged;
  }

  private depth = 0;
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // Nested calls join the outer transaction: DuckDB has no savepoints.
    if (this.depth > 0) return fn();
    this.depth++;
    await this.execute('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.execute('COMMIT');
      return result;
    } catch (e) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      this.depth--;
    }
  }

  /**
   * DISTINCT ON keeps one of each repeated record: measured faster than a row_number() window over the
   * hash (bench/README.md). The copies already in bronze are found by a semi join built on the file's
   * hashes and probed by a scan of the table's, so memory follows the file, not the table; that scan
   * reads only the row groups fetched since `copiesSince` (zone maps on _fetched_at). The JSON
   * reader allocates buffers of twice its maximum object size per thread, so that size follows the
   * file's longest record, from DuckDB's default of 16 MB up.
   */
  async appendBronze(table: string, file: string, batch: BronzeAppend): Promise<number> {
    let maxObjectSize = 16 * 1024 * 1024;
    while (maxObjectSize <= (batch.maxRecordBytes ?? 0)) maxObjectSize *= 2;
    const recent = batch.copiesSince ? `_fetched_at >= ${sqlString(batch.copiesSince.toISOString())}::TIMESTAMP AND ` : '';
    return this.execute(
      `INSERT INTO ${table}
       WITH part AS MATERIALIZED (
         SELECT DISTINCT ON (hash) md5(json::VARCHAR) AS hash, json AS record
         FROM read_json_objects(${sqlString(file)}, format = 'newline_delimited', maximum_object_size = ${maxObjectSize}))
       SELECT ${sqlString(batch.batchId)}, ${sqlString(batch.source)}, ${sqlString(batch.fetchedAt.toISOString())}::TIMESTAMP, hash, record
       FROM part
       WHERE hash NOT IN (SELECT _record_hash FROM ${table} WHERE ${recent}_record_hash IN (SELECT hash FROM part))`,
    );
  }

  async attachReadOnly(name: string, path: string): Promise<void> {
    const attached = await this.query(`SELECT 1 FROM duckdb_databases() WHERE database_name = ${sqlString(name)}`);
    if (attached.length === 0) await this.execute(`ATTACH ${sqlString(path)} AS ${name} (READ_ONLY)`);
  }

  async tableExists(qualifiedName: string): Promise<boolean> {
    const [schema, table] = qualifiedName.split('.');
    const rows = await this.query(
      `SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ${sqlString(schema)} AND table_name = ${sqlString(table)}`,
    );
    return rows.length > 0;
  }

  async replaceTable(table: string, replacement: string): Promise<void> {
    // DuckDB's DDL is transactional: the drop and the rename commit together.
    await this.transaction(async () => {
      await this.execute(`DROP TABLE IF EXISTS ${table}`);
      await this.execute(`ALTER TABLE ${replacement} RENAME TO ${table.split('.').pop()}`);
    });
  }

  private readonly closeHooks: Array<() => Promise<void>> = [];
  /** Runs fn just before the file is let go (e.g. to remove the note of who holds it). */
  beforeClose(fn: () => Promise<void>): void {
    this.closeHooks.push(fn);
  }

  async close(): Promise<void> {
    for (const hook of this.closeHooks.splice(0)) await hook().catch(() => undefined);
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async run<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      // A construct the translator refuses at run time (the data decides) is reported in its own words.
      const refusal = ownRefusal((e as Error).message);
      if (refusal) throw new WarehouseError(refusal);
      throw new WarehouseError(`${(e as Error).message}\n  in SQL: ${sql.length > 500 ? `${sql.slice(0, 500)}…` : sql}`);
    }
  }
}

/**
 * A TIME (microseconds since midnight) as Snowflake shows it, HH:MM:SS, with the fraction of a second only
 * when there is one (Snowflake's default output format shows none; the digits are kept rather than lost).
 */
function timeText(micros: bigint): string {
  const total = Number(micros);
  const seconds = Math.floor(total / 1e6);
  const pad = (n: number) => String(n).padStart(2, '0');
  const fraction = total % 1e6 ? `.${String(total % 1e6).padStart(6, '0').replace(/0+$/, '')}` : '';
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}${fraction}`;
}

/** DuckDB JS values to JSON-friendly ones: BIGINT -> number, DATE -> 'YYYY-MM-DD', TIMESTAMP -> ISO. */
function toPlain(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'TIME' && typeof value === 'bigint') return timeText(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toPlain(v, ''));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Row).map(([k, v]) => [k, toPlain(v, '')]));
  }
  return value;
}

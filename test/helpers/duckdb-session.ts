// An in-memory DuckDB with the session the translation expects (its settings and sf_ macros), opened before
// a test file's tests and closed after them: what the SQL unit tests run translated Snowflake SQL on.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, expect } from 'vitest';
import { DUCKDB_SNOWFLAKE_MACROS, DUCKDB_SNOWFLAKE_SETTINGS, translateSnowflakeToDuckDB } from '../../src/sql/translate.js';

/** Registers the hooks; `connection` is usable inside tests. `setup` runs once after the macros. */
export function snowflakeSessionOnDuckDB(setup: readonly string[] = []): { readonly connection: DuckDBConnection } {
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    for (const s of [...DUCKDB_SNOWFLAKE_SETTINGS, ...DUCKDB_SNOWFLAKE_MACROS, ...setup]) await connection.run(s);
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });
  return {
    get connection(): DuckDBConnection {
      if (!connection) throw new Error('the DuckDB session is open only inside tests');
      return connection;
    },
  };
}

/** The DuckDB text of Snowflake SQL the translation must accept (no error diagnostics). */
export function translated(sql: string, file?: string): string {
  const { sql: out, diagnostics } = translateSnowflakeToDuckDB(sql, file ? { file } : {});
  expect(diagnostics.filter((d) => d.severity === 'error'), out).toEqual([]);
  return out;
}

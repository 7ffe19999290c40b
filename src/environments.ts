// Pull-request environments: a copy of the warehouse a pull request can build into without touching
// production. On Snowflake a zero-copy clone of every table (instant, no storage until it diverges);
// on DuckDB a copy of the database file.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Settings } from './engine.js';
import { UsageError } from './errors.js';
import { quoteIdent, type Warehouse } from './warehouse/adapter.js';
import { openDuckDBWhenFree } from './warehouse/duckdb-lock.js';

export interface Environment {
  name: string;
  target: Settings['target'];
  /** Where the copy lives: the DuckDB file, or the Snowflake database name. */
  location: string;
  /** How to point the CLI (or the actions) at it. */
  use: { database?: string; env?: Record<string, string> };
}

/** Names like pr_123: they become a file name or a Snowflake database name. */
function checkName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,200}$/.test(name)) {
    throw new UsageError(`environment name "${name}" must start with a letter and hold only letters, digits and _ (e.g. pr_123)`);
  }
}

export async function createEnvironment(settings: Settings, name: string): Promise<Environment> {
  checkName(name);
  if (settings.target === 'snowflake') {
    const { openSnowflakeFromEnv, snowflakeSettingsFromEnv } = await import('./warehouse/snowflake.js');
    const source = snowflakeSettingsFromEnv(settings.env, settings.snowflakeEnvNames).database;
    const clone = snowflakeCloneName(source, name);
    const warehouse = await openSnowflakeFromEnv(settings.env, { names: settings.snowflakeEnvNames });
    try {
      await cloneTables(warehouse, source, clone);
    } finally {
      await warehouse.close();
    }
    return { name, target: 'snowflake', location: clone, use: { env: { SNOWFLAKE_DATABASE: clone } } };
  }
  const copy = duckdbCopyPath(settings, name);
  await mkdir(dirname(copy), { recursive: true });
  if (existsSync(settings.database)) {
    // Fold the write-ahead log into the file first, so the copy holds every committed change, and
    // copy while holding the file, so no run writes to it halfway through the copy.
    const source = await openDuckDBWhenFree(settings.database, { command: 'env create', waitSeconds: settings.readWaitSeconds });
    try {
      await source.execute('CHECKPOINT');
      await copyFile(settings.database, copy);
    } finally {
      await source.close();
    }
  } else {
    await rm(copy, { force: true });
  }
  await rm(`${copy}.wal`, { force: true });
  return { name, target: 'duckdb', location: copy, use: { database: copy } };
}

/**
 * A zero-copy clone owned, object by object, by the role that makes it. A database-level CLONE keeps
 * each table's owner (production's role), so a pull request's role could build into its clone only if
 * it could write production as well; cloning each table it can read makes every object of the clone its
 * own, and production stays read-only to it (docs/setup.md, the pull-request role). The meta schema is
 * cloned first: a production run that commits meanwhile leaves the clone's records older than its data,
 * never a record of data the clone lacks, and a run over the clone merges that data again, idempotently.
 */
async function cloneTables(warehouse: Warehouse, source: string, clone: string): Promise<void> {
  const tables = await warehouse.query<{ schema: string; name: string }>(
    `SELECT table_schema AS "schema", table_name AS "name" FROM ${source}.INFORMATION_SCHEMA.TABLES
     WHERE table_type = 'BASE TABLE' AND table_schema <> 'INFORMATION_SCHEMA'
     ORDER BY CASE WHEN table_schema = 'META' THEN 0 ELSE 1 END, table_schema, table_name`,
  );
  await warehouse.execute(`CREATE OR REPLACE DATABASE ${clone}`);
  for (const schema of new Set(tables.map((t) => t.schema))) await warehouse.execute(`CREATE SCHEMA IF NOT EXISTS ${clone}.${quoteIdent(schema)}`);
  for (const { schema, name } of tables) {
    const table = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    await warehouse.execute(`CREATE TABLE ${clone}.${table} CLONE ${source}.${table}`);
  }
}

export async function dropEnvironment(settings: Settings, name: string): Promise<Environment> {
  checkName(name);
  if (settings.target === 'snowflake') {
    const { openSnowflakeFromEnv, snowflakeSettingsFromEnv } = await import('./warehouse/snowflake.js');
    const clone = snowflakeCloneName(snowflakeSettingsFromEnv(settings.env, settings.snowflakeEnvNames).database, name);
    const warehouse = await openSnowflakeFromEnv(settings.env, { names: settings.snowflakeEnvNames });
    try {
      await warehouse.execute(`DROP DATABASE IF EXISTS ${clone}`);
    } finally {
      await warehouse.close();
    }
    return { name, target: 'snowflake', location: clone, use: { env: { SNOWFLAKE_DATABASE: clone } } };
  }
  const copy = duckdbCopyPath(settings, name);
  await rm(copy, { force: true });
  await rm(`${copy}.wal`, { force: true });
  return { name, target: 'duckdb', location: copy, use: { database: copy } };
}

function duckdbCopyPath(settings: Settings, name: string): string {
  return join(dirname(settings.database), `${name}.duckdb`);
}

/** ANALYTICS + pr_123 -> ANALYTICS_PR_123: clones sit beside production and say what they are. */
export function snowflakeCloneName(source: string, name: string): string {
  return `${source}_${name}`.toUpperCase();
}

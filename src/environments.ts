// Pull-request environments: a copy of the warehouse a pull request can build into without touching
// production. On Snowflake a zero-copy clone of the database (instant, no storage until it diverges);
// on DuckDB a copy of the database file.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Settings } from './engine.js';
import { UsageError } from './errors.js';
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
      await warehouse.execute(`CREATE OR REPLACE DATABASE ${clone} CLONE ${source}`);
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

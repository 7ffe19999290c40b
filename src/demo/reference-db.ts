// The local stand-in for a Snowflake share: a DuckDB file that pipelines read through
// `ATTACH '<path>' AS share (READ_ONLY)`. It holds only reference data (the stores).

import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RetailData } from './data.js';

/** (Re)creates the file at `path`, atomically: readers see the old file or the new one, never half of one. */
export async function writeReferenceDatabase(path: string, data: RetailData): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  await removeDatabaseFiles(temp);
  try {
    const instance = await DuckDBInstance.create(temp);
    try {
      const connection = await instance.connect();
      try {
        await connection.run('CREATE SCHEMA ref');
        await connection.run(
          'CREATE TABLE ref.stores (store_id INTEGER, name VARCHAR, city VARCHAR, region VARCHAR, opened_on DATE)',
        );
        for (const store of data.stores) {
          await connection.run('INSERT INTO ref.stores VALUES ($1, $2, $3, $4, CAST($5 AS DATE))', [
            store.store_id,
            store.name,
            store.city,
            store.region,
            store.opened_on,
          ]);
        }
        // Fold the write-ahead log into the file, so the renamed file is complete on its own.
        await connection.run('CHECKPOINT');
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
    // A stale WAL beside the target would be replayed onto the new file when it is next opened.
    await rm(`${path}.wal`, { force: true });
    await rename(temp, path);
  } finally {
    await removeDatabaseFiles(temp);
  }
}

async function removeDatabaseFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../../src/demo/data.js';
import { writeReferenceDatabase } from '../../../src/demo/reference-db.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dataops-refdb-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function withAttached<T>(path: string, use: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS share (READ_ONLY)`);
    return await use(async (sql) => (await connection.runAndReadAll(sql)).getRowsJS());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('writeReferenceDatabase', () => {
  const data = generateRetailData({ anchor: new Date('2026-11-20T13:00:00Z') });

  it('writes ref.stores, readable through ATTACH READ_ONLY, and leaves no temp files', async () => {
    const path = join(folder, 'nested', 'share', 'reference.duckdb');
    await writeReferenceDatabase(path, data);
    // Rewriting replaces the file rather than failing on the existing schema.
    await writeReferenceDatabase(path, data);

    await withAttached(path, async (run) => {
      expect(await run('SELECT count(*) FROM share.ref.stores')).toEqual([[8n]]);
      expect(await run(`SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'share' AND table_name = 'stores' ORDER BY column_index`)).toEqual([
        ['store_id', 'INTEGER'],
        ['name', 'VARCHAR'],
        ['city', 'VARCHAR'],
        ['region', 'VARCHAR'],
        ['opened_on', 'DATE'],
      ]);
      const rows = await run('SELECT store_id, name, city, region, CAST(opened_on AS VARCHAR) FROM share.ref.stores ORDER BY store_id');
      expect(rows).toEqual(data.stores.map((s) => [s.store_id, s.name, s.city, s.region, s.opened_on]));
      await expect(run('INSERT INTO share.ref.stores VALUES (9, 9, 9, 9, NULL)')).rejects.toThrow(/read-only|read only/i);
    });
    expect(await readdir(join(folder, 'nested', 'share'))).toEqual(['reference.duckdb']);
  });
});

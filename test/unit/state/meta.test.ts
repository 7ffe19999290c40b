// The meta schema on a warehouse that an older version set up: columns added since are added to it.
import { describe, expect, test } from 'vitest';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

describe('ensureMetaSchema', () => {
  test('adds meta.batches.rejected, backfill_from and backfill_to to a table made without them; old rows read NULL', async () => {
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      await w.execute('CREATE SCHEMA meta');
      await w.execute(`CREATE TABLE meta.batches (
        batch_id VARCHAR, run_id VARCHAR, pipeline VARCHAR, resource VARCHAR, source_kind VARCHAR,
        fetched_at TIMESTAMP, received BIGINT, bronze_rows BIGINT, cursor_before VARCHAR, cursor_after VARCHAR)`);
      await w.execute("INSERT INTO meta.batches VALUES ('b1', 'r1', 'p', 'x', 'http', '2026-01-01', 3, 3, NULL, NULL)");
      await ensureMetaSchema(w);
      await ensureMetaSchema(w);
      expect(await w.query('SELECT batch_id, received, rejected, backfill_from, backfill_to FROM meta.batches')).toEqual([
        { batch_id: 'b1', received: 3, rejected: null, backfill_from: null, backfill_to: null },
      ]);
      const [{ type }] = await w.query<{ type: string }>("SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'batches' AND column_name = 'backfill_to'");
      expect(type).toBe('TIMESTAMP');
    } finally {
      await w.close();
    }
  });
});

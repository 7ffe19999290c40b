// The Snowflake warehouse through the real snowflake-sdk, against fakesnow (a Snowflake emulator) on a
// loopback port: connection from environment variables, DDL, bulk bronze loads with their dedupe,
// MERGE, transactions, query tags, error codes, re-login, and the silver staging SQL rendered by the
// Snowflake dialect giving the same rows as the DuckDB dialect on the same records.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline.js';
import { WarehouseError } from '../../src/errors.js';
import { loadBronze } from '../../src/ingest/bronze.js';
import { stageSql } from '../../src/models/silver.js';
import { copyJsonLines } from '../../src/sources/json-scan.js';
import { ensureMetaSchema } from '../../src/state/meta.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import {
  queryTagFor,
  snowflakeSettingsFromEnv,
  SnowflakeWarehouse,
  SnowflakeWarehouseError,
} from '../../src/warehouse/snowflake.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake integration tests: ${unavailable}`);

const BRONZE_COLUMNS = '_batch_id VARCHAR, _source VARCHAR, _fetched_at TIMESTAMP_NTZ, _record_hash VARCHAR, _record VARIANT';
const FETCHED_AT = new Date('2026-11-20T12:00:00.000Z');

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

describe.skipIf(!!unavailable)('SnowflakeWarehouse on fakesnow', () => {
  let fakesnow: Fakesnow;
  let dir: string;
  let warehouse: SnowflakeWarehouse;
  const logged: string[] = [];

  const env = () => ({
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'DATAOPS_TEST',
    SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-0b7a5f1c9e',
  });

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    dir = await mkdtemp(join(tmpdir(), 'dataops-snowflake-'));
    warehouse = await SnowflakeWarehouse.open(snowflakeSettingsFromEnv(env()), { log: (line) => logged.push(line), retry: { baseDelayMs: 10 } });
    await warehouse.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_TEST');
    await ensureMetaSchema(warehouse);
  });
  afterAll(async () => {
    await warehouse?.close();
    await fakesnow?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function jsonLines(name: string, lines: string[]): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, lines.map((l) => `${l}\n`).join(''));
    return file;
  }

  test('connects with the real driver and creates the layer schemas and meta tables', async () => {
    expect(warehouse.location).toBe('snowflake://fakesnow/DATAOPS_TEST.PUBLIC');
    const schemas = await warehouse.query<{ schema_name: string }>(
      `SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('BRONZE', 'SILVER', 'GOLD', 'META') ORDER BY schema_name`,
    );
    expect(schemas.map((s) => s.schema_name)).toEqual(['BRONZE', 'GOLD', 'META', 'SILVER']);
    expect(await warehouse.tableExists('meta.runs')).toBe(true);
    expect(await warehouse.tableExists('meta.no_such_table')).toBe(false);
  });

  test('a meta.batches an older version made gets the columns added since', async () => {
    await warehouse.execute('DROP TABLE meta.batches');
    await warehouse.execute(`CREATE TABLE meta.batches (
      batch_id VARCHAR, run_id VARCHAR, pipeline VARCHAR, resource VARCHAR, source_kind VARCHAR,
      fetched_at TIMESTAMP_NTZ, received BIGINT, bronze_rows BIGINT, cursor_before VARCHAR, cursor_after VARCHAR)`);
    await ensureMetaSchema(warehouse);
    const columns = await warehouse.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'META' AND table_name = 'BATCHES' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => c.column_name.toLowerCase()).slice(-3)).toEqual(['backfill_from', 'backfill_to', 'bronze_removed_at']);
  });

  test('rows are plain JSON-friendly objects with lower-case column names', async () => {
    const [row] = await warehouse.query(
      `SELECT 42 AS int_col, 12345678901234567890 AS huge, 12.5::NUMBER(10,2) AS dec_col, 1.5::DOUBLE AS dbl, TRUE AS flag,
              'x' AS "MixedCase", '2024-02-03'::DATE AS d, '2024-02-03 04:05:06.789'::TIMESTAMP_NTZ AS ts,
              PARSE_JSON('{"a":[1,2]}') AS v, NULL AS nothing`,
    );
    expect(row).toEqual({
      int_col: 42,
      huge: '12345678901234567890',
      dec_col: 12.5,
      dbl: 1.5,
      flag: true,
      mixedcase: 'x',
      d: '2024-02-03',
      ts: '2024-02-03T04:05:06.789Z',
      v: '{"a":[1,2]}',
      nothing: null,
    });
  });

  test('appendBronze loads a JSON-lines file in bulk, hashing each record text and skipping exact copies', async () => {
    await warehouse.execute(`CREATE TABLE IF NOT EXISTS bronze.shop_orders (${BRONZE_COLUMNS})`);
    const a = JSON.stringify({ id: 1, name: 'Ann, "quoted" \\ back\tslash', tags: ['x'], note: 'NONE' });
    const b = JSON.stringify({ id: 2, name: 'Bo é', nested: { deep: [1, 2, { k: null }] } });
    const c = JSON.stringify({ id: 3, amount: 1.5e300 });
    const first = await jsonLines('first.jsonl', [a, b, a, c]);
    const batch = { batchId: 'run_1.shop.orders', source: 'http', fetchedAt: FETCHED_AT };

    expect(await warehouse.transaction(() => warehouse.appendBronze('bronze.shop_orders', first, batch))).toBe(3);
    const rows = await warehouse.query<{ _record_hash: string; id: number; name: string; _batch_id: string; _fetched_at: string }>(
      `SELECT _record_hash, _record:id::NUMBER AS id, _record:name::VARCHAR AS name, _batch_id, _fetched_at FROM bronze.shop_orders ORDER BY id`,
    );
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    expect(rows).toEqual([
      { _record_hash: md5(a), id: 1, name: 'Ann, "quoted" \\ back\tslash', _batch_id: 'run_1.shop.orders', _fetched_at: FETCHED_AT.toISOString() },
      { _record_hash: md5(b), id: 2, name: 'Bo é', _batch_id: 'run_1.shop.orders', _fetched_at: FETCHED_AT.toISOString() },
      { _record_hash: md5(c), id: 3, name: null, _batch_id: 'run_1.shop.orders', _fetched_at: FETCHED_AT.toISOString() },
    ]);

    // A rerun of the same file adds nothing; a new file adds only what is new.
    expect(await warehouse.appendBronze('bronze.shop_orders', first, batch)).toBe(0);
    const d = JSON.stringify({ id: 4 });
    const second = await jsonLines('second.jsonl', [b, d, d]);
    expect(await warehouse.appendBronze('bronze.shop_orders', second, { ...batch, batchId: 'run_2.shop.orders' })).toBe(1);
    const [{ n }] = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM bronze.shop_orders');
    expect(n).toBe(4);
  });

  test('appendBronze looks for copies only among rows fetched since copiesSince', async () => {
    await warehouse.execute(`CREATE OR REPLACE TABLE bronze.shop_window (${BRONZE_COLUMNS})`);
    const file = await jsonLines('window.jsonl', [JSON.stringify({ id: 1 }), JSON.stringify({ id: 2 })]);
    const batch = { batchId: 'run_1.shop.window', source: 'http', fetchedAt: FETCHED_AT };
    expect(await warehouse.appendBronze('bronze.shop_window', file, batch)).toBe(2);
    const later = new Date(FETCHED_AT.getTime() + 31 * 86_400_000);
    // The first copies were fetched at or after copiesSince: skipped.
    expect(await warehouse.appendBronze('bronze.shop_window', file, { ...batch, batchId: 'run_2.shop.window', fetchedAt: later, copiesSince: FETCHED_AT })).toBe(0);
    // Fetched before copiesSince: not looked at, so the records are appended again.
    const after = new Date(FETCHED_AT.getTime() + 1000);
    expect(await warehouse.appendBronze('bronze.shop_window', file, { ...batch, batchId: 'run_3.shop.window', fetchedAt: later, copiesSince: after })).toBe(2);
  });

  test('loadBronze keeps records that are not UTF-8 or nest too deep out of bronze, in meta.rejected', async () => {
    const { pipeline } = loadPipeline('pipelines/hostile.yml', `name: hostile
source: { kind: http, base_url: "http://127.0.0.1:1", resources: { rows: { path: /rows } } }
silver: { rows: { from: rows, key: [id], columns: { id: { path: id, type: integer } } } }
`, {});
    const latin1 = Buffer.from('{"id":2,"s":"it\'s \\"caf\xe9\\" \\\\ back"}', 'latin1');
    const lines = Buffer.concat([Buffer.from('{"id":1}\n'), latin1, Buffer.from(`\n{"id":3,"x":${'['.repeat(5000)}${']'.repeat(5000)}}\n{"id":4}\n`)]);
    const reader = { resource: 'rows', since: () => undefined, pages: async function* () { yield copyJsonLines(lines); } };
    const batch = await loadBronze(warehouse, pipeline!, reader, { runId: 'run_h', landingDir: join(dir, 'landing') });
    expect(batch).toMatchObject({ received: 4, bronzeRows: 2, rejected: 2 });
    expect(await warehouse.query('SELECT _record:id::NUMBER AS id FROM bronze.hostile_rows ORDER BY id')).toEqual([{ id: 1 }, { id: 4 }]);
    expect(await warehouse.query("SELECT table_name, reasons, record FROM meta.rejected WHERE batch_id = 'run_h.hostile.rows' AND reasons = 'invalid_utf8'")).toEqual([
      { table_name: 'bronze.hostile_rows', reasons: 'invalid_utf8', record: '{"id":2,"s":"it\'s \\"caf\uFFFD\\" \\\\ back"}' },
    ]);
    expect(await warehouse.query('SELECT received, bronze_rows, rejected FROM meta.batches WHERE batch_id = \'run_h.hostile.rows\'')).toEqual([{ received: 4, bronze_rows: 2, rejected: 2 }]);
  });

  test('MERGE upserts and execute returns the rows it changed', async () => {
    await warehouse.execute('CREATE TABLE IF NOT EXISTS silver.customers (customer_id NUMBER(38,0), email VARCHAR, updated_at TIMESTAMP_NTZ)');
    const merge = (values: string) =>
      warehouse.execute(
        `MERGE INTO silver.customers AS t USING (SELECT * FROM VALUES ${values} AS v (customer_id, email, updated_at)) AS s
         ON t.customer_id = s.customer_id
         WHEN MATCHED AND s.updated_at >= t.updated_at THEN UPDATE SET email = s.email, updated_at = s.updated_at
         WHEN NOT MATCHED THEN INSERT (customer_id, email, updated_at) VALUES (s.customer_id, s.email, s.updated_at)`,
      );
    expect(await merge(`(1, 'a@x.io', '2026-01-01'::TIMESTAMP_NTZ), (2, 'b@x.io', '2026-01-01'::TIMESTAMP_NTZ)`)).toBe(2);
    expect(await merge(`(2, 'b2@x.io', '2026-01-02'::TIMESTAMP_NTZ), (3, 'c@x.io', '2026-01-02'::TIMESTAMP_NTZ)`)).toBe(2);
    expect(await warehouse.query('SELECT customer_id, email FROM silver.customers ORDER BY customer_id')).toEqual([
      { customer_id: 1, email: 'a@x.io' },
      { customer_id: 2, email: 'b2@x.io' },
      { customer_id: 3, email: 'c@x.io' },
    ]);
  });

  test('a transaction that fails leaves nothing; one that succeeds keeps everything', async () => {
    await warehouse.execute('CREATE TABLE IF NOT EXISTS meta.tx_probe (n NUMBER(38,0))');
    await expect(
      warehouse.transaction(async () => {
        await warehouse.execute('INSERT INTO meta.tx_probe VALUES (1), (2)');
        await warehouse.execute('UPDATE meta.tx_probe SET n = n + 10');
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    expect(await warehouse.query('SELECT n FROM meta.tx_probe')).toEqual([]);

    await warehouse.transaction(async () => {
      await warehouse.execute('INSERT INTO meta.tx_probe VALUES (3)');
      // Nested calls join the outer transaction.
      await warehouse.transaction(() => warehouse.execute('INSERT INTO meta.tx_probe VALUES (4)'));
    });
    expect(await warehouse.query('SELECT n FROM meta.tx_probe ORDER BY n')).toEqual([{ n: 3 }, { n: 4 }]);
  });

  test('DDL inside a transaction behaves as on Snowflake: before the first DML it is harmless, after it commits', async () => {
    await warehouse.execute('CREATE TABLE IF NOT EXISTS meta.ddl_probe (n NUMBER(38,0))');
    await fakesnow.requests({ clear: true });
    await expect(
      warehouse.transaction(async () => {
        await warehouse.execute('CREATE TABLE IF NOT EXISTS meta.ddl_probe_2 (n NUMBER(38,0))');
        await warehouse.execute('INSERT INTO meta.ddl_probe VALUES (1)');
        await warehouse.execute('CREATE TABLE IF NOT EXISTS meta.ddl_probe_3 (n NUMBER(38,0))');
        await warehouse.execute('INSERT INTO meta.ddl_probe VALUES (2)');
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    const sent = (await fakesnow.requests()).map((r) => r.sqlText.split(' (')[0]);
    // The first insert was committed by the DDL after it; the second was rolled back.
    expect(await warehouse.query('SELECT n FROM meta.ddl_probe')).toEqual([{ n: 1 }]);
    expect(sent).toEqual([
      'CREATE TABLE IF NOT EXISTS meta.ddl_probe_2',
      'BEGIN TRANSACTION',
      'INSERT INTO meta.ddl_probe VALUES',
      'COMMIT',
      'CREATE TABLE IF NOT EXISTS meta.ddl_probe_3',
      'BEGIN TRANSACTION',
      'INSERT INTO meta.ddl_probe VALUES',
      'ROLLBACK',
    ]);
    expect(logged.some((l) => l.includes('a DDL statement commits the open transaction'))).toBe(true);
  });

  test('the query tag travels with every statement, per session or per statement, with the UTC time zone', async () => {
    await fakesnow.requests({ clear: true });
    warehouse.setQueryTag(queryTagFor('shop', 'run_20261120T120000Z_abc123'));
    await warehouse.query('SELECT 1 AS one');
    await warehouse.query('SELECT 2 AS two', { queryTag: 'dataops:shop:backfill' });
    warehouse.setQueryTag(undefined);
    await warehouse.query('SELECT 3 AS three');
    const sent = await fakesnow.requests();
    expect(sent.map((r) => [r.sqlText, r.parameters])).toEqual([
      ['SELECT 1 AS one', { TIMEZONE: 'UTC', QUERY_TAG: 'dataops:shop:run_20261120T120000Z_abc123' }],
      ['SELECT 2 AS two', { TIMEZONE: 'UTC', QUERY_TAG: 'dataops:shop:backfill' }],
      ['SELECT 3 AS three', { TIMEZONE: 'UTC' }],
    ]);
  });

  test("a bad statement is a WarehouseError with Snowflake's error code, message and the SQL", async () => {
    const missing = await warehouse.query('SELECT * FROM silver.no_such_table').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SnowflakeWarehouseError);
    expect(missing).toBeInstanceOf(WarehouseError);
    expect(missing).toMatchObject({ code: '002003', sqlState: '42S02' });
    expect((missing as Error).message).toMatch(/^Snowflake error 002003 \(42S02\): .*NO_SUCH_TABLE.*\n {2}in SQL: SELECT \* FROM silver\.no_such_table$/s);

    const syntax = await warehouse.execute('SELEC 1').catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '001003', sqlState: '42000' });
  });

  test('several statements run one by one; the rows are those of the last', async () => {
    expect(await warehouse.query(`SELECT 'a;b' AS x; -- a comment; with a semicolon\nSELECT 'it''s' AS y;`)).toEqual([{ y: "it's" }]);
  });

  test('an expired session logs in again; inside a transaction it says the transaction was lost', async () => {
    expect(await fakesnow.expireSessions()).toBeGreaterThan(0);
    expect(await warehouse.query('SELECT 7 AS seven')).toEqual([{ seven: 7 }]);
    expect(logged.some((l) => l.includes('session expired; logging in again'))).toBe(true);

    await warehouse.execute('CREATE TABLE IF NOT EXISTS meta.relogin_probe (n NUMBER(38,0))');
    const failure = await warehouse
      .transaction(async () => {
        await warehouse.execute('INSERT INTO meta.relogin_probe VALUES (1)');
        await fakesnow.expireSessions();
        await warehouse.execute('INSERT INTO meta.relogin_probe VALUES (2)');
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SnowflakeWarehouseError);
    expect((failure as Error).message).toContain('the Snowflake session ended inside a transaction, so Snowflake rolled it back');
    expect(await warehouse.query('SELECT n FROM meta.relogin_probe')).toEqual([]);
  });

  test('attachReadOnly is not a Snowflake capability: shares are read by name', async () => {
    expect(warehouse.capabilities).toEqual({ merge: true, attachReadOnly: false, exclusiveWriter: false, fileStage: true });
    await expect(warehouse.attachReadOnly('marketplace', '/tmp/x.duckdb')).rejects.toThrow(/reads a shared database by name/);
  });

  test("the silver staging SQL gives the same rows through the Snowflake dialect as through DuckDB's", async () => {
    const { pipeline, diagnostics } = loadPipeline(
      'pipelines/shop.yml',
      `
name: shop
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    orders: { path: /orders }
silver:
  orders:
    from: orders
    key: [order_id]
    latest_by: updated_at
    columns:
      order_id:   { path: id, type: integer, required: true }
      updated_at: { path: updated_at, type: timestamp, required: true }
      amount:     { path: amount, type: "decimal(10,2)", min: 0 }
      email:      { path: buyer.email, type: string, normalize: [trim, lower], pattern: '^[^@\\s]+@[^@\\s]+$' }
      paid:       { path: paid, type: boolean }
      day:        { path: day, type: date }
      weight:     { path: weight, type: double, max: 100 }
  order_items:
    from: orders
    explode: items
    key: [order_id, sku]
    columns:
      order_id: { path: $.id, type: integer, required: true }
      sku:      { path: sku, type: string, normalize: [upper], required: true }
      qty:      { path: qty, type: integer, min: 1 }
`,
      {},
    );
    expect(diagnostics).toEqual([]);
    const records = [
      { id: 1, updated_at: '2026-11-20T10:00:00Z', amount: 12.5, buyer: { email: '  Ann@Example.COM ' }, paid: true, day: '2026-11-20', weight: 1.25, items: [{ sku: 'ab-1', qty: 2 }, { sku: 'cd', qty: 0 }] },
      { id: 2, updated_at: '2026-11-20T12:00:00+02:00', amount: -1, buyer: { email: 'not-an-email' }, paid: 'maybe', day: '2026-02-30', weight: 250, items: [] },
      { id: 'x3', updated_at: 'yesterday', amount: '7.125', buyer: null, items: { sku: 'not-an-array' } },
      { id: 4.5, amount: null, items: [{ qty: 1 }] },
    ];
    // Numbers outside their column's type, as raw JSON text (JSON.stringify would turn 1e400 into null):
    // invalid_type on both, never NULL, inf or a number past BIGINT's range.
    const numbers = [
      '{"id":99999999999999999999,"updated_at":"2026-11-20T10:00:00Z","amount":1,"weight":1}',
      '{"id":9223372036854775807,"updated_at":"2026-11-20T10:00:00Z","amount":123456789012,"weight":1e400}',
      '{"id":"-9223372036854775809","updated_at":"2026-11-20T10:00:00Z","amount":"1e400","weight":"-1e400"}',
      '{"id":6,"updated_at":"2026-11-20T10:00:00Z","amount":"99999999.99","weight":"NaN"}',
      '{"id":-9223372036854775808,"updated_at":"2026-11-20T10:00:00Z","amount":-99999999.99,"weight":"inf"}',
    ];
    const file = await jsonLines('silver.jsonl', [...records.map((r) => JSON.stringify(r)), ...numbers]);
    const duck = await DuckDBWarehouse.open(':memory:');
    try {
      await ensureMetaSchema(duck);
      await duck.execute(`CREATE TABLE bronze.shop_orders (_batch_id VARCHAR, _source VARCHAR, _fetched_at TIMESTAMP, _record_hash VARCHAR, _record JSON)`);
      await warehouse.execute(`CREATE OR REPLACE TABLE bronze.shop_orders_diff (${BRONZE_COLUMNS})`);
      const batch = { batchId: 'run_1.shop.orders', source: 'http', fetchedAt: FETCHED_AT };
      expect(await duck.appendBronze('bronze.shop_orders', file, batch)).toBe(9);
      expect(await warehouse.appendBronze('bronze.shop_orders_diff', file, batch)).toBe(9);

      for (const table of pipeline!.silver) {
        const stage = async (w: Warehouse, bronze: string) => {
          const columns = table.columns.flatMap((c) => [c.name, `${c.name}__raw`]);
          const rows = await w.query<Record<string, unknown>>(
            `SELECT _record_hash, _element_index, ${columns.join(', ')}, _reasons FROM (${stageSql(table, bronze, batch.batchId, w.dialect)}) AS s`,
          );
          return rows.sort((x, y) => `${x._record_hash}:${x._element_index}`.localeCompare(`${y._record_hash}:${y._element_index}`));
        };
        const onDuck = await stage(duck, 'bronze.shop_orders');
        const onSnowflake = await stage(warehouse, 'bronze.shop_orders_diff');
        expect(onSnowflake, `silver.${table.name}`).toEqual(onDuck);
        if (table.name === 'orders') {
          const reasons = Object.fromEntries(onDuck.map((r) => [String(r.order_id__raw), r._reasons]));
          expect(reasons).toMatchObject({
            '99999999999999999999': 'invalid_type:order_id',
            '9223372036854775807': 'invalid_type:amount,invalid_type:weight',
            '-9223372036854775809': 'invalid_type:order_id,invalid_type:amount,invalid_type:weight',
            '6': 'invalid_type:weight',
            '-9223372036854775808': 'out_of_range:amount,invalid_type:weight',
          });
        }
      }
    } finally {
      await duck.close();
    }
  });
});

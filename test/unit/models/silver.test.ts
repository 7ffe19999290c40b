// The declarative mapping on hand-made records: types, normalization, reasons, explode, latest wins.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import type { Pipeline } from '../../../src/config/types.js';
import { loadBronze } from '../../../src/ingest/bronze.js';
import { copyJsonLines } from '../../../src/sources/json-scan.js';
import { buildSilver } from '../../../src/models/silver.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

const YAML = `
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
      email:      { path: buyer.email, type: string, normalize: [trim, lower], pattern: '^[^@ ]+@[^@ ]+$' }
      paid:       { path: paid, type: boolean }
      meta:       { path: meta, type: json }
  order_items:
    from: orders
    explode: items
    key: [order_id, sku]
    columns:
      order_id: { path: $.id, type: integer, required: true }
      sku:      { path: sku, type: string, normalize: [upper], required: true }
      qty:      { path: qty, type: integer, min: 1 }
`;

let dir: string;
let warehouse: DuckDBWarehouse;
let pipeline: Pipeline;
let runs = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-silver-'));
  warehouse = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(warehouse);
  const loaded = loadPipeline('pipelines/shop.yml', YAML, {});
  expect(loaded.diagnostics).toEqual([]);
  pipeline = loaded.pipeline!;
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

async function load(records: unknown[]) {
  const runId = `run_${++runs}`;
  await loadBronze(warehouse, pipeline, { resource: 'orders', since: () => undefined, pages: async function* () { yield records; } }, { runId, landingDir: dir });
  return buildSilver(warehouse, pipeline, runId);
}

const reasons = async () =>
  Object.fromEntries(
    (await warehouse.query<{ k: string; reasons: string }>(`SELECT COALESCE(json_extract_string(record, '$.id'), json_extract_string(record, '$.sku')) || '/' || table_name AS k, reasons FROM meta.rejected ORDER BY k`)).map((r) => [r.k, r.reasons]),
  );

describe('silver from the column mapping', () => {
  test('converts types, normalizes, and rejects each bad record with its reasons', async () => {
    const loads = await load([
      { id: 1, updated_at: '2026-01-01T12:00:00+02:00', amount: '19.90', buyer: { email: '  Ann@Example.COM ' }, paid: true, meta: { a: [1] }, items: [{ sku: 'ab', qty: 2 }] },
      { id: 2.5, updated_at: '2026-01-01T00:00:00Z', amount: 5 },
      { id: 3, updated_at: 'yesterday', amount: -1, buyer: { email: 'not an email' } },
      { id: 4, updated_at: null, amount: 'abc', items: 'none' },
      { updated_at: '2026-01-01T00:00:00Z', items: [] },
    ]);
    expect(loads.map(({ table, bronze, accepted, rejected, conserved }) => ({ table, bronze, accepted, rejected, conserved }))).toEqual([
      { table: 'silver.orders', bronze: 5, accepted: 1, rejected: 4, conserved: true },
      // Record 1's one item; records 2, 3 (no items) and 4 (a string) are one unit each; record 5's empty array is none.
      { table: 'silver.order_items', bronze: 4, accepted: 1, rejected: 3, conserved: true },
    ]);
    expect(await warehouse.query('SELECT order_id, updated_at, amount, email, paid, meta FROM silver.orders')).toEqual([
      { order_id: 1, updated_at: '2026-01-01T10:00:00.000Z', amount: 19.9, email: 'ann@example.com', paid: true, meta: '{"a":[1]}' },
    ]);
    expect(await warehouse.query('SELECT order_id, sku, qty FROM silver.order_items')).toEqual([{ order_id: 1, sku: 'AB', qty: 2 }]);
    const r = await reasons();
    expect(r['2.5/silver.orders']).toBe('invalid_type:order_id');
    expect(r['3/silver.orders']).toBe('invalid_type:updated_at,out_of_range:amount,pattern_mismatch:email');
    expect(r['4/silver.orders']).toBe('missing_required:updated_at,invalid_type:amount');
    const items = Object.entries(r).filter(([k]) => k.endsWith('order_items')).map(([, v]) => v).sort();
    expect(items).toEqual([
      'explode_not_array:items,invalid_type:order_id,missing_required:sku', // record 2.5: no items, bad parent id
      'explode_not_array:items,missing_required:sku', // record 3: no items
      'explode_not_array:items,missing_required:sku', // record 4: items is a string
    ]);
    const [{ n }] = await warehouse.query<{ n: number }>("SELECT COUNT(*) AS n FROM meta.rejected WHERE table_name = 'silver.orders' AND reasons = 'missing_required:order_id'");
    expect(n).toBe(1);
  });

  test('the latest version of a key wins, within a batch and across batches, and reruns change nothing', async () => {
    await load([
      { id: 7, updated_at: '2026-01-02T00:00:00Z', amount: 2 },
      { id: 7, updated_at: '2026-01-03T00:00:00Z', amount: 3 },
      { id: 7, updated_at: '2026-01-01T00:00:00Z', amount: 1 },
    ]);
    expect(await warehouse.query('SELECT order_id, amount FROM silver.orders')).toEqual([{ order_id: 7, amount: 3 }]);
    // An older version arriving late does not overwrite a newer one.
    const stale = await load([{ id: 7, updated_at: '2026-01-02T12:00:00Z', amount: 99 }]);
    expect(stale[0]).toMatchObject({ accepted: 1, inserted: 0, updated: 0 });
    expect(await warehouse.query('SELECT order_id, amount FROM silver.orders')).toEqual([{ order_id: 7, amount: 3 }]);
    const newer = await load([{ id: 7, updated_at: '2026-01-04T00:00:00Z', amount: 4 }, { id: 8, updated_at: '2026-01-04T00:00:00Z', amount: 8 }]);
    expect(newer[0]).toMatchObject({ accepted: 2, inserted: 1, updated: 1 });
    // The same records again: bronze skips exact copies, so there is nothing to build.
    const again = await load([{ id: 7, updated_at: '2026-01-04T00:00:00Z', amount: 4 }, { id: 8, updated_at: '2026-01-04T00:00:00Z', amount: 8 }]);
    expect(again[0]).toMatchObject({ bronze: 0, accepted: 0, rejected: 0 });
    expect(await warehouse.query('SELECT order_id, amount FROM silver.orders ORDER BY 1')).toEqual([
      { order_id: 7, amount: 4 },
      { order_id: 8, amount: 8 },
    ]);
  });
});

describe('numbers outside a column\'s type', () => {
  const NUMBERS = `
name: nums
source: { kind: http, base_url: "http://127.0.0.1:1", resources: { rows: { path: /rows } } }
silver:
  rows:
    from: rows
    key: [id]
    columns:
      id:  { path: id, type: integer, required: true }
      i:   { path: i, type: integer }
      b:   { path: b, type: bigint }
      d:   { path: d, type: double }
      dec: { path: dec, type: "decimal(6,2)" }
`;
  // [column, the value as it is in the JSON record, the typed value or the reason]. The values go
  // to bronze as raw JSON text: JSON.stringify would have turned 1e400 into null on the way.
  const cases: Array<[string, string, unknown]> = [
    ['d', '1e400', 'invalid_type:d'],
    ['d', '-1e400', 'invalid_type:d'],
    ['d', '"1e400"', 'invalid_type:d'],
    ['d', '"-1E400"', 'invalid_type:d'],
    ['d', '"inf"', 'invalid_type:d'],
    ['d', '"NaN"', 'invalid_type:d'],
    ['d', '1.7976931348623157e308', 1.7976931348623157e308],
    ['d', '-2.5e-3', -0.0025],
    ['i', '99999999999999999999', 'invalid_type:i'],
    ['i', '-99999999999999999999', 'invalid_type:i'],
    ['i', '"99999999999999999999"', 'invalid_type:i'],
    ['i', '9223372036854775808', 'invalid_type:i'],
    ['i', '9223372036854775807', '9223372036854775807'],
    ['b', '-9223372036854775809', 'invalid_type:b'],
    ['b', '1e400', 'invalid_type:b'],
    ['b', '-9223372036854775808', '-9223372036854775808'],
    ['dec', '10000', 'invalid_type:dec'],
    ['dec', '"10000.00"', 'invalid_type:dec'],
    ['dec', '-12345.6', 'invalid_type:dec'],
    ['dec', '1e400', 'invalid_type:dec'],
    ['dec', '9999.99', 9999.99],
    ['dec', '"-9999.99"', -9999.99],
  ];

  test('are invalid_type, never NULL or a wrong value; the bounds of each type are accepted', async () => {
    const nums = loadPipeline('pipelines/nums.yml', NUMBERS, {}).pipeline!;
    const lines = cases.map(([column, value], i) => `{"id":${i + 1},"${column}":${value}}\n`).join('');
    const reader = { resource: 'rows', since: () => undefined, pages: async function* () { yield copyJsonLines(Buffer.from(lines)); } };
    await loadBronze(warehouse, nums, reader, { runId: 'run_n', landingDir: dir });
    const [load] = await buildSilver(warehouse, nums, 'run_n');
    expect(load).toMatchObject({ bronze: cases.length, conserved: true });
    const rows = await warehouse.query<Record<string, unknown>>('SELECT id, i, b, d, dec FROM silver.rows');
    const rejected = await warehouse.query<{ id: string; reasons: string }>("SELECT json_extract_string(record, '$.id') AS id, reasons FROM meta.rejected");
    const outcome = (id: number, column: string) =>
      rejected.find((r) => Number(r.id) === id)?.reasons ?? rows.find((r) => r.id === id)?.[column];
    expect(cases.map(([column, value], i) => [column, value, outcome(i + 1, column)])).toEqual(cases);
  });
});

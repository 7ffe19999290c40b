// Schema drift per batch: fields that appear, disappear or change JSON type since the previous batch
// of the same resource, in meta.schema_drift; no record is dropped for it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import type { Pipeline } from '../../../src/config/types.js';
import { loadBronze } from '../../../src/ingest/bronze.js';
import { formatDrift } from '../../../src/ingest/drift.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

const YAML = `
name: shop
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    orders: { path: /orders }
    refunds: { path: /refunds }
silver:
  orders:
    from: orders
    key: [order_id]
    columns:
      order_id: { path: id, type: integer, required: true }
`;

let dir: string;
let warehouse: DuckDBWarehouse;
let pipeline: Pipeline;
let runs = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-drift-'));
  warehouse = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(warehouse);
  pipeline = loadPipeline('pipelines/shop.yml', YAML, {}).pipeline!;
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

async function load(records: unknown[], resource = 'orders') {
  const batch = await loadBronze(warehouse, pipeline, { resource, since: () => undefined, pages: async function* () { yield records; } }, { runId: `run_${++runs}`, landingDir: dir });
  return { batch, changes: batch.schemaChanges.map((c) => [c.path, c.change, c.oldType, c.newType]) };
}

describe('schema drift between batches of a resource', () => {
  test('the first batch has nothing to compare with; the same shape again is no drift', async () => {
    expect((await load([{ id: 1, name: 'a', tags: ['x'] }])).changes).toEqual([]);
    expect((await load([{ id: 2, name: 'b', tags: [] }, { id: 3, name: null, tags: ['y', 'z'] }])).changes).toEqual([]);
    expect(await warehouse.query('SELECT COUNT(*) AS n FROM meta.schema_drift')).toEqual([{ n: 0 }]);
  });

  test('fields added, removed and retyped, at any depth and inside arrays; every record still lands', async () => {
    const first = await load([
      { id: 1, total: 10, status: 'paid', customer: { email: 'a@x', phone: '1' }, lines: [{ sku: 'a', qty: 1 }], legacy: { code: 'x', since: 2019 } },
      { id: 2, total: 12.5, status: 'paid', customer: { email: null, phone: '2' }, lines: [], legacy: { code: 'y', since: 2020 } },
    ]);
    const { batch, changes } = await load([
      { id: '3', total: 9, status: 'void', customer: { email: 'c@x' }, lines: [{ sku: 'c', qty: '2', discount: 0.1 }], channel: 'web' },
      { id: '4', total: 7, status: null, customer: { email: 'd@x' }, lines: [{ sku: 'd', qty: 1 }], channel: { name: 'app' } },
    ]);
    expect(batch.bronzeRows).toBe(2);
    expect(changes).toEqual([
      ['channel', 'added', null, 'object|string'],
      ['customer.phone', 'removed', 'string', null],
      ['id', 'type_changed', 'number', 'string'],
      // The fields of an object that came or went are not listed one by one.
      ['legacy', 'removed', 'object', null],
      ['lines[].discount', 'added', null, 'number'],
      ['lines[].qty', 'type_changed', 'number', 'number|string'],
    ]);
    expect(formatDrift(batch.schemaChanges)).toBe(
      '+channel (object|string), -customer.phone, id: number -> string, -legacy, +lines[].discount (number), lines[].qty: number -> number|string',
    );
    const [row] = await warehouse.query(`SELECT * FROM meta.schema_drift WHERE path = 'id'`);
    expect(row).toMatchObject({ batch_id: batch.batchId, pipeline: 'shop', resource: 'orders', change: 'type_changed', old_type: 'number', new_type: 'string', previous_batch_id: first.batch.batchId });
  });

  test('a field seen only as null is typed "null"; a batch that appended nothing is skipped, not compared', async () => {
    await load([{ id: 1, note: 'x' }]);
    expect((await load([{ id: 2, note: null }])).changes).toEqual([['note', 'type_changed', 'string', 'null']]);
    // Exact copies only: nothing appended, so nothing to profile; the next batch compares with run_2.
    expect((await load([{ id: 2, note: null }])).changes).toEqual([]);
    expect((await load([{ id: 3 }])).changes).toEqual([['note', 'removed', 'null', null]]);
  });

  test('each resource is compared with its own previous batch', async () => {
    await load([{ id: 1, amount: 5 }]);
    await load([{ refund_id: 9 }], 'refunds');
    expect((await load([{ id: 2, amount: 6 }])).changes).toEqual([]);
  });
});

test('status shows the drift of the last run of each pipeline', async () => {
  const { readStatus } = await import('../../../src/state/status.js');
  const { buildGraph } = await import('../../../src/graph/graph.js');
  const project = { pipelines: [pipeline], graph: buildGraph([pipeline], []) } as Parameters<typeof readStatus>[1];
  await load([{ id: 1, total: 10 }]);
  await warehouse.execute(`INSERT INTO meta.runs VALUES ('run_${runs + 1}', 'shop', now()::TIMESTAMP, NULL, 'success', NULL)`);
  await load([{ id: 2, total: '10', note: 'x' }]);
  const status = await readStatus(warehouse, project);
  expect(status.pipelines[0].schema_drift.map(({ path, change, old_type, new_type }) => [path, change, old_type, new_type])).toEqual([
    ['note', 'added', null, 'string'],
    ['total', 'type_changed', 'number', 'string'],
  ]);
});

// A batch bigger than a landing part: parts are appended to bronze while the next is fetched, inside
// one transaction, so a failure anywhere leaves nothing of the batch and no half-written landing file.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import type { Pipeline } from '../../../src/config/types.js';
import { loadBronze, replayBronze, type ResourceReader } from '../../../src/ingest/bronze.js';
import { Lock } from '../../../src/ingest/concurrency.js';
import { copyJsonLines } from '../../../src/sources/json-scan.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import type { Warehouse } from '../../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

const YAML = `
name: shop
source: { kind: http, base_url: "http://127.0.0.1:1", resources: { orders: { path: /orders }, returns: { path: /returns } } }
silver: { orders: { from: orders, key: [id], columns: { id: { path: id, type: integer } } } }
`;
const PAGES = 10;
const PER_PAGE = 100;

let dir: string;
let warehouse: DuckDBWarehouse;
let pipeline: Pipeline;
let events: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-bronze-'));
  warehouse = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(warehouse);
  pipeline = loadPipeline('pipelines/shop.yml', YAML, {}).pipeline!;
  events = [];
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

/** 1,000 records of about 40 bytes in 10 pages, `pauseMs` apart; throws instead of yielding page `failAt`. */
function reader(failAt?: number, pauseMs = 5, resource = 'orders'): ResourceReader {
  return {
    resource,
    cursorField: 'id',
    since: () => undefined,
    pages: async function* () {
      for (let p = 0; p < PAGES; p++) {
        if (p === failAt) throw new Error(`the source broke at page ${p}`);
        events.push(resource === 'orders' ? `page ${p}` : `${resource} page ${p}`);
        yield Array.from({ length: PER_PAGE }, (_, i) => ({ id: p * PER_PAGE + i + 1, note: 'x'.repeat(20) }));
        await sleep(pauseMs);
      }
    },
  };
}

/** Slow appends that log when they start and end; the one numbered `failAt` fails. */
function slowAppends(w: Warehouse, failAt?: number): Warehouse {
  let n = 0;
  return new Proxy(w, {
    get(target, key, receiver) {
      if (key !== 'appendBronze') return Reflect.get(target, key, receiver);
      return async (...args: Parameters<Warehouse['appendBronze']>) => {
        const mine = ++n;
        events.push(`append ${mine} starts`);
        await sleep(30);
        if (mine === failAt) throw new Error(`append ${mine} failed`);
        const rows = await target.appendBronze(...args);
        events.push(`append ${mine} ends`);
        return rows;
      };
    },
  });
}

const files = async () => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.jsonl') || f.endsWith('.partial')).sort();
const bronzeRows = async () => (await warehouse.tableExists('bronze.shop_orders')) ? (await warehouse.query<{ n: number }>('SELECT COUNT(*) AS n FROM bronze.shop_orders'))[0].n : 0;

describe('a batch in several landing parts', () => {
  test('appends each part while the next is fetched, in one batch; replaying the parts adds nothing', async () => {
    const batch = await loadBronze(slowAppends(warehouse), pipeline, reader(), { runId: 'run_1', landingDir: dir, partBytes: 8_000 });
    expect(batch).toMatchObject({ received: 1_000, bronzeRows: 1_000, cursorAfter: '1000' });
    expect(batch.landingFiles.length).toBeGreaterThan(3);
    expect(batch.landingFiles.every((f) => /part-run_1\.shop\.orders-\d{4}\.jsonl$/.test(f) && existsSync(f))).toBe(true);
    expect((await files()).some((f) => f.endsWith('.partial'))).toBe(false);
    // Pages kept arriving while the first part was being appended.
    const firstStart = events.indexOf('append 1 starts');
    const firstEnd = events.indexOf('append 1 ends');
    expect(events.slice(firstStart, firstEnd).some((e) => e.startsWith('page'))).toBe(true);
    expect(await warehouse.query('SELECT COUNT(*) AS n, COUNT(DISTINCT _batch_id) AS batches FROM bronze.shop_orders')).toEqual([{ n: 1_000, batches: 1 }]);

    const replayed = await replayBronze(warehouse, pipeline, { resource: 'orders', cursorField: 'id' }, { of: batch.batchId, landingFiles: batch.landingFiles }, { runId: 'run_2' });
    expect(replayed).toMatchObject({ received: 1_000, bronzeRows: 0, cursorBefore: '1000', cursorAfter: '1000' });
  });

  test('a failed append stops the fetch; nothing of the batch is kept, no landing part is left', async () => {
    // Pages 40ms apart: the first append fails long before the fetch could end.
    await expect(loadBronze(slowAppends(warehouse, 1), pipeline, reader(undefined, 40), { runId: 'run_1', landingDir: dir, partBytes: 8_000 })).rejects.toThrow('append 1 failed');
    expect(await bronzeRows()).toBe(0);
    expect(await warehouse.query('SELECT * FROM meta.batches')).toEqual([]);
    expect(events).not.toContain(`page ${PAGES - 1}`);
    expect(await files()).toEqual([]);
  });

  test('a source failing after parts were appended rolls them back', async () => {
    await expect(loadBronze(slowAppends(warehouse), pipeline, reader(7), { runId: 'run_1', landingDir: dir, partBytes: 8_000 })).rejects.toThrow('the source broke at page 7');
    expect(events).toContain('append 1 ends');
    expect(await bronzeRows()).toBe(0);
    expect(await warehouse.query('SELECT * FROM meta.cursors')).toEqual([]);
    expect(await files()).toEqual([]);
  });
});

describe('the copy window', () => {
  const DAY = 86_400;
  const at = (days: number) => new Date(Date.UTC(2026, 10, 1) + days * DAY * 1000);
  const load = (days: number, copyWindowSeconds?: number) =>
    loadBronze(warehouse, pipeline, reader(undefined, 0), { runId: `run_${days}`, landingDir: dir, fetchedAt: at(days), copyWindowSeconds });

  test('copies fetched within the window are skipped; older ones are looked past, and appended again', async () => {
    expect((await load(0, 30 * DAY)).bronzeRows).toBe(1_000);
    // The same records 29 days later: their first copies are inside the window.
    expect((await load(29, 30 * DAY)).bronzeRows).toBe(0);
    // 31 days after the first load, those copies are past the window: the check does not reach them.
    expect((await load(31, 30 * DAY)).bronzeRows).toBe(1_000);
    // ...and the new copies are found by the next load.
    expect((await load(32, 30 * DAY)).bronzeRows).toBe(0);
    expect(await bronzeRows()).toBe(2_000);
  });

  test('without a window the whole of bronze is searched', async () => {
    await load(0);
    expect((await load(400)).bronzeRows).toBe(0);
  });

  test('a replay searches back from the original fetch time, so replaying an old batch adds nothing', async () => {
    const old = await load(0, 30 * DAY);
    await load(100, 30 * DAY);
    const replayed = await replayBronze(warehouse, pipeline, { resource: 'orders', cursorField: 'id' }, { of: old.batchId, landingFiles: old.landingFiles }, { runId: 'run_r', copyWindowSeconds: 30 * DAY });
    expect(replayed.bronzeRows).toBe(0);
  });
});

describe('resources loading at once', () => {
  const rows = async (table: string) => (await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM bronze.${table}`))[0].n;

  test('take turns with the warehouse, and one goes on fetching while the other holds it', async () => {
    const warehouseLock = new Lock();
    const slow = slowAppends(warehouse);
    // orders fetches fast and fills its first part first; returns fetches slowly, in the meantime.
    const [orders, returns] = await Promise.all([
      loadBronze(slow, pipeline, reader(undefined, 1), { runId: 'run_1', landingDir: dir, partBytes: 8_000, warehouseLock }),
      loadBronze(slow, pipeline, reader(undefined, 15, 'returns'), { runId: 'run_1', landingDir: dir, partBytes: 8_000, warehouseLock }),
    ]);
    expect([orders.bronzeRows, returns.bronzeRows]).toEqual([1_000, 1_000]);
    expect([await rows('shop_orders'), await rows('shop_returns')]).toEqual([1_000, 1_000]);
    expect(await warehouse.query('SELECT resource, bronze_rows FROM meta.batches ORDER BY resource')).toEqual([
      { resource: 'orders', bronze_rows: 1_000 },
      { resource: 'returns', bronze_rows: 1_000 },
    ]);
    // One batch's appends at a time: every append ends before the next starts.
    const appends = events.filter((e) => e.startsWith('append'));
    appends.forEach((e, i) => expect(e).toMatch(i % 2 === 0 ? / starts$/ : / ends$/));
    // returns was fetching while orders held the warehouse, and appended only after orders committed.
    const ordersAppends = orders.landingFiles.length;
    const ordersDone = events.indexOf(`append ${ordersAppends} ends`);
    // (More pages than its first part holds, which it fetches before asking for its turn.)
    expect(events.slice(events.indexOf('append 1 starts'), ordersDone).filter((e) => e.startsWith('returns page')).length).toBeGreaterThanOrEqual(4);
    expect(events.indexOf(`append ${ordersAppends + 1} starts`)).toBeGreaterThan(ordersDone);
  });

  test('a batch that fails gives up its turn: the other commits in full', async () => {
    const warehouseLock = new Lock();
    const [failed, loaded] = await Promise.allSettled([
      loadBronze(warehouse, pipeline, reader(7, 1), { runId: 'run_1', landingDir: dir, partBytes: 8_000, warehouseLock }),
      loadBronze(warehouse, pipeline, reader(undefined, 5, 'returns'), { runId: 'run_1', landingDir: dir, partBytes: 8_000, warehouseLock }),
    ]);
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('the source broke at page 7') });
    expect(loaded).toMatchObject({ status: 'fulfilled', value: { bronzeRows: 1_000 } });
    expect(await bronzeRows()).toBe(0);
    expect(await rows('shop_returns')).toBe(1_000);
  });
});

describe('records rejected before bronze', () => {
  test('each part appends all but its rejected records; a rejected record repeated in the batch is written once', async () => {
    // Every 7th record is Latin-1 text, and page 5 repeats page 4's; the pages fill several parts.
    const record = (id: number) => Buffer.from(`{"id":${id},"note":"${id % 7 === 0 ? 'caf\xe9' : 'cafe'}${'x'.repeat(20)}"}\n`, 'latin1');
    const pageOf = (p: number) => Buffer.concat(Array.from({ length: PER_PAGE }, (_, i) => record((p === 5 ? 4 : p) * PER_PAGE + i + 1)));
    const hostile: ResourceReader = {
      resource: 'orders',
      cursorField: 'id',
      since: () => undefined,
      pages: async function* () {
        for (let p = 0; p < PAGES; p++) yield copyJsonLines(pageOf(p), 'id');
      },
    };
    const batch = await loadBronze(warehouse, pipeline, hostile, { runId: 'run_1', landingDir: dir, partBytes: 8_000 });
    expect(batch.landingFiles.length).toBeGreaterThan(3);
    const ids = Array.from({ length: PAGES * PER_PAGE }, (_, i) => i + 1).filter((id) => id <= 500 || id > 600);
    const good = ids.filter((id) => id % 7 !== 0);
    const bad = ids.filter((id) => id % 7 === 0);
    // received = appended + exact copies skipped + rejected; page 5's 100 records are the copies.
    expect(batch).toMatchObject({ received: 1_000, bronzeRows: good.length, rejected: bad.length });
    expect(batch.received - batch.bronzeRows - batch.rejected).toBe(PER_PAGE);
    const loaded = await warehouse.query<{ id: number }>("SELECT CAST(json_extract(_record, '$.id') AS INTEGER) AS id FROM bronze.shop_orders ORDER BY id");
    expect(loaded.map((r) => r.id)).toEqual(good);
    const rejected = await warehouse.query<{ id: number; reasons: string; batch_id: string }>(
      "SELECT CAST(json_extract(record, '$.id') AS INTEGER) AS id, reasons, batch_id FROM meta.rejected WHERE table_name = 'bronze.shop_orders' ORDER BY id",
    );
    expect(rejected.map((r) => r.id)).toEqual(bad);
    expect(new Set(rejected.map((r) => `${r.reasons} ${r.batch_id}`))).toEqual(new Set([`invalid_utf8 ${batch.batchId}`]));
    expect(await warehouse.query('SELECT received, bronze_rows, rejected FROM meta.batches')).toEqual([{ received: 1_000, bronze_rows: good.length, rejected: bad.length }]);
    // The landing parts keep all 1,000 records; no copy made for the warehouse is left.
    expect((await files()).every((f) => f.endsWith('.jsonl'))).toBe(true);
    expect((await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.loadable'))).toEqual([]);
    expect((await Promise.all(batch.landingFiles.map((f) => readFile(f, 'latin1')))).join('').split('\n').filter(Boolean)).toHaveLength(1_000);
  });
});

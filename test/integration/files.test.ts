// The files source end to end: JSON lines and CSV dropped in the partitioned layout, each file loaded
// once (meta.loaded_files), a rewritten file read again without duplicating its records, and a bad
// file failing its batch with file:line while nothing of that batch is kept.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { resolveSettings, runProject, type PipelineRun, type Settings } from '../../src/engine.js';
import { parseWindow } from '../../src/backfill.js';
import { count, withDatabase } from '../helpers/project.js';

const PIPELINE = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: drops
source:
  kind: files
  path: { env: DROPS_DIR, default: drop }
  resources:
    sales: { primary_key: [id] }
    stock: { files: "stock/*.csv", delimiter: ";" }
silver:
  sales:
    from: sales
    key: [sale_id]
    latest_by: updated_at
    columns:
      sale_id:    { path: id, type: integer, required: true }
      amount:     { path: amount, type: "decimal(10,2)", required: true, min: 0 }
      updated_at: { path: updated_at, type: timestamp, required: true }
  stock:
    from: stock
    key: [sku]
    columns:
      sku:     { path: sku, type: string, required: true }
      on_hand: { path: on_hand, type: integer, required: true }
`;

let dir: string;
let settings: Settings;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-files-project-'));
  await drop('pipelines/drops.yml', PIPELINE);
  settings = resolveSettings({ projectDir: dir, env: {} });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function drop(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}
const sale = (id: number, amount: number, at = '2026-11-20T09:00:00Z') => JSON.stringify({ id, amount, updated_at: at });
const SALES = 'drop/source=sales/dt=2026-11-20';

async function run(): Promise<PipelineRun> {
  const [pipeline] = (await runProject(settings, { steps: ['ingest', 'transform'] })).pipelines;
  return pipeline;
}
const received = (r: PipelineRun) => Object.fromEntries(r.batches.map((b) => [b.resource, [b.received, b.bronzeRows]]));
const silver = (table: string) => withDatabase(settings, (w) => w.query(`SELECT * EXCLUDE (_batch_id, _record_hash, _loaded_at) FROM silver.${table} ORDER BY 1`));
const loadedFiles = () => withDatabase(settings, (w) => w.query<{ path: string; records: number }>('SELECT path, records FROM meta.loaded_files ORDER BY loaded_at, path'));

describe('the files source', () => {
  test('loads JSON lines and CSV once each; new files add only what is new', async () => {
    await drop(`${SALES}/hour=09/part-0001.jsonl`, [sale(1, 10), sale(2, 20.5), sale(3, 3)].join('\n') + '\n');
    await drop(`${SALES}/hour=10/part-0001.csv`, 'id,amount,updated_at\n4,"1,000.00",2026-11-20T10:00:00Z\n5,7.25,2026-11-20T10:05:00Z\n');
    await drop(`${SALES}/hour=10/part-0002.jsonl.tmp`, 'still being written');
    await drop('drop/stock/2026-11-20.csv', 'sku;on_hand\nA-1;5\n"B;2";0\n');

    const first = await run();
    expect(first.error).toBeUndefined();
    expect(received(first)).toEqual({ sales: [5, 5], stock: [2, 2] });
    // "1,000.00" is not a decimal: rejected with its reason, not lost.
    expect(first.silverLoads.map((l) => [l.table, l.accepted, l.rejected])).toEqual([['silver.sales', 4, 1], ['silver.stock', 2, 0]]);
    expect(await silver('stock')).toEqual([{ sku: 'A-1', on_hand: 5 }, { sku: 'B;2', on_hand: 0 }]);
    expect((await loadedFiles()).map((f) => [f.path, f.records]).sort()).toEqual([
      ['source=sales/dt=2026-11-20/hour=09/part-0001.jsonl', 3],
      ['source=sales/dt=2026-11-20/hour=10/part-0001.csv', 2],
      ['stock/2026-11-20.csv', 2],
    ]);

    const again = await run();
    expect(received(again)).toEqual({ sales: [0, 0], stock: [0, 0] });

    // A new hour repeats a record exactly (an upstream re-export) and updates another.
    await drop(`${SALES}/hour=11/part-0001.jsonl`, [sale(3, 3), sale(6, 60), sale(1, 11, '2026-11-20T11:00:00Z')].join('\n'));
    const later = await run();
    expect(received(later)).toEqual({ sales: [3, 2], stock: [0, 0] });
    expect((await silver('sales')).map((r) => [r.sale_id, r.amount])).toEqual([[1, 11], [2, 20.5], [3, 3], [5, 7.25], [6, 60]]);
  });

  test('a file rewritten with more records is read again; only the new records are appended', async () => {
    await drop(`${SALES}/hour=09/part-0001.jsonl`, sale(1, 10) + '\n');
    await run();
    await drop(`${SALES}/hour=09/part-0001.jsonl`, [sale(1, 10), sale(2, 20)].join('\n') + '\n');
    const rewritten = await run();
    expect(received(rewritten)).toEqual({ sales: [2, 1], stock: [0, 0] });
    expect((await loadedFiles()).filter((f) => f.path.includes('hour=09'))).toHaveLength(2);
    await withDatabase(settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.drops_sales')).toBe(2));
  });

  test('a file with a bad line fails its batch with file:line; none of that batch is kept, and the fix loads all', async () => {
    await drop(`${SALES}/hour=09/part-0001.jsonl`, sale(1, 10) + '\n');
    await run();
    await drop(`${SALES}/hour=10/part-0001.jsonl`, sale(2, 20) + '\n');
    await drop(`${SALES}/hour=11/part-0001.jsonl`, `${sale(3, 30)}\n{"id": 4, "amount": \n`);
    const failed = await run();
    expect(failed.error).toMatch(/source=sales\/dt=2026-11-20\/hour=11\/part-0001\.jsonl:2: not a JSON value/);
    expect(await loadedFiles()).toHaveLength(1);
    await withDatabase(settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.drops_sales')).toBe(1));

    await drop(`${SALES}/hour=11/part-0001.jsonl`, `${sale(3, 30)}\n${sale(4, 40)}\n`);
    const fixed = await run();
    expect(fixed.error).toBeUndefined();
    expect(received(fixed).sales).toEqual([3, 3]);
    expect((await silver('sales')).map((r) => r.sale_id)).toEqual([1, 2, 3, 4]);
  });

  test('a line that is not UTF-8, or nests too deep, is rejected and kept; the rest of the file loads', async () => {
    const latin1 = Buffer.from('{"id":2,"amount":5,"updated_at":"2026-11-20T09:00:00Z","shop":"Caf\xe9"}', 'latin1');
    const deep = `{"id":3,"amount":5,"updated_at":"2026-11-20T09:00:00Z","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    await mkdir(join(dir, `${SALES}/hour=09`), { recursive: true });
    await writeFile(join(dir, `${SALES}/hour=09/part-0001.jsonl`), Buffer.concat([Buffer.from(`${sale(1, 10)}\n`), latin1, Buffer.from(`\n${deep}\n${sale(4, 40)}\n`)]));
    const first = await run();
    expect(first.error).toBeUndefined();
    const batch = first.batches.find((b) => b.resource === 'sales')!;
    expect(batch).toMatchObject({ received: 4, bronzeRows: 2, rejected: 2 });
    expect((await silver('sales')).map((r) => r.sale_id)).toEqual([1, 4]);
    await withDatabase(settings, async (w) => {
      expect(await w.query("SELECT reasons, LEFT(record, 80) AS record FROM meta.rejected WHERE table_name = 'bronze.drops_sales' ORDER BY reasons")).toEqual([
        { reasons: 'invalid_utf8', record: '{"id":2,"amount":5,"updated_at":"2026-11-20T09:00:00Z","shop":"Caf\uFFFD"}' },
        { reasons: 'too_deep', record: deep.slice(0, 80) },
      ]);
    });
    expect((await loadedFiles()).map((f) => f.records)).toEqual([4]);
    // The landing file keeps the rejected lines byte for byte.
    expect((await readFile(batch.landingFiles[0])).includes(latin1)).toBe(true);
  });

  test("a backfill re-reads the files of its window's dt= partitions, loaded or not; bronze keeps one copy of each record", async () => {
    await drop(`${SALES}/hour=09/part-0001.jsonl`, [sale(1, 10), sale(2, 20)].join('\n') + '\n');
    await drop('drop/source=sales/dt=2026-11-21/hour=09/part-0001.jsonl', [sale(3, 30, '2026-11-21T09:00:00Z'), sale(4, 40, '2026-11-21T09:00:00Z')].join('\n') + '\n');
    await drop('drop/stock/2026-11-21.csv', 'sku;on_hand\nA-1;5\n');
    await run();
    // A record lost after it was loaded.
    await withDatabase(settings, async (w) => {
      await w.execute(`DELETE FROM bronze.drops_sales WHERE _record->>'id' = '4'`);
      await w.execute('DELETE FROM silver.sales WHERE sale_id = 4');
    });
    const result = await runProject(settings, { steps: ['ingest', 'transform'], window: parseWindow('2026-11-21', '2026-11-21') });
    const [backfill] = result.pipelines;
    // Only dt=2026-11-21 is read: two records, one of them missing from bronze. stock has no dt= partitions.
    expect(received(backfill)).toEqual({ sales: [2, 1], stock: [0, 0] });
    expect(backfill.backfill?.notes).toContain(
      'drops.sales: backfill of [2026-11-21T00:00:00Z, 2026-11-22T00:00:00Z): re-reading the files of the partitions dt=2026-11-21, loaded before or not ' +
        '(bronze skips exact copies); files whose path has no dt= partition are not read',
    );
    expect((await silver('sales')).map((r) => r.sale_id)).toEqual([1, 2, 3, 4]);
    await withDatabase(settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.drops_sales')).toBe(4));
    // The next normal run reads nothing again.
    expect(received(await run())).toEqual({ sales: [0, 0], stock: [0, 0] });
  });

  test('the folder comes from the environment when set', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'dataops-drops-'));
    try {
      await mkdir(join(elsewhere, 'source=sales/dt=2026-11-20/hour=09'), { recursive: true });
      await writeFile(join(elsewhere, 'source=sales/dt=2026-11-20/hour=09/part-0001.jsonl'), sale(9, 9));
      await mkdir(join(elsewhere, 'stock'));
      settings = resolveSettings({ projectDir: dir, env: { DROPS_DIR: elsewhere } });
      expect(received(await run())).toEqual({ sales: [1, 1], stock: [0, 0] });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

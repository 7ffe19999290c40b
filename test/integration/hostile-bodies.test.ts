// Hostile response bodies through the real engine (runProject) against a loopback API: records that
// are not UTF-8 or nest too deep are rejected before bronze while the rest of their page loads; a
// page nested too deep around its records, and HTML where JSON was expected, fail the batch with a
// clear error and leave nothing written.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { loadProject } from '../../src/project.js';
import { resolveSettings, runProject, type PipelineRun, type Settings } from '../../src/engine.js';
import { tallyPipeline } from '../../src/report/tally.js';
import { readStatus } from '../../src/state/status.js';
import { count, withDatabase } from '../helpers/project.js';

const KEY = 'shop-key-4d1f7a9c2e';
const PIPELINE = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: shop
source:
  kind: http
  base_url: { env: SHOP_API_URL }
  auth: { kind: api_key, in: query, name: api_key, value: { env: SHOP_API_KEY } }
  resources:
    orders:
      path: /orders
      records: data
      paginate: { kind: cursor, cursor: next, param: cursor }
      incremental: { field: updated_at, param: since, initial: "2026-01-01T00:00:00Z" }
silver:
  orders:
    from: orders
    key: [order_id]
    latest_by: updated_at
    columns:
      order_id:   { path: id, type: integer, required: true }
      updated_at: { path: updated_at, type: timestamp, required: true }
`;
const HTTP = { maxAttempts: 3, backoffMs: 1 };

interface Reply {
  status?: number;
  type?: string | null;
  body: Buffer | string;
}
/** What the API answers, by the request's cursor ('' for the first page). */
let replies: Map<string, Reply>;
let requests: string[];
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const cursor = new URL(req.url!, 'http://x').searchParams.get('cursor') ?? '';
    requests.push(req.url!);
    const reply = replies.get(cursor) ?? { status: 404, body: '{"error":"no such page"}' };
    const headers: Record<string, string> = {};
    if (reply.type !== null) headers['content-type'] = reply.type ?? 'application/json';
    res.writeHead(reply.status ?? 200, headers);
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let dir: string;
let settings: Settings;
beforeEach(async () => {
  replies = new Map();
  requests = [];
  dir = await mkdtemp(join(tmpdir(), 'dataops-hostile-'));
  await mkdir(join(dir, 'pipelines'));
  await writeFile(join(dir, 'pipelines/shop.yml'), PIPELINE);
  settings = resolveSettings({ projectDir: dir, env: { SHOP_API_URL: url, SHOP_API_KEY: KEY } });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function run(options: { replayBatch?: string } = {}): Promise<PipelineRun> {
  const [pipeline] = (await runProject(settings, { steps: ['ingest', 'transform'], http: HTTP, ...options })).pipelines;
  return pipeline;
}

const order = (id: number, extra = '') => Buffer.from(`{"id":${id},"updated_at":"2026-03-0${id}T00:00:00Z"${extra}}`);
const page = (records: Buffer[], next: string | null) =>
  Buffer.concat([Buffer.from('{"data":[\n  '), ...records.flatMap((r, i) => (i ? [Buffer.from(',\n  '), r] : [r])), Buffer.from(`\n],"next":${JSON.stringify(next)}}`)]);

async function landingFiles(): Promise<string[]> {
  const root = join(dir, '.dataops/landing');
  return existsSync(root) ? (await readdir(root, { recursive: true })).filter((f) => /\.(jsonl|partial|loadable)$/.test(f)).sort() : [];
}

describe('records that cannot be stored as they came', () => {
  // Latin-1 text (é as the single byte 0xe9), and a record nested 100,000 arrays deep.
  const latin1 = Buffer.from('{"id":4,"updated_at":"2026-03-09T00:00:00Z","name":"Caf\xe9"}', 'latin1');
  const deep = Buffer.from(`{"id":5,"updated_at":"2026-03-09T00:00:00Z","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);

  test('are rejected before bronze, kept in the landing file and meta.rejected; the rest of their pages load', async () => {
    replies.set('', { body: page([order(1), latin1, order(2)], 'p2') });
    replies.set('p2', { body: page([deep, order(3)], null) });

    const first = await run();
    expect(first.error).toBeUndefined();
    const [batch] = first.batches;
    expect(batch).toMatchObject({ received: 5, bronzeRows: 3, rejected: 2 });
    // received = appended + exact copies skipped + rejected: no copies in a first load.
    expect(batch.received - batch.bronzeRows - batch.rejected).toBe(0);
    // The cursor is the newest of the loaded records, not of the rejected ones.
    expect(batch.cursorAfter).toBe('2026-03-03T00:00:00Z');

    await withDatabase(settings, async (w) => {
      expect(await w.query('SELECT _record::VARCHAR AS r FROM bronze.shop_orders ORDER BY 1')).toEqual([1, 2, 3].map((id) => ({ r: order(id).toString() })));
      const rejected = await w.query<{ run_id: string; batch_id: string; table_name: string; reasons: string; record: string; element_index: number | null }>(
        `SELECT run_id, batch_id, table_name, reasons, record, element_index FROM meta.rejected ORDER BY reasons`,
      );
      expect(rejected.map((r) => [r.batch_id, r.table_name, r.reasons, r.element_index])).toEqual([
        [batch.batchId, 'bronze.shop_orders', 'invalid_utf8', null],
        [batch.batchId, 'bronze.shop_orders', 'too_deep', null],
      ]);
      // The byte that is not UTF-8 shows as U+FFFD; the rest of the record as it came.
      expect(rejected[0].record).toBe('{"id":4,"updated_at":"2026-03-09T00:00:00Z","name":"Caf\uFFFD"}');
      expect(rejected[1].record.startsWith('{"id":5,"updated_at":"2026-03-09T00:00:00Z","x":[[[')).toBe(true);
      expect(await w.query('SELECT received, bronze_rows, rejected FROM meta.batches')).toEqual([{ received: 5, bronze_rows: 3, rejected: 2 }]);
      expect(await w.query('SELECT bronze, accepted, rejected, conserved FROM meta.silver_loads')).toEqual([{ bronze: 3, accepted: 3, rejected: 0, conserved: true }]);
      // What status, the site and the job summary show.
      const [status] = (await readStatus(w, await loadProject(dir, settings.env))).pipelines;
      expect(status.batches).toMatchObject([{ received: 5, bronze_rows: 3, rejected: 2 }]);
      expect(status.rejected).toEqual(expect.arrayContaining([{ table: 'bronze.shop_orders', reason: 'invalid_utf8', rows: 1 }]));
      expect(tallyPipeline(status)).toMatchObject({ loaded: 3, accepted: 3, rejected: 2, conserved: true });
    });
    // The landing file holds every record, byte for byte, in the order received; no load copy is left.
    expect(await landingFiles()).toHaveLength(1);
    expect(batch.landingFiles).toHaveLength(1);
    expect((await readFile(batch.landingFiles[0])).equals(Buffer.concat([order(1), latin1, order(2), deep, order(3)].flatMap((r) => [r, Buffer.from('\n')])))).toBe(true);

    // The API serves the same records again: exact copies, neither appended nor rejected twice.
    const second = await run();
    expect(second.error).toBeUndefined();
    expect(second.batches[0]).toMatchObject({ received: 5, bronzeRows: 0, rejected: 0 });
    await withDatabase(settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM meta.rejected')).toBe(2);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.shop_orders')).toBe(3);
    });

    // Replayed into an empty warehouse, the landing file gives the same bronze and the same rejections.
    settings = resolveSettings({ projectDir: dir, database: join(dir, 'replayed.duckdb'), env: settings.env });
    const replayed = await run({ replayBatch: batch.batchId });
    expect(replayed.error).toBeUndefined();
    expect(replayed.batches[0]).toMatchObject({ received: 5, bronzeRows: 3, rejected: 2 });
    await withDatabase(settings, async (w) => {
      expect(await w.query('SELECT _record::VARCHAR AS r FROM bronze.shop_orders ORDER BY 1')).toEqual([1, 2, 3].map((id) => ({ r: order(id).toString() })));
      expect(await w.query('SELECT reasons, record FROM meta.rejected WHERE reasons = \'invalid_utf8\'')).toEqual([
        { reasons: 'invalid_utf8', record: '{"id":4,"updated_at":"2026-03-09T00:00:00Z","name":"Caf\uFFFD"}' },
      ]);
    });
    expect((await landingFiles()).filter((f) => f.endsWith('.loadable'))).toEqual([]);
  });

  test('a page of nothing but such records loads nothing and still counts them', async () => {
    replies.set('', { body: page([latin1, deep], null) });
    const [batch] = (await run()).batches;
    expect(batch).toMatchObject({ received: 2, bronzeRows: 0, rejected: 2 });
    await withDatabase(settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.shop_orders')).toBe(0);
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.rejected WHERE table_name = 'bronze.shop_orders'")).toBe(2);
    });
  });
});

describe('a page the engine cannot read fails its batch: clear error, nothing written, cursor unmoved', () => {
  const bodyOf = (depth: number) => `{"data":[{"id":9,"updated_at":"2026-03-09T00:00:00Z"}],"meta":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},"next":null}`;
  // [name, the second page's reply, the error, how many times that page is asked for]
  test.each<[string, Reply, RegExp, number]>([
    [
      'an HTML sign-in page (200, text/html): not retried',
      { type: 'text/html; charset=utf-8', body: `<!DOCTYPE html>\n<html><head><title>\n  Sign in · Shop ${KEY}\n</title></head><body>…</body></html>` },
      /^resource orders: http:\/\/127\.0\.0\.1:\d+\/orders\?since=2026-01-01T00%3A00%3A00Z&cursor=p2: expected JSON, got HTTP 200, content-type text\/html; charset=utf-8: a page titled "Sign in · Shop \*\*\*"$/,
      1,
    ],
    [
      'plain text (200, text/plain): not retried',
      { type: 'text/plain', body: 'Service   temporarily\nunavailable' },
      /: expected JSON, got HTTP 200, content-type text\/plain: Service temporarily unavailable$/,
      1,
    ],
    [
      'an HTML error page that says it is JSON: retried, as a garbled body would be',
      { body: '<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>' },
      /: giving up after 3 attempts: invalid JSON body \(HTTP 200, content-type application\/json: a page titled "502 Bad Gateway"\)$/,
      3,
    ],
    [
      'a body with no content-type that is not JSON: retried',
      { type: null, body: 'oops' },
      /: giving up after 3 attempts: invalid JSON body \(HTTP 200, no content-type: oops\)$/,
      3,
    ],
    [
      'a body nested 100,000 deep around its records: not retried',
      { body: bodyOf(100_000) },
      /^resource orders: http:\/\/127\.0\.0\.1:\d+\/orders\?.*: the body nests deeper than 1000 levels outside its records, at byte \d+; the page cannot be read safely$/,
      1,
    ],
  ])('%s', async (_name, reply, error, asked) => {
    replies.set('', { body: page([order(1)], 'p2') });
    replies.set('p2', reply);
    const failed = await run();
    expect(failed.error).toMatch(error);
    expect(failed.error).not.toContain(KEY);
    expect(requests.filter((r) => r.includes('cursor=p2'))).toHaveLength(asked);
    await withDatabase(settings, async (w) => {
      // Nothing of the batch: no bronze row, no batch, no cursor, no rejection.
      expect(await w.tableExists('bronze.shop_orders') ? await count(w, 'SELECT COUNT(*) AS n FROM bronze.shop_orders') : 0).toBe(0);
      for (const table of ['meta.batches', 'meta.cursors', 'meta.rejected']) expect(await count(w, `SELECT COUNT(*) AS n FROM ${table}`), table).toBe(0);
    });
    expect(await landingFiles()).toEqual([]);

    // Once the API answers properly, the next run loads both pages.
    replies.set('p2', { body: page([order(2)], null) });
    const next = await run();
    expect(next.error).toBeUndefined();
    expect(next.batches[0]).toMatchObject({ received: 2, bronzeRows: 2, rejected: 0, cursorAfter: '2026-03-02T00:00:00Z' });
  });

  test(`a body nested ${1000} levels around its records is read`, async () => {
    replies.set('', { body: bodyOf(1000) });
    const loaded = await run();
    expect(loaded.error).toBeUndefined();
    expect(loaded.batches[0]).toMatchObject({ received: 1, bronzeRows: 1 });
  });
});

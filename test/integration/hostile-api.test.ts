// The real engine against an API that misbehaves on purpose, after one honest run: paginators that
// never end while handing out fresh records, links and redirects to another origin, a Retry-After of an
// hour, a body that never ends. Each run must end with a clear message recorded in meta.runs, no stack
// trace, nothing of its batch in bronze or meta.batches, and the cursor where the honest run left it.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { resolveSettings, runProject, type Settings } from '../../src/engine.js';
import { startOrigin, type Handler, type Origin } from '../helpers/origin.js';
import { count, withDatabase } from '../helpers/project.js';

let api: Origin;
let other: Origin;
let dir: string | undefined;
beforeAll(async () => {
  [api, other] = await Promise.all([startOrigin(), startOrigin()]);
});
afterAll(async () => {
  for (const o of [api, other]) await o.close();
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const TOKEN = 'hostile-test-token-7c1d';
// A token in a custom header and one in a query parameter, both from the environment.
const PARTNER_KEY = 'partner-key-from-env-91ab';
const REGION_KEY = 'region-key-from-env-3f0e';

async function project(paginate: string): Promise<Settings> {
  dir = await mkdtemp(join(tmpdir(), 'dataops-hostile-'));
  await mkdir(join(dir, 'pipelines'));
  await writeFile(
    join(dir, 'pipelines/shop.yml'),
    `name: shop
source:
  kind: http
  base_url: { env: SHOP_API_URL }
  auth: { kind: bearer, token: { env: SHOP_API_TOKEN } }
  headers: { x-partner: { env: SHOP_PARTNER_KEY }, x-tenant: acme-retail }
  timeout: 5s
  max_response_size: 1MB
  resources:
    orders:
      path: /orders
      params: { region: { env: SHOP_REGION_KEY } }
      records: data
      paginate: ${paginate}
      incremental: { field: updated_at, param: since, initial: "2026-01-01T00:00:00Z" }
      max_pages: 6
silver:
  orders:
    from: orders
    key: [id]
    latest_by: updated_at
    columns:
      id: { path: id, type: integer, required: true }
      updated_at: { path: updated_at, type: timestamp }
`,
  );
  return resolveSettings({ projectDir: dir, env: { ...process.env, SHOP_API_URL: api.url, SHOP_API_TOKEN: TOKEN, SHOP_PARTNER_KEY: PARTNER_KEY, SHOP_REGION_KEY: REGION_KEY } });
}

// Every page, honest or not, has records never seen before, newer than the cursor: loading any of them would show.
let nextId = 0;
const fresh = (n = 2) =>
  Array.from({ length: n }, () => {
    nextId += 1;
    return { id: nextId, updated_at: new Date(Date.UTC(2026, 5, 1) + nextId * 60_000).toISOString() };
  });
const honest: Handler = () => ({ data: fresh(1), next: null });

test.each<[string, string, Handler, RegExp]>([
  ['a cursor that repeats', '{ kind: cursor, cursor: next, param: cursor }', () => ({ data: fresh(), next: 'c-1' }), /^resource orders: the API returned cursor "c-1" twice/],
  ['a next URL that repeats', '{ kind: next_url, next: next }', () => ({ data: fresh(), next: '/orders?page=2' }), /^resource orders: the API returned next page \/orders\?page=2 twice/],
  [
    'a Link header that repeats',
    '{ kind: link_header }',
    (_u, _req, res) => {
      res.setHeader('link', '</orders?page=2>; rel="next"');
      return { data: fresh() };
    },
    /^resource orders: the API returned next page \/orders\?page=2 twice/,
  ],
  ['an offset API that ignores the offset', '{ kind: offset, limit: 2 }', () => ({ data: fresh(2) }), /^resource orders: read max_pages \(6\) pages and the API still links to another; .*raise source\.resources\.orders\.max_pages$/],
  ['a page API that ignores the page', '{ kind: page, size: 2 }', () => ({ data: fresh(2) }), /^resource orders: read max_pages \(6\) pages and the API still links to another/],
  [
    'a next URL to another origin',
    '{ kind: next_url, next: next }',
    () => ({ data: fresh(), next: `${other.url}/orders?page=2` }),
    /^resource orders: the next page link http:\/\/127\.0\.0\.1:\d+\/orders\?page=2 points at http:\/\/127\.0\.0\.1:\d+, not at base_url's origin/,
  ],
  [
    'a redirect to another origin on the second page',
    '{ kind: next_url, next: next }',
    (u, _req, res) => {
      if (!u.searchParams.has('page')) return { data: fresh(), next: '/orders?page=2' };
      res.writeHead(302, { location: `${other.url}/orders?page=2` }).end();
    },
    /^resource orders: .*\/orders\?.*page=2: the redirect to http:\/\/127\.0\.0\.1:\d+\/orders\?page=2 points at http:\/\/127\.0\.0\.1:\d+, not at base_url's origin/,
  ],
  [
    'a Retry-After of an hour',
    '{ kind: next_url, next: next }',
    (u, _req, res) => {
      if (!u.searchParams.has('page')) return { data: fresh(), next: '/orders?page=2' };
      res.writeHead(503, { 'retry-after': '3600' }).end('{}');
    },
    /^resource orders: .*page=2: HTTP 503: the API asked to retry after 3600 s, more than max_retry_after 60 s; stopping instead of waiting/,
  ],
  [
    'a body that streams on without end',
    '{ kind: next_url, next: next }',
    (u, req, res) => {
      if (!u.searchParams.has('page')) return { data: fresh(), next: '/orders?page=2' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      const timer = setInterval(() => res.write(`${JSON.stringify(fresh(100)).slice(1, -1)},`), 1);
      req.socket.on('close', () => clearInterval(timer));
    },
    /^resource orders: .*page=2: HTTP 200: the response went on past max_response_size 1 MB; stopping instead of reading it into memory/,
  ],
  [
    'an error body that echoes header and parameter values from the environment',
    '{ kind: none }',
    (u, req, res) => res.writeHead(400).end(`partner=${req.headers['x-partner']} region=${u.searchParams.get('region')} tenant=${req.headers['x-tenant']}`),
    /^resource orders: http:\/\/127\.0\.0\.1:\d+\/orders\?region=\*\*\*&since=.*: HTTP 400: partner=\*\*\* region=\*\*\* tenant=acme-retail$/,
  ],
])('%s: the run fails with a clear message, and nothing of it is kept', async (_name, paginate, hostile, expected) => {
  const settings = await project(paginate);
  const http = { maxAttempts: 2, backoffMs: 1 };
  api.fallback = honest;
  const first = await runProject(settings, { steps: ['ingest', 'transform'], http });
  expect(first.pipelines[0].error).toBeUndefined();
  const state = (runId: string) =>
    withDatabase(settings, async (w) => ({
      bronze: await count(w, 'SELECT COUNT(*) AS n FROM bronze.shop_orders'),
      batchRows: await count(w, `SELECT COUNT(*) AS n FROM bronze.shop_orders WHERE _batch_id LIKE '${runId}%'`),
      batches: await count(w, `SELECT COUNT(*) AS n FROM meta.batches WHERE run_id = '${runId}'`),
      silver: await count(w, 'SELECT COUNT(*) AS n FROM silver.orders'),
      cursor: (await w.query<{ value: string }>("SELECT value FROM meta.cursors WHERE pipeline = 'shop'")).map((r) => r.value),
      runs: await w.query<{ status: string; error: string | null }>(`SELECT status, error FROM meta.runs WHERE run_id = '${runId}'`),
    }));
  const before = await state(first.runId);
  expect(before).toMatchObject({ bronze: 1, batchRows: 1, batches: 1, silver: 1, runs: [{ status: 'success', error: null }] });

  api.fallback = hostile;
  other.requests.length = 0;
  other.fallback = () => ({ data: fresh() });
  const lines: string[] = [];
  const run = await runProject(settings, { steps: ['ingest', 'transform'], http, log: (l) => lines.push(l) });
  const error = run.pipelines[0].error;
  expect(run.ok).toBe(false);
  expect(error).toMatch(expected);
  expect(error).not.toMatch(/\n\s+at /);
  for (const secret of [TOKEN, PARTNER_KEY, REGION_KEY]) expect(error).not.toContain(secret);
  expect(lines).toContain(`shop: ingest FAILED: ${error}`);
  expect(other.requests, 'the other origin got no request').toEqual([]);

  const after = await state(run.runId);
  expect(after.runs).toEqual([{ status: 'failed', error: `ingest: ${error}` }]);
  expect(after).toMatchObject({ bronze: before.bronze, batchRows: 0, batches: 0, silver: before.silver, cursor: before.cursor });
  const landed = await readdir(settings.landingDir, { recursive: true });
  expect(landed.filter((f) => f.includes(run.runId)), 'no landing file, whole or partial, of the failed run').toEqual([]);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../../src/demo/data.js';
import type { FaultPlan } from '../../../src/demo/faults.js';
import { startDemoApi, type DemoApi } from '../../../src/demo/server.js';

const TOKEN = 'demo-secret-token';
const ANCHOR = new Date('2026-11-20T13:27:45Z');
const expected = generateRetailData({ anchor: ANCHOR });
/** Fails a walk that does not end instead of letting it spin. */
const MAX_PAGES = 1_000;

let api: DemoApi;

beforeAll(async () => {
  api = await startDemoApi({ token: TOKEN, anchor: ANCHOR });
});
afterAll(async () => {
  await api?.close();
});

async function get(path: string, token: string | null = TOKEN): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(new URL(path, api.url), {
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

describe('startDemoApi', () => {
  it('listens on a free loopback port', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.url.endsWith(':0')).toBe(false);
  });

  it('answers /health without a token', async () => {
    expect(await get('/health', null)).toEqual({ status: 200, type: 'application/json', body: { ok: true } });
  });

  it.each(['/v1/transactions', '/v1/customers', '/v1/products', '/v1/inventory/movements', '/nope'])(
    'refuses %s without the right bearer token',
    async (path) => {
      for (const token of [null, 'wrong-token', '']) {
        expect(await get(path, token)).toEqual({ status: 401, type: 'application/json', body: { error: 'unauthorized' } });
      }
    },
  );

  it('answers an unknown path with a JSON 404', async () => {
    const response = await get('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('not_found');
  });

  it.each([
    ['/v1/transactions?limit=0', 'limit'],
    ['/v1/transactions?limit=501', 'limit'],
    ['/v1/transactions?limit=ten', 'limit'],
    ['/v1/transactions?updated_since=yesterday', 'updated_since'],
    ['/v1/transactions?cursor=not-a-cursor', 'cursor'],
    ['/v1/customers?offset=-1', 'offset'],
    ['/v1/products?page=0', 'page'],
    ['/v1/products?per_page=1.5', 'per_page'],
    ['/v1/inventory/movements?since=2026-13-45', 'since'],
    ['/v1/inventory/movements?after=x', 'after'],
  ])('rejects %s with a 400 naming %s', async (path, parameter) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    expect(response.type).toBe('application/json');
    expect(response.body.message).toContain(`"${parameter}"`);
  });

  async function walkTransactions(query: string): Promise<any[]> {
    const seen = [];
    let cursor: string | null = null;
    for (let page = 0; ; page++) {
      expect(page).toBeLessThan(MAX_PAGES);
      const response = await get(`/v1/transactions?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...response.body.data);
      cursor = response.body.next_cursor;
      if (cursor === null) return seen;
      expect(response.body.data.length).toBeGreaterThan(0);
    }
  }

  it('walks transactions by cursor in (updated_at, id) order, each once', async () => {
    const seen = await walkTransactions('limit=97');
    const key = (t: { updated_at: string; id: number }) => `${t.updated_at}|${String(t.id).padStart(12, '0')}`;
    expect(seen.map(key)).toEqual(seen.map(key).sort());
    expect(new Set(seen.map((t) => t.id)).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a.id - b.id)).toEqual(expected.transactions);
    expect(seen.length).toBeGreaterThan(500);
  });

  it('filters transactions by updated_since', async () => {
    const since = '2026-11-19T00:00:00Z';
    const seen = await walkTransactions(`updated_since=${since}&limit=100`);
    const wanted = expected.transactions.filter((t) => t.updated_at >= since);
    expect(seen.map((t) => t.id).sort((a, b) => a - b)).toEqual(wanted.map((t) => t.id));
    expect(seen.length).toBeGreaterThan(100);
    expect((await get('/v1/transactions?updated_since=2099-01-01T00:00:00Z')).body).toEqual({ data: [], next_cursor: null });
  });

  it('bounds transactions by updated_before (exclusive), for a backfill window', async () => {
    const [since, before] = ['2026-11-15T00:00:00Z', '2026-11-17T00:00:00Z'];
    const seen = await walkTransactions(`updated_since=${since}&updated_before=${before}&limit=100`);
    const wanted = expected.transactions.filter((t) => t.updated_at >= since && t.updated_at < before);
    expect(seen.map((t) => t.id).sort((a, b) => a - b)).toEqual(wanted.map((t) => t.id));
    expect(seen.length).toBeGreaterThan(100);
    expect((await get(`/v1/transactions?updated_before=${since}&updated_since=${before}`)).body).toEqual({ data: [], next_cursor: null });
    expect((await get('/v1/transactions?updated_before=soon')).status).toBe(400);
  });

  it('walks customers by offset, duplicates included, and ends at meta.total', async () => {
    const seen = [];
    for (let offset = 0, page = 0; ; page++) {
      expect(page).toBeLessThan(MAX_PAGES);
      const response = await get(`/v1/customers?limit=40&offset=${offset}`);
      expect(response.body.meta.total).toBe(expected.customers.length);
      seen.push(...response.body.data);
      offset += response.body.data.length;
      if (response.body.data.length === 0 || offset >= response.body.meta.total) break;
    }
    expect(seen).toEqual(expected.customers);
    expect((await get(`/v1/customers?offset=${expected.customers.length}`)).body.data).toEqual([]);
  });

  it('walks products by page number up to total_pages', async () => {
    const seen = [];
    let totalPages = Infinity;
    for (let page = 1; page <= totalPages; page++) {
      expect(page).toBeLessThan(MAX_PAGES);
      const response = await get(`/v1/products?page=${page}&per_page=7`);
      expect(response.body.page).toBe(page);
      totalPages = response.body.total_pages;
      seen.push(...response.body.items);
    }
    expect(totalPages).toBe(Math.ceil(60 / 7));
    expect(seen).toEqual(expected.products);
    expect((await get('/v1/products')).body.items).toHaveLength(25);
    expect((await get(`/v1/products?page=${totalPages + 1}&per_page=7`)).body.items).toEqual([]);
  });

  it('walks inventory movements by the next URL in the body', async () => {
    for (const since of [undefined, '2026-11-18T06:30:00Z']) {
      const seen = [];
      let next: string | null = `/v1/inventory/movements?limit=150${since ? `&since=${since}` : ''}`;
      for (let page = 0; next !== null; page++) {
        expect(page).toBeLessThan(MAX_PAGES);
        expect(next.startsWith('/v1/inventory/movements?')).toBe(true);
        const response = await get(next);
        expect(response.status).toBe(200);
        seen.push(...response.body.data);
        next = response.body.links.next;
      }
      const wanted = expected.inventory_movements.filter((m) => since === undefined || m.moved_at >= since);
      expect(seen).toEqual(wanted);
    }
  });

  it('counts the requests it serves', async () => {
    const before = api.requests;
    await get('/health', null);
    await get('/v1/products', null);
    expect(api.requests).toBe(before + 2);
  });
});

describe('injected faults', () => {
  async function withFaults(faults: FaultPlan, fn: (api: DemoApi) => Promise<void>): Promise<void> {
    const faulty = await startDemoApi({ token: TOKEN, anchor: ANCHOR, faults });
    try {
      await fn(faulty);
    } finally {
      await faulty.close();
    }
  }
  const auth = { Authorization: `Bearer ${TOKEN}` };

  it('applies a rule after its request count, for its number of times, to its path only', async () => {
    await withFaults([{ path: '/v1/products', kind: 'rate_limit', afterRequests: 1, times: 2, retryAfterSeconds: 7 }], async (faulty) => {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${faulty.url}/v1/products`, { headers: auth });
        statuses.push([response.status, response.headers.get('retry-after')]);
      }
      expect(statuses).toEqual([[200, null], [429, '7'], [429, '7'], [200, null]]);
      expect((await fetch(`${faulty.url}/v1/customers`, { headers: auth })).status).toBe(200);
      expect(faulty.injected.map((f) => [f.path, f.n, f.kind])).toEqual([['/v1/products', 2, 'rate_limit'], ['/v1/products', 3, 'rate_limit']]);
      faulty.setFaults(undefined);
      expect(faulty.injected).toEqual([]);
      expect((await fetch(`${faulty.url}/v1/products`, { headers: auth })).status).toBe(200);
    });
  });

  it('takes a function that decides per request', async () => {
    await withFaults(({ query }) => (query.get('page') === '2' ? { kind: 'server_error', status: 502 } : undefined), async (faulty) => {
      expect((await fetch(`${faulty.url}/v1/products?page=1`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${faulty.url}/v1/products?page=2`, { headers: auth })).status).toBe(502);
    });
  });

  it('serves a page without its first record\'s key, the previous page again, and a repeated cursor', async () => {
    await withFaults(
      [
        { path: '/v1/transactions', kind: 'missing_key' },
        { path: '/v1/transactions', kind: 'duplicate_page', afterRequests: 1 },
        { path: '/v1/transactions', kind: 'repeat_cursor', afterRequests: 2 },
      ],
      async (faulty) => {
        const get = async (query = '') => (await fetch(`${faulty.url}/v1/transactions?limit=5${query}`, { headers: auth })).json();
        const first = await get();
        expect(first.data[0]).not.toHaveProperty('id');
        expect(faulty.injected[0].record).toEqual(expected.transactions.find((t) => t.id === faulty.injected[0].record!.id));
        expect(await get(`&cursor=${first.next_cursor}`)).toEqual(first);
        expect((await get(`&cursor=${first.next_cursor}`)).next_cursor).toBe(first.next_cursor);
      },
    );
  });

  it('refuses repeat_cursor on a path whose client computes the next page', async () => {
    await expect(startDemoApi({ token: TOKEN, faults: [{ path: '/v1/customers', kind: 'repeat_cursor' }] })).rejects.toThrow(
      /repeat_cursor: \/v1\/customers has no cursor or next URL to repeat \(\/v1\/transactions, \/v1\/inventory\/movements have\)/,
    );
  });
});

// Every pagination kind and auth kind against a real loopback server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Auth, HttpResource, HttpSource, Pagination } from '../../../src/config/types.js';
import { SourceError } from '../../../src/errors.js';
import type { SourcePage } from '../../../src/ingest/landing.js';
import { fetchPages, RateLimiter } from '../../../src/sources/http.js';
import { parseLinkNext } from '../../../src/sources/pagination.js';

const RECORDS = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => unknown;
const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url!, 'http://x');
    const body = routes.get(url.pathname)?.(url, req, res);
    if (res.writableEnded) return;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const num = (url: URL, name: string, d: number) => Number(url.searchParams.get(name) ?? d);
  routes.set('/offset', (u) => ({ data: RECORDS.slice(num(u, 'offset', 0), num(u, 'offset', 0) + num(u, 'limit', 10)), meta: { total: RECORDS.length } }));
  routes.set('/offset-null-total', (u) => ({ data: RECORDS.slice(num(u, 'offset', 0), num(u, 'offset', 0) + num(u, 'limit', 10)), meta: { total: null } }));
  routes.set('/page', (u) => {
    const size = num(u, 'per_page', 10);
    const page = num(u, 'page', 1);
    return { items: RECORDS.slice((page - 1) * size, page * size), pages: Math.ceil(RECORDS.length / size) };
  });
  const cursorPage = (u: URL, param: string) => {
    const after = num(u, param, 0);
    const data = RECORDS.filter((r) => r.id > after).slice(0, 5);
    return { data, meta: { next: data.length ? String(data[data.length - 1].id) : null }, has_more: data.length > 0 && data[data.length - 1].id < RECORDS.length };
  };
  routes.set('/cursor', (u) => cursorPage(u, 'cursor'));
  routes.set('/stripe', (u) => cursorPage(u, 'starting_after'));
  // Stuck servers: fresh records on every page, but the same cursor or next URL.
  let stuck = 0;
  routes.set('/stuck', () => ({ data: [{ id: ++stuck }], meta: { next: 'same' } }));
  routes.set('/next', (u) => {
    const after = num(u, 'after', 0);
    const data = RECORDS.filter((r) => r.id > after).slice(0, 10);
    const last = data[data.length - 1]?.id;
    return { data, _links: { next: { href: last && last < RECORDS.length ? `/next?after=${last}` : null } } };
  });
  routes.set('/loop', () => ({ data: [{ id: ++stuck }], links: { next: '/loop?x=1' } }));
  // A stale cache: the second request gets the first page again, once (or always, when ?always).
  let cached = 0;
  routes.set('/cached', (u) => {
    cached++;
    const offset = Number(u.searchParams.get('offset') ?? 0);
    const stale = u.searchParams.has('always') ? offset > 0 : cached === 2;
    const from = stale ? 0 : offset;
    return { data: RECORDS.slice(from, from + 10) };
  });
  routes.set('/link', (u, _req, res) => {
    const page = num(u, 'page', 1);
    const data = RECORDS.slice((page - 1) * 10, page * 10);
    if (page * 10 < RECORDS.length) res.setHeader('link', `<${base}/link?page=${page + 1}>; rel="next", <${base}/link?page=3>; rel="last"`);
    return data;
  });
  routes.set('/auth', (u, req) => ({ data: [{ authorization: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? u.searchParams.get('api_key') }] }));
  routes.set('/token', () => ({ access_token: 'oauth-access-token-1', token_type: 'bearer' }));
  let flaky = 0;
  routes.set('/flaky', (_u, _req, res) => {
    flaky++;
    if (flaky === 1) {
      res.writeHead(429, { 'retry-after': '0' });
      res.end('{}');
      return;
    }
    if (flaky === 2) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [{"id": 1}, {"id"');
      return;
    }
    return { data: [{ id: 1 }] };
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function source(path: string, paginate: Pagination, extra: Partial<HttpResource> = {}, auth?: Auth): [HttpSource, HttpResource] {
  const resource: HttpResource = { name: 'r', path, params: {}, records: 'data', paginate, max_pages: 1000, ...extra };
  const httpSource: HttpSource = { kind: 'http', base_url: base, allowed_hosts: [], auth, headers: {}, concurrency: 1, timeoutSeconds: 5, maxRetryAfterSeconds: 60, maxResponseBytes: 100_000_000, resources: [resource] };
  return [httpSource, resource];
}

async function collect(src: [HttpSource, HttpResource], options = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const page of fetchPages(src[0], src[1], { backoffMs: 1, ...options })) out.push(...recordsOf(page.records));
  return out;
}

/** A page's records as values, whether the scanner left them as JSON lines or JSON.parse read them. */
function recordsOf(page: SourcePage): unknown[] {
  if (Array.isArray(page)) return page;
  return page.lines.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
}

describe('pagination kinds each read every record exactly once and stop', () => {
  test.each<[string, () => [HttpSource, HttpResource]]>([
    ['offset with total', () => source('/offset', { kind: 'offset', limit: 10, limit_param: 'limit', offset_param: 'offset', total: 'meta.total' })],
    ['offset with a null total stops on the short page', () => source('/offset-null-total', { kind: 'offset', limit: 10, limit_param: 'limit', offset_param: 'offset', total: 'meta.total' })],
    ['offset where the last page is full', () => source('/offset', { kind: 'offset', limit: 23, limit_param: 'limit', offset_param: 'offset' })],
    ['page number with total pages', () => source('/page', { kind: 'page', size: 10, page_param: 'page', size_param: 'per_page', start: 1, total_pages: 'pages' }, { records: 'items' })],
    ['page number without total', () => source('/page', { kind: 'page', size: 10, page_param: 'page', size_param: 'per_page', start: 1 }, { records: 'items' })],
    ['cursor in the body', () => source('/cursor', { kind: 'cursor', cursor: 'meta.next', param: 'cursor', limit_param: 'limit' })],
    ['cursor with has_more', () => source('/cursor', { kind: 'cursor', cursor: 'meta.next', param: 'cursor', has_more: 'has_more', limit_param: 'limit' })],
    ['cursor from the last record', () => source('/stripe', { kind: 'cursor', cursor_from_last_record: 'id', param: 'starting_after', limit_param: 'limit' })],
    ['next URL in the body', () => source('/next', { kind: 'next_url', next: '_links.next.href' })],
    ['Link header', () => source('/link', { kind: 'link_header' }, { records: '' })],
  ])('%s', async (_name, src) => {
    expect(await collect(src())).toEqual(RECORDS);
  });

  test('a repeated cursor is an error, not a loop', async () => {
    await expect(collect(source('/stuck', { kind: 'cursor', cursor: 'meta.next', param: 'cursor', limit_param: 'limit' }))).rejects.toThrow(/cursor "same" twice/);
  });

  test('a repeated next URL is an error, not a loop', async () => {
    await expect(collect(source('/loop', { kind: 'next_url', next: 'links.next' }))).rejects.toThrow(/next page \/loop\?x=1 twice/);
  });

  test('a page served again for the next request is asked for once more: nothing repeated, nothing skipped', async () => {
    expect(await collect(source('/cached', { kind: 'offset', limit: 10, limit_param: 'limit', offset_param: 'offset' }))).toEqual(RECORDS);
  });

  test('a page served again and again is an error, not a duplicate or a skipped page', async () => {
    await expect(collect(source('/cached', { kind: 'offset', limit: 10, limit_param: 'limit', offset_param: 'offset' }, { params: { always: '1' } }))).rejects.toThrow(
      /offset=10.*answered twice with the same page as for .*offset=0/,
    );
  });

  test('a body without the record array names the URL and the path', async () => {
    await expect(collect(source('/offset', { kind: 'none' }, { records: 'rows' }))).rejects.toThrow(/\/offset: expected an array of records at "rows", got nothing/);
  });

  test('Link header parsing follows RFC 8288', () => {
    expect(parseLinkNext('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"')).toBe('https://api.github.com/x?page=2');
    expect(parseLinkNext('<https://a/x?page=1>; rel="prev"')).toBeNull();
    expect(parseLinkNext(null)).toBeNull();
  });
});

describe('auth and faults', () => {
  test.each<[string, Auth, { authorization: string | null; key: string | null }]>([
    ['bearer', { kind: 'bearer', token: 'tok-123456' }, { authorization: 'Bearer tok-123456', key: null }],
    ['api key header', { kind: 'api_key', in: 'header', name: 'x-api-key', value: 'key-123456' }, { authorization: null, key: 'key-123456' }],
    ['api key query', { kind: 'api_key', in: 'query', name: 'api_key', value: 'key-654321' }, { authorization: null, key: 'key-654321' }],
    ['basic', { kind: 'basic', username: 'ann', password: 'pw-123456' }, { authorization: `Basic ${Buffer.from('ann:pw-123456').toString('base64')}`, key: null }],
  ])('%s', async (_name, auth, expected) => {
    expect(await collect(source('/auth', { kind: 'none' }, {}, auth))).toEqual([expected]);
  });

  test('oauth2 client credentials fetches a token and sends it', async () => {
    const auth: Auth = { kind: 'oauth2_client_credentials', token_url: `${base}/token`, client_id: 'id', client_secret: 'client-secret-1' };
    expect(await collect(source('/auth', { kind: 'none' }, {}, auth))).toEqual([{ authorization: 'Bearer oauth-access-token-1', key: null }]);
  });

  test('429 and a truncated body are retried, then the page is read', async () => {
    expect(await collect(source('/flaky', { kind: 'none' }))).toEqual([{ id: 1 }]);
  });

  test('giving up names the URL with secrets masked', async () => {
    const auth: Auth = { kind: 'api_key', in: 'query', name: 'api_key', value: 'very-secret-key' };
    const error = await collect(source('/missing', { kind: 'none' }, {}, auth)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/127\.0\.0\.1:\d+\/missing: HTTP 404: \{"error":"not found"\}/);
    expect(String(error)).not.toContain('very-secret-key');
  });
});

describe('records as sent', () => {
  test('a 20-digit id keeps every digit; bytes that are not UTF-8 become U+FFFD instead of failing the load', async () => {
    routes.set('/raw', (_u, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.from('{"data":[{"id":12345678901234567890}]}'));
    });
    routes.set('/latin1', (_u, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat([Buffer.from('{"data":[{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}]}')]));
    });
    const lines = async (path: string) => {
      const out: string[] = [];
      for await (const page of fetchPages(...source(path, { kind: 'none' }), { backoffMs: 1 })) {
        const records = page.records;
        out.push(...('lines' in records ? records.lines.toString().split('\n').filter(Boolean) : recordsOf(records).map((r) => JSON.stringify(r))));
      }
      return out;
    };
    expect(await lines('/raw')).toEqual(['{"id":12345678901234567890}']);
    expect(await lines('/latin1')).toEqual(['{"name":"Caf\uFFFD"}']);
  });
});

describe('ids past 2^53', () => {
  // Snowflake-style ids: 2^63 - 1 and its neighbours. As doubles they would all be 9223372036854775807 rounded.
  const IDS = ['9223372036854775805', '9223372036854775806', '9223372036854775807'];
  const page = (after: string | null) => {
    const rest = after === null ? IDS : IDS.slice(IDS.indexOf(after) + 1);
    const data = rest.slice(0, 1);
    return `{"data":[${data.map((id) => `{"id":${id}}`).join(',')}],"next":${data.length ? data[0] : 'null'}}`;
  };
  const serve = (res: ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };

  test.each([
    ['a cursor from the last record', { kind: 'cursor', cursor_from_last_record: 'id', param: 'after', limit_param: 'limit' }],
    ['a cursor in the body', { kind: 'cursor', cursor: 'next', param: 'after', limit_param: 'limit' }],
  ] as Array<[string, Pagination]>)('%s goes back to the API with every digit', async (_name, paginate) => {
    const asked: Array<string | null> = [];
    routes.set('/snowflake-ids', (u, _req, res) => {
      asked.push(u.searchParams.get('after'));
      serve(res, page(u.searchParams.get('after')));
    });
    const ids: string[] = [];
    for await (const p of fetchPages(...source('/snowflake-ids', paginate), { backoffMs: 1 })) {
      const records = p.records;
      if ('lines' in records) ids.push(...(records.lines.toString().match(/\d{19}/g) ?? []));
    }
    // Rounded, the second request would ask for ids after 9223372036854775808 and the rest would be skipped.
    expect(asked).toEqual([null, ...IDS]);
    expect(ids).toEqual(IDS);
  });

  test('also when the body is of a shape the scanner leaves to JSON.parse', async () => {
    const asked: Array<string | null> = [];
    routes.set('/snowflake-ids-twice', (u, _req, res) => {
      asked.push(u.searchParams.get('after'));
      // The records key twice: JSON.parse keeps the last, so the scanner steps aside.
      serve(res, page(u.searchParams.get('after')).replace('{"data"', '{"data":[],"data"'));
    });
    await collect(source('/snowflake-ids-twice', { kind: 'cursor', cursor_from_last_record: 'id', param: 'after', limit_param: 'limit' }));
    expect(asked).toEqual([null, ...IDS]);
  });
});

describe('a rate limit', () => {
  test('holds across resources of one source fetched at once', async () => {
    const arrivals: number[] = [];
    routes.set('/limited', (u) => {
      arrivals.push(performance.now());
      const offset = Number(u.searchParams.get('offset') ?? 0);
      return { data: RECORDS.slice(offset, offset + 5), meta: { total: 10 } };
    });
    const paginate: Pagination = { kind: 'offset', limit: 5, limit_param: 'limit', offset_param: 'offset', total: 'meta.total' };
    const [httpSource, first] = source('/limited', paginate);
    const second: HttpResource = { ...first, name: 's' };
    const limited: HttpSource = { ...httpSource, rate_limit: { per_second: 5 }, resources: [first, second] };
    // Two resources of the same source, read at the same time: 2 pages each, 4 requests in all.
    const [a, b] = await Promise.all([collect([limited, first]), collect([limited, second])]);
    expect([a.length, b.length]).toEqual([10, 10]);
    expect(arrivals).toHaveLength(4);
    // 5 per second is one every 200 ms, whichever resource asks. Arrivals are measured on a busy machine,
    // so the bound is half the interval: without the shared limiter, two requests arrive at once.
    const gaps = arrivals.sort((x, y) => x - y).slice(1).map((t, i) => t - arrivals[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
  });

  test('hands callers at once evenly spaced slots (on a clock of its own, so exactly)', async () => {
    let now = 1_000;
    const slept: number[] = [];
    const limiter = new RateLimiter(50, { now: () => now, sleep: async (ms) => void slept.push(ms) });
    await Promise.all([limiter.next(), limiter.next(), limiter.next()]);
    expect(slept).toEqual([50, 100]);
    now += 500;
    await limiter.next();
    expect(slept).toEqual([50, 100]);
  });
});

// A hostile or careless API against the HTTP client: links and redirects to another origin, loops that
// change their records, Retry-After of an hour, bodies that trickle in. Two loopback servers are two
// origins; the second one records every request it gets, so a test can prove it never saw a credential.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Auth, HttpResource, HttpSource, Pagination } from '../../../src/config/types.js';
import { SourceError } from '../../../src/errors.js';
import { fetchPages, type FetchOptions } from '../../../src/sources/http.js';
import { LATER, startOrigin, type Handler, type Origin } from '../../helpers/origin.js';

let api: Origin;
let other: Origin;
beforeAll(async () => {
  [api, other] = await Promise.all([startOrigin(), startOrigin()]);
});
afterAll(async () => {
  for (const o of [api, other]) await o.close();
});
beforeEach(() => {
  for (const o of [api, other]) {
    o.routes.clear();
    o.requests.length = 0;
  }
});

function source(path: string, paginate: Pagination, options: { auth?: Auth; allowed?: string[]; resource?: Partial<HttpResource>; source?: Partial<HttpSource> } = {}): [HttpSource, HttpResource] {
  const resource: HttpResource = { name: 'orders', path, params: {}, records: 'data', paginate, max_pages: 100, ...options.resource };
  return [
    {
      kind: 'http',
      base_url: api.url,
      allowed_hosts: options.allowed ?? [],
      auth: options.auth,
      headers: { 'x-tenant': 'acme' },
      concurrency: 1,
      timeoutSeconds: 5,
      maxRetryAfterSeconds: 60,
      maxResponseBytes: 100_000_000,
      resources: [resource],
      ...options.source,
    },
    resource,
  ];
}

async function collect(src: [HttpSource, HttpResource], options: FetchOptions = {}): Promise<number> {
  let records = 0;
  for await (const page of fetchPages(src[0], src[1], { backoffMs: 1, ...options })) records += page.recordCount;
  return records;
}

const AUTHS: Array<[string, Auth, (r: Origin['requests'][number]) => unknown]> = [
  ['bearer', { kind: 'bearer', token: 'bearer-secret-1' }, (r) => r.headers.authorization],
  ['api key in a header', { kind: 'api_key', in: 'header', name: 'x-api-key', value: 'header-key-secret-1' }, (r) => r.headers['x-api-key']],
  ['api key in the query', { kind: 'api_key', in: 'query', name: 'api_key', value: 'query-key-secret-1' }, (r) => new URL(r.url, 'http://x').searchParams.get('api_key')],
  ['basic', { kind: 'basic', username: 'ann', password: 'basic-secret-1' }, (r) => r.headers.authorization],
];

/** The ways an API can send the client to another origin; `to` is where it points. */
function serveAway(how: string, to: string): [string, Pagination] {
  const page = { data: [{ id: 1 }] };
  switch (how) {
    case 'a next URL in the body':
      api.routes.set('/orders', () => ({ ...page, next: `${to}/orders?page=2` }));
      return ['/orders', { kind: 'next_url', next: 'next' }];
    case 'a Link header':
      api.routes.set('/orders', (_u, _req, res) => {
        res.setHeader('link', `<${to}/orders?page=2>; rel="next"`);
        return page;
      });
      return ['/orders', { kind: 'link_header' }];
    default: {
      // A redirect of the first request (302, or 307 which keeps the method and body).
      const status = how === 'a 302 redirect' ? 302 : 307;
      api.routes.set('/orders', (_u, _req, res) => {
        res.writeHead(status, { location: `${to}/orders` }).end();
      });
      return ['/orders', { kind: 'none' }];
    }
  }
}
const AWAY = ['a next URL in the body', 'a Link header', 'a 302 redirect', 'a 307 redirect'];

describe('credentials go only to the origin of base_url (and allowed_hosts)', () => {
  test.each(AWAY.flatMap((how) => AUTHS.map(([name, auth, credential]) => [how, name, auth, credential] as const)))(
    '%s to another origin, with %s auth: refused, and the other origin gets no request',
    async (how, _name, auth, credential) => {
      other.routes.set('/orders', () => ({ data: [{ id: 2 }] }));
      const [path, paginate] = serveAway(how, other.url);
      const error = await collect(source(path, paginate, { auth })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      const message = String((error as Error).message);
      expect(message).toMatch(new RegExp(`^resource orders: .*points at ${other.url.replace(/\./g, '\\.')}, not at base_url's origin`));
      expect(message).toContain(`add "${other.url}" to source.allowed_hosts`);
      expect(other.requests).toEqual([]);
      // The API itself got its credentials as usual.
      expect(api.requests.map(credential).every((c) => typeof c === 'string' && c.length > 0)).toBe(true);
    },
  );

  test.each(AWAY)('%s to an origin in allowed_hosts is followed, with the credentials (the pipeline declared it trusted)', async (how) => {
    other.routes.set('/orders', () => ({ data: [{ id: 2 }] }));
    const [path, paginate] = serveAway(how, other.url);
    const records = await collect(source(path, paginate, { auth: { kind: 'bearer', token: 'bearer-secret-2' }, allowed: [other.url] }));
    expect(records).toBe(how.includes('redirect') ? 1 : 2);
    expect(other.requests.map((r) => [r.headers.authorization, r.headers['x-tenant']])).toEqual([['Bearer bearer-secret-2', 'acme']]);
  });

  test('a redirect within the origin is followed, and its request carries the credentials again', async () => {
    api.routes.set('/old', (_u, _req, res) => res.writeHead(301, { location: '/new?x=1' }).end());
    api.routes.set('/new', (u) => ({ data: [{ id: u.searchParams.get('api_key') }] }));
    const auth: Auth = { kind: 'api_key', in: 'query', name: 'api_key', value: 'query-key-secret-2' };
    expect(await collect(source('/old', { kind: 'none' }, { auth }))).toBe(1);
    expect(api.requests.map((r) => r.url)).toEqual(['/old?api_key=query-key-secret-2', '/new?x=1&api_key=query-key-secret-2']);
  });

  test('redirects that never end stop after a few hops', async () => {
    let n = 0;
    api.routes.set('/round', (_u, _req, res) => res.writeHead(302, { location: `/round?n=${++n}` }).end());
    await expect(collect(source('/round', { kind: 'none' }))).rejects.toThrow(/^resource orders: .*\/round: more than 5 redirects \(the last to .*\/round\?n=6\); stopping$/);
    expect(api.requests).toHaveLength(6);
  });

  test('a resource path that is a URL of another origin is refused before any request', async () => {
    await expect(collect(source(`${other.url}/orders`, { kind: 'none' }))).rejects.toThrow(/^resource orders: path ".*" points at http:\/\/127\.0\.0\.1:\d+, not at base_url's origin/);
    expect([...api.requests, ...other.requests]).toEqual([]);
  });

  test.each([
    ['another origin', () => `${other.url}/token`, /OAuth2 token request to .* was redirected to http:\/\/127\.0\.0\.1:\d+; refusing to send the client secret anywhere but token_url's origin/],
    ['the same origin', () => '/token2', null],
  ])('the OAuth2 token request redirected (307, body kept) to %s', async (_name, location, refused) => {
    api.routes.set('/token', (_u, _req, res) => res.writeHead(307, { location: location() }).end());
    const token = (_u: URL, req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: new URLSearchParams(body).get('client_secret') === 'client-secret-9' ? 'access-token-9' : 'wrong' }));
      });
      return LATER;
    };
    other.routes.set('/token', token);
    api.routes.set('/token2', token);
    api.routes.set('/orders', (_u, req) => ({ data: [{ authorization: req.headers.authorization }] }));
    const auth: Auth = { kind: 'oauth2_client_credentials', token_url: `${api.url}/token`, client_id: 'app', client_secret: 'client-secret-9' };
    const run = collect(source('/orders', { kind: 'none' }, { auth }));
    if (refused) {
      await expect(run).rejects.toThrow(refused);
      expect(other.requests).toEqual([]);
    } else {
      expect(await run).toBe(1);
      expect(api.requests.at(-1)!.headers.authorization).toBe('Bearer access-token-9');
    }
  });
});

describe('every paginator ends, naming the resource and the repeated value', () => {
  // Each server hands out fresh records on every page, so only the repeated cursor or URL can stop it.
  let n = 0;
  const fresh = () => [{ id: ++n }, { id: ++n }];
  test.each<[string, Pagination, Handler, RegExp]>([
    ['a cursor in the body', { kind: 'cursor', cursor: 'next', param: 'cursor', limit_param: 'limit' }, () => ({ data: fresh(), next: 'c-7' }), /^resource orders: the API returned cursor "c-7" twice/],
    [
      'a cursor from the last record',
      { kind: 'cursor', cursor_from_last_record: 'sort_key', param: 'after', limit_param: 'limit' },
      () => ({ data: fresh().map((r) => ({ ...r, sort_key: 'k-1' })) }),
      /^resource orders: the API returned cursor "k-1" twice/,
    ],
    ['a next URL', { kind: 'next_url', next: 'links.next' }, () => ({ data: fresh(), links: { next: '/orders?page=2' } }), /^resource orders: the API returned next page \/orders\?page=2 twice/],
    [
      'a Link header',
      { kind: 'link_header' },
      (_u, _req, res) => {
        res.setHeader('link', '</orders?page=3>; rel="next"');
        return { data: fresh() };
      },
      /^resource orders: the API returned next page \/orders\?page=3 twice/,
    ],
  ])('%s that repeats', async (_name, paginate, handler, expected) => {
    api.routes.set('/orders', handler);
    await expect(collect(source('/orders', paginate))).rejects.toThrow(expected);
  });

  test.each<[string, Pagination]>([
    ['offset', { kind: 'offset', limit: 2, limit_param: 'limit', offset_param: 'offset' }],
    ['page number', { kind: 'page', size: 2, page_param: 'page', size_param: 'per_page', start: 1 }],
    ['cursor', { kind: 'cursor', cursor: 'next', param: 'cursor', limit_param: 'limit' }],
  ])('%s: an API that ignores the paging parameter and keeps answering full pages ends at max_pages', async (_name, paginate) => {
    api.routes.set('/orders', () => ({ data: fresh(), next: `c-${n}` }));
    const error = await collect(source('/orders', paginate, { resource: { max_pages: 7 } })).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/^resource orders: read max_pages \(7\) pages and the API still links to another; .* raise source\.resources\.orders\.max_pages$/);
    expect(api.requests).toHaveLength(7);
  });

  // A link or cursor of the wrong kind, often a path one level short, must not stop paging in silence
  // (every later page lost) nor be sent as "[object Object]".
  test.each<[string, Pagination, Handler, RegExp]>([
    [
      "a HAL link object instead of its href",
      { kind: 'next_url', next: '_links.next' },
      () => ({ data: fresh(), _links: { next: { href: '/orders?page=2' } } }),
      /^resource orders: the next page link at "_links\.next" is an object \(at \/orders\), expected a URL; point the path at the URL itself \(HAL: _links\.next\.href\)$/,
    ],
    ['a number instead of a next URL', { kind: 'next_url', next: 'next' }, () => ({ data: fresh(), next: 2 }), /^resource orders: the next page link at "next" is a number \(2\) \(at \/orders\), expected a URL/],
    ['a next URL that is not a URL', { kind: 'next_url', next: 'next' }, () => ({ data: fresh(), next: 'http://[::1' }), /^resource orders: the next page link at "next", "http:\/\/\[::1", is not a URL \(at \/orders\)$/],
    [
      'a Link header that is not a URL',
      { kind: 'link_header' },
      (_u, _req, res) => {
        res.setHeader('link', '<http://exa mple.com:99999/x>; rel="next"');
        return { data: fresh() };
      },
      /^resource orders: the next page link in the Link header, "http:\/\/exa mple\.com:99999\/x", is not a URL/,
    ],
    ['a next URL that is not http(s)', { kind: 'next_url', next: 'next' }, () => ({ data: fresh(), next: 'file:///etc/passwd' }), /^resource orders: the next page link file:\/\/\/etc\/passwd is not an http\(s\) URL; refusing to follow it$/],
    [
      'an object instead of a cursor',
      { kind: 'cursor', cursor: 'meta.next', param: 'cursor', limit_param: 'limit' },
      () => ({ data: fresh(), meta: { next: { cursor: 'c-1' } } }),
      /^resource orders: the cursor at "meta\.next" is an object \(at \/orders\), expected a string or a number; point the path at the cursor itself$/,
    ],
    [
      'a boolean as the last record\'s cursor',
      { kind: 'cursor', cursor_from_last_record: 'more', param: 'after', limit_param: 'limit' },
      () => ({ data: fresh().map((r) => ({ ...r, more: true })) }),
      /^resource orders: the cursor at "more" of the page's last record is a boolean \(true\)/,
    ],
  ])('%s is an error naming it, not the end of the resource', async (_name, paginate, handler, expected) => {
    api.routes.set('/orders', handler);
    await expect(collect(source('/orders', paginate))).rejects.toThrow(expected);
    expect(api.requests).toHaveLength(1);
  });

  test('a resource of exactly max_pages pages is read whole', async () => {
    api.routes.set('/orders', (u) => {
      const offset = Number(u.searchParams.get('offset'));
      return { data: offset < 6 ? [{ id: offset }, { id: offset + 1 }] : [] };
    });
    expect(await collect(source('/orders', { kind: 'offset', limit: 2, limit_param: 'limit', offset_param: 'offset' }, { resource: { max_pages: 4 } }))).toBe(6);
  });
});

describe('every request is bounded', () => {
  test.each([
    ['seconds', '3600', /HTTP 429: the API asked to retry after 3600 s, more than max_retry_after 60 s; stopping instead of waiting/],
    ['an HTTP date', () => new Date(Date.now() + 2 * 3_600_000).toUTCString(), /HTTP 429: the API asked to retry after 7\d{3}(\.\d)? s, more than max_retry_after 60 s/],
  ])('a Retry-After past max_retry_after (in %s) fails at once instead of sleeping', async (_name, value, expected) => {
    api.routes.set('/orders', (_u, _req, res) => res.writeHead(429, { 'retry-after': typeof value === 'string' ? value : value() }).end('{}'));
    await expect(collect(source('/orders', { kind: 'none' }))).rejects.toThrow(expected);
    expect(api.requests).toHaveLength(1);
  });

  test('a Retry-After within max_retry_after is waited for', async () => {
    let calls = 0;
    api.routes.set('/orders', (_u, _req, res) => (++calls === 1 ? res.writeHead(503, { 'retry-after': '1' }).end('{}') : { data: [{ id: 1 }] }));
    const lines: string[] = [];
    expect(await collect(source('/orders', { kind: 'none' }, { source: { maxRetryAfterSeconds: 1 } }), { log: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual([`retry 1/4 in 1 s: HTTP 503 from ${api.url}/orders`]);
  });

  test('a body that trickles in a byte every 200 ms is cut by the total timeout, not only when idle', async () => {
    api.routes.set('/orders', (_u, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = `{"data":[${' '.repeat(50)}]}`;
      let i = 0;
      const timer = setInterval(() => (i < body.length ? res.write(body[i++]) : (clearInterval(timer), res.end())), 200);
      req.socket.on('close', () => clearInterval(timer));
    });
    const lines: string[] = [];
    const error = await collect(source('/orders', { kind: 'none' }, { source: { timeoutSeconds: 1 } }), { maxAttempts: 2, log: (l) => lines.push(l) }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/^resource orders: .*\/orders: giving up after 2 attempts: timed out after 1s$/);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^retry 1/1 in \\d+(\\.\\d)? s: timed out after 1s from ${api.url}/orders$`))]);
  });

  test('the timeout covers redirects and the body together', async () => {
    // Each step alone fits in the 1 s timeout; together they do not.
    api.routes.set('/slow-redirect', (_u, _req, res) => {
      setTimeout(() => res.writeHead(302, { location: '/slow-body' }).end(), 600);
      return LATER;
    });
    api.routes.set('/slow-body', (_u, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      setTimeout(() => res.end('[]}'), 600);
    });
    await expect(collect(source('/slow-redirect', { kind: 'none' }, { source: { timeoutSeconds: 1 } }), { maxAttempts: 1 })).rejects.toThrow(/timed out after 1s/);
  });

  // Fast enough, a body fills memory long before any deadline: it is cut at max_response_size, whether it
  // says how big it is or streams on for ever, and it is not asked for again (it would come back as big).
  test.each<[string, Handler, RegExp]>([
    [
      'says it is too large (content-length)',
      (_u, _req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' }).end(`{"data":[${' '.repeat(4989)}]}`),
      /HTTP 200: the response says it is 5\.0 KB, more than max_response_size 2 KB; stopping instead of reading it into memory \(raise source\.max_response_size/,
    ],
    [
      'streams on without end',
      (_u, req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":[');
        const chunk = ' '.repeat(1000);
        const timer = setInterval(() => res.write(chunk), 1);
        req.socket.on('close', () => clearInterval(timer));
      },
      /HTTP 200: the response went on past max_response_size 2 KB; stopping instead of reading it into memory/,
    ],
    [
      'is an error page too large to read',
      (_u, _req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('x'.repeat(3000)),
      /HTTP 500: the response went on past max_response_size 2 KB/,
    ],
  ])('a body that %s fails the request at once', async (_name, handler, expected) => {
    api.routes.set('/orders', handler);
    const error = await collect(source('/orders', { kind: 'none' }, { source: { maxResponseBytes: 2000 } })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`^resource orders: ${api.url}/orders: ${expected.source}`));
    expect(api.requests).toHaveLength(1);
  });

  test('an OAuth2 token response too large to read fails with the same message', async () => {
    api.routes.set('/token', (_u, _req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"access_token":"${'t'.repeat(3000)}"}`));
    api.routes.set('/orders', () => ({ data: [] }));
    const auth: Auth = { kind: 'oauth2_client_credentials', token_url: `${api.url}/token`, client_id: 'cid', client_secret: 'oauth-size-secret' };
    await expect(collect(source('/orders', { kind: 'none' }, { auth, source: { maxResponseBytes: 2000 } }))).rejects.toThrow(/\/token: HTTP 200: the response went on past max_response_size 2 KB/);
  });

  test('each retry is logged as it happens, with the URL masked', async () => {
    let calls = 0;
    api.routes.set('/orders', (_u, _req, res) => (++calls <= 2 ? res.writeHead(calls === 1 ? 503 : 500).end('busy') : { data: [{ id: 1 }] }));
    const lines: string[] = [];
    const auth: Auth = { kind: 'api_key', in: 'query', name: 'api_key', value: 'logged-key-secret' };
    const src = source('/orders', { kind: 'none' }, { auth, resource: { params: { echo: 'logged-key-secret' } } });
    expect(await collect(src, { log: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^retry 1/4 in \\d(\\.\\d)? s: HTTP 503 from ${api.url}/orders\\?echo=\\*\\*\\*$`)),
      expect.stringMatching(new RegExp(`^retry 2/4 in \\d(\\.\\d)? s: HTTP 500 from ${api.url}/orders\\?echo=\\*\\*\\*$`)),
    ]);
  });
});

// The demo API: the retail data behind four endpoints, each paginated in a different common style
// (cursor, offset, page number, next URL), so every paginator kind has a real server to run against.
// node:http only, loopback only, and the data is fixed for the life of the server. Faults (see
// faults.ts) can be injected per path, so tests can prove ingestion survives real APIs.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateRetailData, type InventoryMovement, type RetailData, type Transaction } from './data.js';
import { faultPicker, type Fault, type FaultPlan, type InjectedFault } from './faults.js';

export interface DemoApiOptions {
  token: string;
  /** Default: now. */
  anchor?: Date;
  /** Default 0: a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Faults to inject; none by default. */
  faults?: FaultPlan;
  /** Serves this many synthetic events at /v1/bench/events (cursor-paginated) for benchmarks; default 0, no route. */
  benchRecords?: number;
}

export interface DemoApi {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  close(): Promise<void>;
  /** Requests served so far, including refused ones. */
  readonly requests: number;
  /** Replaces the fault plan (undefined: no faults) and restarts its per-path request counts. */
  setFaults(plan: FaultPlan | undefined): void;
  /** Every fault injected since the plan was last set, in order. */
  readonly injected: readonly InjectedFault[];
}

type JsonBody = Record<string, unknown>;
type Query = URLSearchParams;

/** A page already rendered as JSON (the bench route): pieces sent as they are, without copying. */
class RenderedPage {
  constructor(readonly parts: Array<string | Buffer>) {}
  get json(): string {
    return this.parts.join('');
  }
}

interface Route {
  list(query: Query): JsonBody | RenderedPage;
  /** Where the records are in the body. */
  records: 'data' | 'items';
  /** Points the body's next page at the request itself (repeat_cursor); absent where the client computes the next page. */
  repeat?(body: JsonBody, url: URL): boolean;
}

/** A bad query value; becomes a 400 whose message names the parameter. */
class BadRequest extends Error {}

export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  if (!options.token) throw new Error('startDemoApi: token must be a non-empty string');
  const host = options.host ?? '127.0.0.1';
  const routes = buildRoutes(generateRetailData({ anchor: options.anchor ?? new Date() }));
  if (options.benchRecords) routes.set('/v1/bench/events', benchRoute(options.benchRecords));
  const expectedAuth = digest(`Bearer ${options.token}`);
  let requests = 0;
  const planFor = (plan: FaultPlan | undefined) => {
    for (const rule of typeof plan === 'object' ? plan : []) {
      if (rule.kind === 'repeat_cursor' && !routes.get(rule.path)?.repeat) {
        throw new Error(`repeat_cursor: ${rule.path} has no cursor or next URL to repeat (${[...routes].filter(([, r]) => r.repeat).map(([p]) => p).join(', ')} have)`);
      }
    }
    return faultPicker(plan);
  };
  let pickFault = planFor(options.faults);
  let injected: InjectedFault[] = [];
  // Per path: requests since the plan was set, and the last page served (for duplicate_page).
  const counts = new Map<string, number>();
  const lastPayload = new Map<string, string>();

  const server = createServer((req, res) => {
    requests++;
    handle(req, res);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} is not supported; use GET` });
    }
    if (url.pathname === '/health') return sendJson(res, 200, { ok: true });
    // Authorize before routing, so an unauthenticated caller learns nothing about which paths exist.
    if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expectedAuth)) {
      return sendJson(res, 401, { error: 'unauthorized' });
    }
    const route = routes.get(url.pathname);
    if (!route) return sendJson(res, 404, { error: 'not_found', message: `no route for GET ${url.pathname}` });
    const n = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, n);
    const fault = pickFault({ path: url.pathname, query: url.searchParams, n });
    let page: JsonBody | RenderedPage;
    try {
      page = route.list(url.searchParams);
    } catch (error) {
      if (error instanceof BadRequest) return sendJson(res, 400, { error: 'bad_request', message: error.message });
      return sendJson(res, 500, { error: 'internal', message: error instanceof Error ? error.message : String(error) });
    }
    if (!fault) return sendPage(url.pathname, res, page instanceof RenderedPage ? page : JSON.stringify(page));
    const body = page instanceof RenderedPage ? (JSON.parse(page.json) as JsonBody) : page;
    serveFault(fault, { url, n, route, body, req, res });
  }

  function serveFault(fault: Fault, at: { url: URL; n: number; route: Route; body: JsonBody; req: IncomingMessage; res: ServerResponse }): void {
    const { url, route, body, res } = at;
    const record = (extra: Partial<InjectedFault> = {}) => injected.push({ path: url.pathname, n: at.n, kind: fault.kind, ...extra });
    switch (fault.kind) {
      case 'rate_limit':
        record();
        return sendJson(res, 429, { error: 'rate_limited' }, { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
      case 'server_error':
        record();
        return sendJson(res, fault.status ?? 503, { error: 'unavailable' }, fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
      case 'reset':
        record();
        at.req.socket.destroy();
        return;
      case 'invalid_json':
        record();
        return sendText(res, 200, '<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>');
      case 'duplicate_page': {
        const previous = lastPayload.get(url.pathname);
        if (previous === undefined) break;
        record();
        return sendText(res, 200, previous);
      }
      case 'repeat_cursor':
        if (!route.repeat) return sendJson(res, 500, { error: 'bad_fault', message: `repeat_cursor: ${url.pathname} has no cursor or next URL to repeat` });
        if (route.repeat(body, url)) record();
        break;
      case 'missing_key': {
        const records = body[route.records] as Array<Record<string, unknown>>;
        if (records.length === 0) break;
        const { id: _dropped, ...rest } = records[0];
        record({ record: records[0] });
        body[route.records] = [rest, ...records.slice(1)];
        break;
      }
      case 'slow':
      case 'truncated': {
        record();
        const payload = JSON.stringify(body);
        const half = Buffer.from(payload).subarray(0, Math.floor(Buffer.byteLength(payload) / 2));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
        res.write(half);
        if (fault.kind === 'truncated') {
          res.socket?.destroy();
          return;
        }
        const timer = setTimeout(() => res.end(Buffer.from(payload).subarray(half.length)), fault.delayMs ?? 60_000);
        res.once('close', () => clearTimeout(timer));
        return;
      }
    }
    sendPage(url.pathname, res, JSON.stringify(body));
  }

  function sendPage(path: string, res: ServerResponse, payload: string | RenderedPage): void {
    if (payload instanceof RenderedPage) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payload.parts.reduce((n, p) => n + Buffer.byteLength(p), 0) });
      for (const part of payload.parts) res.write(part);
      res.end();
      return;
    }
    // Kept for duplicate_page.
    lastPayload.set(path, payload);
    sendText(res, 200, payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    get requests() {
      return requests;
    },
    get injected() {
      return injected;
    },
    setFaults(plan) {
      pickFault = planFor(plan);
      injected = [];
      counts.clear();
      lastPayload.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

function buildRoutes(data: RetailData): Map<string, Route> {
  // Sorted once, so every page of a walk sees the same order.
  const transactions = data.transactions
    .map((record) => ({ record, updatedMs: Date.parse(record.updated_at) }))
    .sort((a, b) => a.updatedMs - b.updatedMs || a.record.id - b.record.id);
  const movements = [...data.inventory_movements].sort((a, b) => a.id - b.id);

  return new Map<string, Route>([
    [
      '/v1/transactions',
      {
        list: (query) => listTransactions(transactions, query),
        records: 'data',
        repeat: (body, url) => {
          const cursor = url.searchParams.get('cursor');
          // The first page has no cursor to repeat.
          if (!cursor) return false;
          body.next_cursor = cursor;
          return true;
        },
      },
    ],
    ['/v1/customers', { list: (query) => listCustomers(data, query), records: 'data' }],
    ['/v1/products', { list: (query) => listProducts(data, query), records: 'items' }],
    [
      '/v1/inventory/movements',
      {
        list: (query) => listMovements(movements, query),
        records: 'data',
        repeat: (body, url) => {
          body.links = { next: `${url.pathname}${url.search}` };
          return true;
        },
      },
    ],
  ]);
}

interface SortedTransaction {
  record: Transaction;
  updatedMs: number;
}

/**
 * Cursor pagination over (updated_at, id); the cursor is the last returned key, so it survives new data.
 * `updated_since` (inclusive) and `updated_before` (exclusive) bound the updates listed.
 */
function listTransactions(sorted: SortedTransaction[], query: Query): JsonBody {
  const limit = intParam(query, 'limit', { default: 100, min: 1, max: 500 });
  const sinceMs = timestampParam(query, 'updated_since');
  const beforeMs = timestampParam(query, 'updated_before');
  const end = beforeMs === undefined ? sorted.length : firstIndex(sorted, (t) => t.updatedMs >= beforeMs);
  const cursor = query.get('cursor');
  const after = cursor === null || cursor === '' ? undefined : decodeCursor(cursor);

  const start = firstIndex(sorted, (t) =>
    (sinceMs === undefined || t.updatedMs >= sinceMs) &&
    (after === undefined || t.updatedMs > after.updatedMs || (t.updatedMs === after.updatedMs && t.record.id > after.id)),
  );
  const page = sorted.slice(start, Math.min(start + limit, Math.max(start, end)));
  const last = page.at(-1);
  const more = start + limit < end;
  return {
    data: page.map((t) => t.record),
    next_cursor: more && last ? encodeCursor({ updatedMs: last.updatedMs, id: last.record.id }) : null,
  };
}

function listCustomers(data: RetailData, query: Query): JsonBody {
  const limit = intParam(query, 'limit', { default: 100, min: 1, max: 500 });
  const offset = intParam(query, 'offset', { default: 0, min: 0 });
  return { data: data.customers.slice(offset, offset + limit), meta: { total: data.customers.length } };
}

function listProducts(data: RetailData, query: Query): JsonBody {
  const page = intParam(query, 'page', { default: 1, min: 1 });
  const perPage = intParam(query, 'per_page', { default: 25, min: 1, max: 100 });
  const start = (page - 1) * perPage;
  return {
    items: data.products.slice(start, start + perPage),
    page,
    total_pages: Math.ceil(data.products.length / perPage),
  };
}

function listMovements(sorted: InventoryMovement[], query: Query): JsonBody {
  const limit = intParam(query, 'limit', { default: 200, min: 1, max: 1000 });
  const sinceMs = timestampParam(query, 'since');
  const afterId = query.has('after') ? intParam(query, 'after', { default: 0 }) : undefined;

  const matching = sinceMs === undefined ? sorted : sorted.filter((m) => Date.parse(m.moved_at) >= sinceMs);
  const start = afterId === undefined ? 0 : firstIndex(matching, (m) => m.id > afterId);
  const page = matching.slice(start, start + limit);
  const more = start + limit < matching.length;
  const last = page.at(-1);

  let next: string | null = null;
  if (more && last) {
    const params = new URLSearchParams();
    const since = query.get('since');
    if (since) params.set('since', since);
    params.set('limit', String(limit));
    params.set('after', String(last.id));
    next = `/v1/inventory/movements?${params}`;
  }
  return { data: page, links: { next } };
}

/**
 * Synthetic click-stream events of about 185 bytes each, rendered once into one buffer, so a page is
 * a slice of it: a benchmark then measures the client, not this server.
 */
function benchRoute(count: number): Route {
  const kinds = ['page_view', 'add_to_cart', 'checkout', 'search', 'login'];
  const tags = ['new', 'returning', 'promo', 'mobile', 'organic', 'paid', 'email'];
  const base = Date.UTC(2026, 0, 1);
  const parts: string[] = new Array(count);
  // ends[i]: where event i ends in the buffer; events are separated by commas.
  const ends = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const id = i + 1;
    const h = Math.imul(id, 2654435761) >>> 0;
    parts[i] =
      `{"id":${id},"ts":"${new Date(base + id * 1000).toISOString()}","user_id":${h % 100_000},"kind":"${kinds[h % 5]}",` +
      `"path":"/products/${h % 5000}","amount":${(h % 100_000) / 100},"tags":["${tags[h % 7]}","${tags[(h >>> 3) % 7]}"],` +
      `"device":{"os":"${['ios', 'android', 'web'][h % 3]}","version":"${(h % 20) + 1}.${h % 10}"}}`;
    at += parts[i].length + (i === 0 ? 0 : 1);
    ends[i] = at;
  }
  const events = Buffer.from(parts.join(','));
  return {
    records: 'data',
    list: (query) => {
      const limit = intParam(query, 'limit', { default: 1000, min: 1, max: 10_000 });
      // `total` shows only the first events, so one server serves several benchmark sizes.
      const total = intParam(query, 'total', { default: count, min: 0, max: count });
      const after = query.has('cursor') ? intParam(query, 'cursor', { default: 0, min: 0 }) : 0;
      const last = Math.min(after + limit, total);
      const data = last > after ? events.subarray(after === 0 ? 0 : ends[after - 1] + 1, ends[last - 1]) : Buffer.alloc(0);
      return new RenderedPage(['{"data":[', data, `],"next_cursor":${last < total ? `"${last}"` : 'null'}}`]);
    },
  };
}

function intParam(query: Query, name: string, range: { default: number; min?: number; max?: number }): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return range.default;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = range.max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    throw new BadRequest(`query parameter "${name}" must be an integer ${bounds}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function timestampParam(query: Query, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  // Date.parse alone accepts things like "March 7", so require an ISO 8601 date first.
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    throw new BadRequest(`query parameter "${name}" must be an ISO 8601 timestamp such as 2026-11-20T13:05:00Z, got ${JSON.stringify(raw)}`);
  }
  return ms;
}

function encodeCursor(key: { updatedMs: number; id: number }): string {
  return Buffer.from(JSON.stringify([key.updatedMs, key.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedMs: number; id: number } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every(Number.isSafeInteger)) {
      return { updatedMs: parsed[0], id: parsed[1] };
    }
  } catch {
    // Falls through to the BadRequest below.
  }
  throw new BadRequest(`query parameter "cursor" is not a cursor this API issued: ${JSON.stringify(cursor)}`);
}

/** Index of the first element matching a predicate that is false for a prefix and true after it. */
function firstIndex<T>(sorted: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAtOrAfter(sorted[mid])) high = mid;
    else low = mid + 1;
  }
  return low;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

function sendText(res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

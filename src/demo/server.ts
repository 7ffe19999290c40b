// The demo API: the retail data behind four endpoints, each paginated in a different common style
// (cursor, offset, page number, next URL), so every paginator kind has a real server to run against.
// node:http only, loopback only, and the data is fixed for the life of the server.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateRetailData, type InventoryMovement, type RetailData, type Transaction } from './data.js';

export interface DemoApiOptions {
  token: string;
  /** Default: now. */
  anchor?: Date;
  /** Default 0: a free port. */
  port?: number;
  host?: '127.0.0.1';
}

export interface DemoApi {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  close(): Promise<void>;
  /** Requests served so far, including refused ones. */
  readonly requests: number;
}

type JsonBody = Record<string, unknown>;
type Query = URLSearchParams;

/** A bad query value; becomes a 400 whose message names the parameter. */
class BadRequest extends Error {}

export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  if (!options.token) throw new Error('startDemoApi: token must be a non-empty string');
  const host = options.host ?? '127.0.0.1';
  const routes = buildRoutes(generateRetailData({ anchor: options.anchor ?? new Date() }));
  const expectedAuth = digest(`Bearer ${options.token}`);
  let requests = 0;

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
    try {
      sendJson(res, 200, route(url.searchParams));
    } catch (error) {
      if (error instanceof BadRequest) return sendJson(res, 400, { error: 'bad_request', message: error.message });
      sendJson(res, 500, { error: 'internal', message: error instanceof Error ? error.message : String(error) });
    }
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

function buildRoutes(data: RetailData): Map<string, (query: Query) => JsonBody> {
  // Sorted once, so every page of a walk sees the same order.
  const transactions = data.transactions
    .map((record) => ({ record, updatedMs: Date.parse(record.updated_at) }))
    .sort((a, b) => a.updatedMs - b.updatedMs || a.record.id - b.record.id);
  const movements = [...data.inventory_movements].sort((a, b) => a.id - b.id);

  return new Map([
    ['/v1/transactions', (query: Query) => listTransactions(transactions, query)],
    ['/v1/customers', (query: Query) => listCustomers(data, query)],
    ['/v1/products', (query: Query) => listProducts(data, query)],
    ['/v1/inventory/movements', (query: Query) => listMovements(movements, query)],
  ]);
}

interface SortedTransaction {
  record: Transaction;
  updatedMs: number;
}

/** Cursor pagination over (updated_at, id); the cursor is the last returned key, so it survives new data. */
function listTransactions(sorted: SortedTransaction[], query: Query): JsonBody {
  const limit = intParam(query, 'limit', { default: 100, min: 1, max: 500 });
  const sinceMs = timestampParam(query, 'updated_since');
  const cursor = query.get('cursor');
  const after = cursor === null || cursor === '' ? undefined : decodeCursor(cursor);

  const start = firstIndex(sorted, (t) =>
    (sinceMs === undefined || t.updatedMs >= sinceMs) &&
    (after === undefined || t.updatedMs > after.updatedMs || (t.updatedMs === after.updatedMs && t.record.id > after.id)),
  );
  const page = sorted.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + limit < sorted.length;
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

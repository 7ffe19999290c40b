// Reads a resource of an HTTP/JSON API page by page: auth, pagination, incremental parameter,
// retries with backoff that honour Retry-After, a per-request timeout and a rate limit.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Auth, HttpResource, HttpSource } from '../config/types.js';
import { SourceError } from '../errors.js';
import { mask, registerSecret } from '../secrets.js';
import { getPath } from './json-path.js';
import type { SourcePage } from '../ingest/landing.js';
import { JsonDepthError, JsonScanError, parseExact, scanPage } from './json-scan.js';
import { createPaginator, isLastPage, type Page } from './pagination.js';

export interface FetchOptions {
  /** Value for the incremental parameter (the stored cursor minus lag), if the resource is incremental. */
  since?: string;
  maxAttempts?: number;
  /** Base delay for exponential backoff, in ms. */
  backoffMs?: number;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Spaces requests evenly: each caller gets the next free slot, so callers at once share the rate. */
class RateLimiter {
  private nextSlot = 0;
  constructor(private readonly intervalMs: number) {}

  async next(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}

// One per source object, so a source's rate limit holds across all its resources however many are fetched at once.
const rateLimiters = new WeakMap<HttpSource, RateLimiter>();

function rateLimiterOf(source: HttpSource): RateLimiter | undefined {
  if (!source.rate_limit) return undefined;
  let limiter = rateLimiters.get(source);
  if (!limiter) rateLimiters.set(source, (limiter = new RateLimiter(1000 / source.rate_limit.per_second)));
  return limiter;
}

/** A page of an HTTP resource: what paginators read, plus its records for the landing file. */
export interface HttpPage extends Page {
  records: SourcePage;
}

export async function* fetchPages(source: HttpSource, resource: HttpResource, options: FetchOptions = {}): AsyncGenerator<HttpPage> {
  const auth = new AuthApplier(source.auth);
  const paginator = createPaginator(resource.paginate);
  const base = new URL(resource.path.replace(/^\//, ''), source.base_url.endsWith('/') ? source.base_url : `${source.base_url}/`);
  for (const [k, v] of Object.entries(resource.params)) base.searchParams.set(k, v);
  if (resource.incremental && options.since) base.searchParams.set(resource.incremental.param, options.since);
  const limiter = rateLimiterOf(source);
  const parse = (bytes: Buffer) => parseBody(bytes, resource.records, resource.incremental?.field);

  const get = async (url: URL) => {
    await limiter?.next();
    return requestJson(url, source, auth, options, parse);
  };

  let url: URL | null = paginator.first(base);
  let previous: { url: URL; bytes: Buffer } | undefined;
  // The next page is requested as soon as its URL is known, so it travels while this one is processed.
  let pending: ReturnType<typeof get> | undefined = get(url);
  while (url && pending) {
    let response = await pending;
    if (previous && response.bytes.equals(previous.bytes)) {
      // A stale cache or a lagging replica answered with the previous page: loading it would repeat
      // its records, and following it would repeat (or, for offsets, skip) a page. Ask once more.
      response = await get(url);
      if (response.bytes.equals(previous.bytes)) {
        throw new SourceError(`${mask(url.href)}: the API answered twice with the same page as for ${mask(previous.url.href)}; stopping instead of loading it twice or skipping a page`);
      }
    }
    previous = { url, bytes: response.bytes };
    const { parsed, headers } = response;
    if (parsed.records === undefined) {
      throw new SourceError(
        `${mask(url.href)}: expected an array of records at "${resource.records || '(the body)'}", got ${describe(getPath(parsed.body, resource.records))}`,
      );
    }
    const page: HttpPage = { url, body: parsed.body, records: parsed.records, recordCount: parsed.recordCount, lastRecord: parsed.lastRecord, headers };
    let next: URL | null = null;
    let stop: unknown;
    try {
      next = isLastPage(page) ? null : paginator.next(page);
    } catch (e) {
      stop = e;
    }
    pending = next ? get(next) : undefined;
    // Awaited on the next turn; until then a failure must not count as unhandled.
    pending?.catch(() => undefined);
    yield page;
    if (stop !== undefined) throw stop;
    url = next;
  }
}

interface ParsedBody {
  body: unknown;
  /** Undefined when the body has no array of records at the resource's path. */
  records?: SourcePage;
  recordCount: number;
  lastRecord: unknown;
}

/**
 * A response body's records: scanned from the bytes as they came (json-scan.ts), or, for a body the
 * scanner leaves alone, through JSON.parse. Throws a SyntaxError when the body is not JSON, and
 * JsonDepthError when it nests too deep around its records (a record nested too deep is rejected).
 */
function parseBody(bytes: Buffer, recordsPath: string, cursorField: string | undefined): ParsedBody {
  try {
    const scanned = scanPage(bytes, recordsPath, cursorField);
    if (scanned) return { body: scanned.body, records: scanned, recordCount: scanned.count, lastRecord: scanned.lastRecord };
  } catch (e) {
    if (!(e instanceof JsonScanError)) throw e;
    // Not JSON as the scanner reads it: JSON.parse below decides.
  }
  const text = bytes.toString('utf8');
  const records = getPath(JSON.parse(text), recordsPath);
  // What paginators read keeps integers past 2^53 exact, as on the scanner's path; the records stay as parsed.
  const body = parseExact(text);
  if (!Array.isArray(records)) return { body, recordCount: 0, lastRecord: undefined };
  return { body, records, recordCount: records.length, lastRecord: (getPath(body, recordsPath) as unknown[]).at(-1) };
}

async function requestJson<T>(
  url: URL,
  source: HttpSource,
  auth: AuthApplier,
  options: FetchOptions,
  parse: (bytes: Buffer) => T,
): Promise<{ bytes: Buffer; parsed: T; headers: Headers }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 500;
  let lastProblem = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const request = await auth.apply(url, { accept: 'application/json', ...source.headers });
      const response = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(source.timeoutSeconds * 1000) });
      const bytes = Buffer.from(await response.arrayBuffer());
      if (response.status === 401 && auth.canRefresh() && attempt < maxAttempts) {
        auth.invalidate();
        continue;
      }
      if (RETRYABLE.has(response.status)) {
        lastProblem = `HTTP ${response.status}`;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } else if (!response.ok) {
        throw new SourceError(`${mask(url.href)}: HTTP ${response.status}: ${mask(snippet(bytes))}`);
      } else {
        try {
          return { bytes, parsed: parse(bytes), headers: response.headers };
        } catch (e) {
          if (e instanceof JsonDepthError) throw new SourceError(`${mask(url.href)}: ${e.message}; the page cannot be read safely`);
          if (!(e instanceof SyntaxError)) throw e;
          const type = response.headers.get('content-type');
          const body = `HTTP ${response.status}, ${type ? `content-type ${type}` : 'no content-type'}: ${mask(describeBody(bytes))}`;
          // A page that says it is not JSON (a sign-in, portal or proxy page) will not become JSON when
          // asked again; one that says it is JSON but is not may have been cut off or garbled on the way.
          if (type && !/json/i.test(type)) throw new SourceError(`${mask(url.href)}: expected JSON, got ${body}`);
          lastProblem = `invalid JSON body (${body})`;
        }
      }
    } catch (e) {
      if (e instanceof SourceError) throw e;
      lastProblem = (e as Error).name === 'TimeoutError' ? `timed out after ${source.timeoutSeconds}s` : String((e as Error).cause ?? (e as Error).message);
    }
    if (attempt < maxAttempts) {
      // Exponential backoff with full jitter, unless the server said how long to wait.
      await sleep(retryAfterMs ?? Math.random() * backoffMs * 2 ** (attempt - 1));
    }
  }
  throw new SourceError(`${mask(url.href)}: giving up after ${maxAttempts} attempts: ${mask(lastProblem)}`);
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.min(seconds, 120) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.min(date - Date.now(), 120_000));
}

function snippet(bytes: Buffer | string): string {
  // Only the head of a big body: a snippet is for a log line.
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8', 0, 4096);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}

/** An HTML page by its title, anything else by its first characters. */
function describeBody(bytes: Buffer): string {
  const head = bytes.toString('utf8', 0, 4096);
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1].replace(/\s+/g, ' ').trim();
  return title ? `a page titled "${title.length > 100 ? `${title.slice(0, 100)}…` : title}"` : snippet(head);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

/** Adds credentials to requests; for OAuth2 it fetches, caches and refreshes the access token. */
class AuthApplier {
  private token: string | undefined;
  constructor(private readonly auth: Auth | undefined) {
    if (!auth) return;
    for (const key of ['token', 'value', 'password', 'client_secret'] as const) {
      registerSecret((auth as Record<string, string | undefined>)[key]);
    }
  }

  canRefresh(): boolean {
    return this.auth?.kind === 'oauth2_client_credentials';
  }

  invalidate(): void {
    this.token = undefined;
  }

  async apply(url: URL, headers: Record<string, string>): Promise<{ url: URL; headers: Record<string, string> }> {
    const auth = this.auth;
    if (!auth) return { url, headers };
    switch (auth.kind) {
      case 'bearer':
        return { url, headers: { ...headers, authorization: `Bearer ${auth.token}` } };
      case 'api_key': {
        if (auth.in === 'header') return { url, headers: { ...headers, [auth.name]: auth.value } };
        const withKey = new URL(url);
        withKey.searchParams.set(auth.name, auth.value);
        return { url: withKey, headers };
      }
      case 'basic':
        return { url, headers: { ...headers, authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } };
      case 'oauth2_client_credentials':
        this.token ??= await this.fetchToken(auth);
        return { url, headers: { ...headers, authorization: `Bearer ${this.token}` } };
    }
  }

  private async fetchToken(auth: Extract<Auth, { kind: 'oauth2_client_credentials' }>): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.client_id, client_secret: auth.client_secret });
    if (auth.scope) form.set('scope', auth.scope);
    const response = await fetch(auth.token_url, { method: 'POST', body: form, headers: { accept: 'application/json' } });
    const text = await response.text();
    if (!response.ok) throw new SourceError(`OAuth2 token request to ${mask(auth.token_url)} failed: HTTP ${response.status}: ${mask(snippet(text))}`);
    const token = (JSON.parse(text) as { access_token?: string }).access_token;
    if (!token) throw new SourceError(`OAuth2 token response from ${mask(auth.token_url)} has no access_token`);
    registerSecret(token);
    return token;
  }
}

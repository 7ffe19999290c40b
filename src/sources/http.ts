// Reads a resource of an HTTP/JSON API page by page: auth, pagination, incremental parameter,
// retries with backoff that honour Retry-After (up to a cap), a total deadline and a size limit per request,
// a rate limit and a bound on pages per run. Requests go to trusted origins only (http-auth.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpResource, HttpSource } from '../config/types.js';
import { inResource, SourceError } from '../errors.js';
import { mask, maskedSnippet as snippet } from '../secrets.js';
import { AuthApplier, fetchFollowingRedirects, type TrustedOrigins } from './http-auth.js';
import { readBodyWithin } from './http-body.js';
import { getPath } from './json-path.js';
import type { SourcePage } from './page.js';
import { JsonDepthError, JsonScanError, parseExact, scanPage } from './json-scan.js';
import { createPaginator, isLastPage, type Page } from './pagination.js';
import type { Log } from '../log.js';

export interface FetchOptions {
  /** Value for the incremental parameter (the stored cursor minus lag), if the resource is incremental. */
  since?: string;
  /** A backfill window's end, for the resource's incremental.until_param when it has one. */
  until?: string;
  maxAttempts?: number;
  /** Base delay for exponential backoff, in ms. */
  backoffMs?: number;
  /** Told of each retry as it is scheduled (the line is masked), e.g. the engine's log. */
  log?: Log;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Spaces requests evenly: each caller gets the next free slot, so callers at once share the rate. */
export class RateLimiter {
  private nextSlot = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<unknown> } = { now: Date.now, sleep },
  ) {}

  async next(): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await this.clock.sleep(slot - now);
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

/** Every failure names the resource, whichever request or paginator it came from. */
export async function* fetchPages(source: HttpSource, resource: HttpResource, options: FetchOptions = {}): AsyncGenerator<HttpPage> {
  try {
    yield* readPages(source, resource, options);
  } catch (e) {
    throw e instanceof SourceError ? new SourceError(inResource(resource.name, e.message)) : e;
  }
}

async function* readPages(source: HttpSource, resource: HttpResource, options: FetchOptions): AsyncGenerator<HttpPage> {
  const auth = new AuthApplier(source, source.timeoutSeconds * 1000);
  const paginator = createPaginator(resource.paginate);
  const base = new URL(resource.path.replace(/^\//, ''), source.base_url.endsWith('/') ? source.base_url : `${source.base_url}/`);
  for (const [k, v] of Object.entries(resource.params)) base.searchParams.set(k, v);
  if (resource.incremental && options.since) base.searchParams.set(resource.incremental.param, options.since);
  if (resource.incremental?.until_param && options.until) base.searchParams.set(resource.incremental.until_param, options.until);
  const limiter = rateLimiterOf(source);
  const parse = (bytes: Buffer) => parseBody(bytes, resource.records, resource.incremental?.field);

  const get = async (url: URL) => {
    await limiter?.next();
    return requestJson(url, source, auth, options, parse);
  };

  let url: URL | null = paginator.first(base);
  auth.origins.check(url, `path ${JSON.stringify(resource.path)}`);
  let pages = 0;
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
    pages += 1;
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
      const candidate = isLastPage(page) ? null : paginator.next(page);
      if (candidate) {
        // Refused before anything is sent: a link to another host must not get the credentials.
        auth.origins.check(candidate, `the next page link ${mask(candidate.href)}`);
        if (pages >= resource.max_pages) throw new SourceError(tooManyPages(resource));
      }
      next = candidate;
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

function tooManyPages(resource: HttpResource): string {
  return (
    `read max_pages (${resource.max_pages}) pages and the API still links to another; stopping instead of paging on ` +
    `(an API that ignores its offset or page parameter answers full pages for ever). If the resource really has more ` +
    `pages than that, raise source.resources.${resource.name}.max_pages`
  );
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
      // One deadline for the whole attempt: connecting, every redirect and the body's last byte, so a
      // server that trickles a byte at a time cannot hold the run.
      const signal = AbortSignal.timeout(source.timeoutSeconds * 1000);
      const headers = { accept: 'application/json', ...source.headers };
      const { response } = await fetchFollowingRedirects(
        url,
        async (hop) => {
          const request = await auth.apply(hop, headers);
          return { url: request.url, init: { headers: request.headers, signal } };
        },
        (to, from) => checkRedirect(auth.origins, to, from),
      );
      const bytes = await readBodyWithin(response, source.maxResponseBytes, url);
      if (response.status === 401 && auth.canRefresh() && attempt < maxAttempts) {
        auth.invalidate();
        lastProblem = 'HTTP 401';
        options.log?.(mask(`retry ${attempt}/${maxAttempts - 1} at once, with a new OAuth2 token: HTTP 401 from ${url.href}`), { level: 'warn', event: 'retry', counts: { attempt } });
        continue;
      }
      if (RETRYABLE.has(response.status)) {
        lastProblem = `HTTP ${response.status}`;
        retryAfterMs = retryAfter(response, url, source.maxRetryAfterSeconds);
      } else if (!response.ok) {
        throw new SourceError(`${mask(url.href)}: HTTP ${response.status}: ${snippet(bytes)}`);
      } else {
        try {
          return { bytes, parsed: parse(bytes), headers: response.headers };
        } catch (e) {
          if (e instanceof JsonDepthError) throw new SourceError(`${mask(url.href)}: ${e.message}; the page cannot be read safely`);
          if (!(e instanceof SyntaxError)) throw e;
          const type = response.headers.get('content-type');
          const body = `HTTP ${response.status}, ${type ? `content-type ${type}` : 'no content-type'}: ${describeBody(bytes)}`;
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
      const delayMs = retryAfterMs ?? Math.random() * backoffMs * 2 ** (attempt - 1);
      options.log?.(mask(`retry ${attempt}/${maxAttempts - 1} in ${seconds(delayMs)} s: ${lastProblem} from ${url.href}`), { level: 'warn', event: 'retry', counts: { attempt, wait_ms: Math.round(delayMs) } });
      await sleep(delayMs);
    }
  }
  throw new SourceError(`${mask(url.href)}: giving up after ${maxAttempts} attempts: ${mask(lastProblem)}`);
}

function checkRedirect(origins: TrustedOrigins, to: URL, from: URL): void {
  origins.check(to, `${mask(from.href)}: the redirect to ${mask(to.href)}`);
}

/** Retry-After in ms; one past the source's cap fails now rather than holding the run for hours. */
function retryAfter(response: Response, url: URL, maxSeconds: number): number | undefined {
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  if (ms > maxSeconds * 1000) {
    throw new SourceError(
      `${mask(url.href)}: HTTP ${response.status}: the API asked to retry after ${seconds(ms)} s, more than max_retry_after ${maxSeconds} s; ` +
        'stopping instead of waiting (raise source.max_retry_after to wait that long)',
    );
  }
  return Math.max(0, ms);
}

/** 4000 -> "4", 1234 -> "1.2". */
function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** An HTML page by its title, anything else by its first characters. */
function describeBody(bytes: Buffer): string {
  const head = bytes.toString('utf8', 0, 4096);
  // Masked before it is cut, so a secret at the cut is never shown in part.
  const title = mask(/<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1].replace(/\s+/g, ' ').trim() ?? '');
  return title ? `a page titled "${title.length > 100 ? `${title.slice(0, 100)}…` : title}"` : snippet(head);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

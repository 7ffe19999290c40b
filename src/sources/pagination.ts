// Paginators, keyed by kind. Each one turns a response into the next request, or says it is done.
// Every kind stops on an empty page and refuses to fetch the same cursor or URL twice (a known
// infinite-loop trap in other tools).
import type { Pagination } from '../config/types.js';
import { SourceError } from '../errors.js';
import { getPath } from './json-path.js';

export interface Page {
  url: URL;
  /** The response body; its records array may be left empty (they are counted in recordCount). */
  body: unknown;
  recordCount: number;
  /** The page's last record (cursor_from_last_record), undefined on an empty page. */
  lastRecord: unknown;
  headers: Headers;
}

export interface Paginator {
  /** Adds the first page's parameters to the URL. */
  first(url: URL): URL;
  /** The next page's URL, or null when there is none. */
  next(page: Page): URL | null;
}

type Factory<K extends Pagination['kind']> = (p: Extract<Pagination, { kind: K }>) => Paginator;

const PAGINATORS: { [K in Pagination['kind']]: Factory<K> } = {
  none: () => ({ first: (url) => url, next: () => null }),

  offset: (p) => {
    let offset = 0;
    return {
      first: (url) => withParams(url, { [p.limit_param]: p.limit, [p.offset_param]: 0 }),
      next: (page) => {
        offset += page.recordCount;
        const total = p.total ? getPath(page.body, p.total) : undefined;
        if (page.recordCount < p.limit) return null;
        if (typeof total === 'number' && offset >= total) return null;
        return withParams(page.url, { [p.offset_param]: offset });
      },
    };
  },

  page: (p) => {
    let number = p.start;
    return {
      first: (url) => withParams(url, { [p.page_param]: p.start, [p.size_param]: p.size }),
      next: (page) => {
        const totalPages = p.total_pages ? getPath(page.body, p.total_pages) : undefined;
        const pagesSeen = number - p.start + 1;
        if (typeof totalPages === 'number') {
          if (pagesSeen >= totalPages) return null;
        } else if (page.recordCount < p.size) return null;
        number += 1;
        return withParams(page.url, { [p.page_param]: number });
      },
    };
  },

  cursor: (p) => {
    const seen = new Set<string>();
    return {
      first: (url) => (p.limit ? withParams(url, { [p.limit_param]: p.limit }) : url),
      next: (page) => {
        if (p.has_more && getPath(page.body, p.has_more) === false) return null;
        const where = p.cursor_from_last_record ? `"${p.cursor_from_last_record}" of the page's last record` : `"${p.cursor ?? 'next_cursor'}"`;
        const cursor = p.cursor_from_last_record
          ? getPath(page.lastRecord, p.cursor_from_last_record)
          : getPath(page.body, p.cursor ?? 'next_cursor');
        if (cursor === undefined || cursor === null || cursor === '' || cursor === false) return null;
        // Sent as text, an object would ask for "[object Object]": a path that stops one level short.
        if (typeof cursor !== 'string' && typeof cursor !== 'number' && typeof cursor !== 'bigint') {
          throw new SourceError(`the cursor at ${where} is ${describe(cursor)} (at ${page.url.pathname}), expected a string or a number; point the path at the cursor itself`);
        }
        const key = String(cursor);
        if (seen.has(key)) throw new SourceError(`the API returned cursor ${JSON.stringify(key)} twice (at ${page.url.pathname}); stopping instead of looping`);
        seen.add(key);
        return withParams(page.url, { [p.param]: key });
      },
    };
  },

  next_url: (p) => nextUrlPaginator(`at "${p.next}"`, (page) => getPath(page.body, p.next)),

  link_header: () => nextUrlPaginator('in the Link header', (page) => parseLinkNext(page.headers.get('link'))),
};

function nextUrlPaginator(where: string, read: (page: Page) => unknown): Paginator {
  const seen = new Set<string>();
  return {
    first: (url) => {
      seen.add(url.href);
      return url;
    },
    next: (page) => {
      const next = read(page);
      if (next === undefined || next === null || next === '' || next === false) return null;
      // Stopping here would drop every later page without a word: e.g. HAL's _links.next is an object whose href is the URL.
      if (typeof next !== 'string') {
        throw new SourceError(`the next page link ${where} is ${describe(next)} (at ${page.url.pathname}${page.url.search}), expected a URL; point the path at the URL itself (HAL: _links.next.href)`);
      }
      let url: URL;
      try {
        url = new URL(next, page.url);
      } catch {
        throw new SourceError(`the next page link ${where}, ${JSON.stringify(next.length > 100 ? `${next.slice(0, 100)}…` : next)}, is not a URL (at ${page.url.pathname}${page.url.search})`);
      }
      if (seen.has(url.href)) throw new SourceError(`the API returned next page ${url.pathname}${url.search} twice (at ${page.url.pathname}${page.url.search}); stopping instead of looping`);
      seen.add(url.href);
      return url;
    },
  };
}

export function createPaginator(p: Pagination): Paginator {
  const factory = PAGINATORS[p.kind] as Factory<Pagination['kind']> | undefined;
  if (!factory) throw new SourceError(`unknown pagination kind "${p.kind}" (expected one of: ${Object.keys(PAGINATORS).join(', ')})`);
  return factory(p);
}

/** True when paging must stop before asking the paginator: every kind stops on an empty page. */
export function isLastPage(page: Page): boolean {
  return page.recordCount === 0;
}

function withParams(url: URL, params: Record<string, string | number>): URL {
  const next = new URL(url);
  for (const [k, v] of Object.entries(params)) next.searchParams.set(k, String(v));
  return next;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`} (${JSON.stringify(value)})`;
}

/** RFC 8288: `<https://...>; rel="next", <...>; rel="last"`. */
export function parseLinkNext(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>(.*)/.exec(part.trim());
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2])) return match[1];
  }
  return null;
}

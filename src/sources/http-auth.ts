// Who may receive a source's credentials. Requests carry them only to base_url's origin and the origins
// the pipeline lists in allowed_hosts; OAuth2's client secret goes only to token_url's origin. fetch's own
// redirects would carry a request's headers to any host, so redirects are followed here, each hop checked.
import type { Auth, HttpSource } from '../config/types.js';
import { SourceError } from '../errors.js';
import { mask, maskedSnippet as snippet, registerBasicAuth, registerSecret } from '../secrets.js';
import { readBodyWithin } from './http-body.js';

/** Redirects followed for one request before it fails. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** base_url's origin and the allowed_hosts: the only places a source's requests (and credentials) go. */
export class TrustedOrigins {
  readonly base: string;
  private readonly origins: Set<string>;

  constructor(source: Pick<HttpSource, 'base_url' | 'allowed_hosts'>) {
    try {
      this.base = new URL(source.base_url).origin;
    } catch {
      throw new SourceError(`base_url ${JSON.stringify(mask(source.base_url))} is not a URL (expected e.g. https://api.example.com/v1)`);
    }
    this.origins = new Set([this.base, ...source.allowed_hosts]);
  }

  /** Throws, before anything is sent, when `url` is on another origin; `what` says how the URL was reached. */
  check(url: URL, what: string): void {
    if (this.origins.has(url.origin)) return;
    // file:, data: and the like have no origin to trust ("null"); naming it would only confuse.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceError(`${what} is not an http(s) URL; refusing to follow it`);
    const others = this.origins.size > 1 ? ' or an origin in source.allowed_hosts' : '';
    throw new SourceError(
      `${what} points at ${mask(url.origin)}, not at base_url's origin ${this.base}${others}; refusing to send it the source's credentials ` +
        `(add "${mask(url.origin)}" to source.allowed_hosts if it is trusted)`,
    );
  }
}

export interface Prepared {
  url: URL;
  init: RequestInit;
}

/**
 * fetch, following redirects itself: `check` vets each hop before anything is sent to it, and `prepare`
 * builds that hop's request (with its credentials). The caller's signal bounds all hops together.
 */
export async function fetchFollowingRedirects(
  url: URL,
  prepare: (url: URL) => Promise<Prepared>,
  check: (to: URL, from: URL) => void,
): Promise<{ response: Response; url: URL }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const request = await prepare(current);
    const response = await fetch(request.url, { ...request.init, redirect: 'manual' });
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return { response, url: current };
    await response.body?.cancel();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new SourceError(`${mask(current.href)}: HTTP ${response.status} redirects to ${JSON.stringify(mask(location))}, which is not a URL`);
    }
    if (hop >= MAX_REDIRECTS) throw new SourceError(`${mask(url.href)}: more than ${MAX_REDIRECTS} redirects (the last to ${mask(next.href)}); stopping`);
    check(next, current);
    current = next;
  }
}

/** Registers for masking what a source sends that is secret: its credentials, and header or parameter values from the environment. */
export function registerSourceSecrets(source: Pick<HttpSource, 'auth' | 'secretValues'>): void {
  const auth = source.auth;
  if (auth?.kind === 'basic') registerBasicAuth(auth.username, auth.password);
  else if (auth) registerSecret(auth.kind === 'bearer' ? auth.token : auth.kind === 'api_key' ? auth.value : auth.client_secret);
  for (const value of source.secretValues ?? []) registerSecret(value);
}

/** Adds credentials to requests, only for trusted origins; for OAuth2 it fetches, caches and refreshes the access token. */
export class AuthApplier {
  private token: string | undefined;
  private readonly auth: Auth | undefined;
  private readonly maxResponseBytes: number;
  readonly origins: TrustedOrigins;

  constructor(
    source: Pick<HttpSource, 'auth' | 'base_url' | 'allowed_hosts' | 'maxResponseBytes' | 'secretValues'>,
    private readonly timeoutMs: number,
  ) {
    this.maxResponseBytes = source.maxResponseBytes;
    this.auth = source.auth;
    this.origins = new TrustedOrigins(source);
    registerSourceSecrets(source);
  }

  canRefresh(): boolean {
    return this.auth?.kind === 'oauth2_client_credentials';
  }

  invalidate(): void {
    this.token = undefined;
  }

  async apply(url: URL, headers: Record<string, string>): Promise<{ url: URL; headers: Record<string, string> }> {
    // The last guard: whoever asks, nothing with the source's headers or credentials leaves for another origin.
    this.origins.check(url, mask(url.href));
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
    const tokenUrl = new URL(auth.token_url);
    const where = `OAuth2 token request to ${mask(tokenUrl.href)}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.client_id, client_secret: auth.client_secret });
    if (auth.scope) form.set('scope', auth.scope);
    const signal = AbortSignal.timeout(this.timeoutMs);
    const { response } = await fetchFollowingRedirects(
      tokenUrl,
      async (url) => ({ url, init: { method: 'POST', body: form, headers: { accept: 'application/json' }, signal } }),
      (to) => {
        if (to.origin !== tokenUrl.origin) {
          throw new SourceError(`${where} was redirected to ${mask(to.origin)}; refusing to send the client secret anywhere but token_url's origin ${tokenUrl.origin}`);
        }
      },
    );
    const text = (await readBodyWithin(response, this.maxResponseBytes, tokenUrl)).toString('utf8');
    if (!response.ok) throw new SourceError(`${where} failed: HTTP ${response.status}: ${snippet(text)}`);
    let token: unknown;
    try {
      token = (JSON.parse(text) as { access_token?: unknown }).access_token;
    } catch {
      throw new SourceError(`${where}: the response is not JSON: ${snippet(text)}`);
    }
    if (typeof token !== 'string' || token === '') throw new SourceError(`${where}: the response has no access_token`);
    registerSecret(token);
    return token;
  }
}

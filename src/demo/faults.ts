// Faults the demo API can inject, so tests can prove that ingestion survives what real APIs do:
// throttling, failing gateways, dropped connections, stalls, cut-off and garbled bodies, caches that
// serve a page twice, servers stuck on one cursor, and records that lack their key.

export const FAULT_KINDS = [
  /** 429 with a Retry-After header. */
  'rate_limit',
  /** 500, 502 or 503 (`status`, default 503), with Retry-After when `retryAfterSeconds` is set. */
  'server_error',
  /** The connection is destroyed before any response. */
  'reset',
  /** A 200 whose body stalls halfway for `delayMs` (past the client's timeout). */
  'slow',
  /** A 200 whose connection closes halfway through the declared Content-Length. */
  'truncated',
  /** A 200 whose body is not JSON (a proxy's error page). */
  'invalid_json',
  /** The previous response for this path is served again, byte for byte, for the next request (a stale cache). */
  'duplicate_page',
  /** The next cursor (or next URL) is the one just requested: the infinite-loop trap. */
  'repeat_cursor',
  /** The page's first record comes without its `id`. */
  'missing_key',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** server_error only; default 503. */
  status?: 500 | 502 | 503;
  /** Retry-After, in seconds: default 1 for rate_limit, none for server_error. */
  retryAfterSeconds?: number;
  /** slow only: how long the body stalls; default 60 000 ms. */
  delayMs?: number;
}

export interface FaultRule extends Fault {
  /** The request path the rule applies to, e.g. /v1/transactions. */
  path: string;
  /** Requests to this path served normally before the fault starts; default 0. */
  afterRequests?: number;
  /** How many requests in a row get the fault; default 1, Infinity for all that follow. */
  times?: number;
}

export interface FaultRequest {
  path: string;
  query: URLSearchParams;
  /** 1-based number of this request among the requests to this path since the plan was set. */
  n: number;
}

/** A list of rules, or a function that decides per request (undefined: serve normally). */
export type FaultPlan = readonly FaultRule[] | ((request: FaultRequest) => Fault | undefined);

/** What a server records each time it injects a fault, so a test can prove the fault happened. */
export interface InjectedFault {
  path: string;
  n: number;
  kind: FaultKind;
  /** missing_key: the record that lost its key, as it would have been served. */
  record?: Record<string, unknown>;
}

/** Turns a plan into a per-request decision; rules are checked in order and the first match wins. */
export function faultPicker(plan: FaultPlan | undefined): (request: FaultRequest) => Fault | undefined {
  if (plan === undefined) return () => undefined;
  if (typeof plan === 'function') return plan;
  for (const rule of plan) {
    if (!FAULT_KINDS.includes(rule.kind)) throw new Error(`unknown fault kind "${rule.kind}" (expected one of: ${FAULT_KINDS.join(', ')})`);
  }
  return (request) =>
    plan.find((rule) => {
      const after = rule.afterRequests ?? 0;
      return rule.path === request.path && request.n > after && request.n <= after + (rule.times ?? 1);
    });
}

// A loopback HTTP server that stands for one origin of an API: tests start two to prove what reaches the
// other one (nothing, when credentials are at stake). Routes answer by path; `fallback` answers the rest.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => unknown;

/** What a handler returns when it answers later by itself. */
export const LATER = Symbol('answers later');

export interface Origin {
  url: string;
  routes: Map<string, Handler>;
  /** Answers a path no route names; without it such a path is a 404. */
  fallback?: Handler;
  /** Every request this origin received: its path and query, and its headers. */
  requests: Array<{ url: string; headers: IncomingMessage['headers'] }>;
  server: Server;
  close(): Promise<void>;
}

/** A handler's return value is sent as JSON (200), unless it answered by itself. */
export async function startOrigin(): Promise<Origin> {
  const origin = { routes: new Map<string, Handler>(), requests: [] } as unknown as Origin;
  origin.server = createServer((req, res) => {
    origin.requests.push({ url: req.url!, headers: req.headers });
    const url = new URL(req.url!, 'http://x');
    const body = (origin.routes.get(url.pathname) ?? origin.fallback)?.(url, req, res);
    if (body === LATER || res.writableEnded || res.headersSent) return;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((r) => origin.server.listen(0, '127.0.0.1', r));
  origin.url = `http://127.0.0.1:${(origin.server.address() as AddressInfo).port}`;
  origin.close = () => new Promise<void>((r) => {
    origin.server.closeAllConnections();
    origin.server.close(() => r());
  });
  return origin;
}

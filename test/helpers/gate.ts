// A loopback proxy that holds every request until the test opens it: a run that fetches through it
// stays inside its warehouse (the DuckDB file open, its locks held) for as long as the test needs,
// with no sleeps and no timing.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Gate {
  /** Use in place of the API's URL. */
  url: string;
  /** Resolves at the first request that reaches the gate. */
  reached: Promise<void>;
  open(): void;
  close(): Promise<void>;
}

export async function gateBefore(target: string): Promise<Gate> {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const server = createServer((req, res) => {
    reach();
    void opened.then(() => forward(target, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reached,
    open,
    close: () =>
      new Promise<void>((resolve) => {
        open();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => k !== 'host' && typeof v === 'string')) as Record<string, string>;
    const response = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers });
    const body = Buffer.from(await response.arrayBuffer());
    // fetch has already decoded the body: its length and encoding headers no longer apply.
    const kept = [...response.headers].filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k));
    res.writeHead(response.status, Object.fromEntries(kept));
    res.end(body);
  } catch {
    res.destroy();
  }
}

// fakesnow (a Snowflake emulator on DuckDB) as a local server for the real snowflake-sdk: the Python
// venv is made by scripts/setup-fakesnow.sh when missing, and test/support/fakesnow/launcher.py serves
// it on a free 127.0.0.1 port with results as JSON rowsets (the only kind the Node driver reads).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
export const FAKESNOW_VENV = process.env.FAKESNOW_VENV ?? join(REPO, '.venv-fakesnow');
const PYTHON = join(FAKESNOW_VENV, 'bin', 'python');
const LAUNCHER = join(REPO, 'test', 'support', 'fakesnow', 'launcher.py');
const SETUP = join(REPO, 'scripts', 'setup-fakesnow.sh');

export interface Fakesnow {
  /** e.g. http://127.0.0.1:40123, for SNOWFLAKE_ACCESS_URL. */
  accessUrl: string;
  host: string;
  port: number;
  /** The query requests the driver sent (SQL text, statement parameters, bind counts); clear empties the list. */
  requests(options?: { clear?: boolean }): Promise<RecordedRequest[]>;
  /** Forgets every session token, as if the sessions had expired. */
  expireSessions(): Promise<number>;
  /** The server's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface RecordedRequest {
  sqlText: string;
  parameters: Record<string, unknown>;
  bindCount: number;
  bindRows: number;
  describeOnly: boolean;
}

/**
 * Why fakesnow cannot run here, or undefined when it can (creating the venv if it is missing; that
 * takes about half a minute once, and is cached in .venv-fakesnow).
 */
export function fakesnowUnavailable(): string | undefined {
  if (existsSync(PYTHON)) return undefined;
  const setup = spawnSync('bash', [SETUP], { cwd: REPO, encoding: 'utf8', env: { ...process.env, FAKESNOW_VENV } });
  if (setup.status === 0 && existsSync(PYTHON)) return undefined;
  const why = `${setup.stderr ?? ''}${setup.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n');
  return `cannot create the fakesnow venv with scripts/setup-fakesnow.sh (exit ${setup.status ?? setup.signal ?? setup.error?.message}): ${why}`;
}

export async function startFakesnow(): Promise<Fakesnow> {
  const unavailable = fakesnowUnavailable();
  if (unavailable) throw new Error(unavailable);
  const port = await freePort();
  const host = '127.0.0.1';
  const accessUrl = `http://${host}:${port}`;
  // stdin stays open as a lifeline: the launcher exits when it closes (this process ended).
  const child = spawn(PYTHON, [LAUNCHER, '--port', String(port)], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    await waitUntilAnswering(`${accessUrl}/fakesnow-test/health`, child, () => output);
  } catch (e) {
    await kill(child, exited);
    throw e;
  }

  return {
    accessUrl,
    host,
    port,
    async requests(options = {}) {
      const response = await fetch(`${accessUrl}/fakesnow-test/requests${options.clear ? '?clear=1' : ''}`);
      return (await response.json()) as RecordedRequest[];
    },
    async expireSessions() {
      const response = await fetch(`${accessUrl}/fakesnow-test/expire-sessions`, { method: 'POST' });
      return ((await response.json()) as { expired: number }).expired;
    },
    output: () => output,
    stop: () => kill(child, exited),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`fakesnow exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fakesnow did not answer on ${url} within 30 s:\n${output()}`);
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

// Secrets made of every reserved character, sent as an API key in the query and as basic auth to an API
// that echoes them back (as they came, and the key in base64) in its error bodies and next links. After
// `dataops run`, `status --json` and `report` as child processes, no secret may appear in any encoding
// anywhere a user or a reader can see: the commands' output, every table of the DuckDB file, the status
// JSON, the site and the job summary.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { BIN, ensureBuild } from '../helpers/build.js';

const RESERVED = ` :/?#[]@!$&'()*+,;=%"\\`;
const API_KEY = `key${RESERVED}end-1`;
const USER = 'svc-reader';
const PASSWORD = `pw${RESERVED} end-2`;

/** Each secret as it can be sent or echoed: what must never show. */
function encodings(secret: string): string[] {
  const json = (t: string) => JSON.stringify(t).slice(1, -1);
  const html = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ k: secret }).toString().slice(2),
    json(secret),
    html(secret),
    html(json(secret)),
  ];
}
const FORBIDDEN = [
  ...encodings(API_KEY),
  ...encodings(PASSWORD),
  Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
  Buffer.from(PASSWORD).toString('base64'),
  Buffer.from(API_KEY).toString('base64'),
];

/** What the API got, echoed back in every form a careless server uses. */
function echo(req: IncomingMessage, url: URL): string {
  const basic = req.headers.authorization?.replace(/^Basic /, '');
  return JSON.stringify({
    error: 'not allowed',
    api_key: url.searchParams.get('api_key'),
    password: basic ? Buffer.from(basic, 'base64').toString().split(':').slice(1).join(':') : null,
    api_key_base64: Buffer.from(url.searchParams.get('api_key') ?? '').toString('base64'),
    authorization: req.headers.authorization ?? null,
    url: req.url,
    headers: req.headers,
  });
}

let server: Server;
let base: string;
let dir: string;
const served: string[] = [];

beforeAll(async () => {
  await ensureBuild();
  const failed = new Set<string>();
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    served.push(req.url!);
    // A first page whose next link carries the key back, as many APIs do.
    if (url.pathname === '/v1/items' && !url.searchParams.has('page')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: 1 }], next: `/v1/items?page=2&api_key=${encodeURIComponent(url.searchParams.get('api_key') ?? '')}` }));
      return;
    }
    // Then, for each path, a 500 (retried at once), then a 404 for good; both echo the request.
    const first = !failed.has(url.pathname);
    failed.add(url.pathname);
    res.writeHead(first ? 500 : 404, { 'content-type': 'application/json', ...(first ? { 'retry-after': '0' } : {}) });
    res.end(echo(req, url));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  dir = await mkdtemp(join(tmpdir(), 'dataops-secrets-'));
  await mkdir(join(dir, 'pipelines'));
  const pipeline = (name: string, auth: string, path: string) => `name: ${name}
source:
  kind: http
  base_url: { env: SECRETS_API_URL }
  auth: ${auth}
  resources:
    items:
      path: ${path}
      records: data
      paginate: { kind: next_url, next: next }
silver:
  ${name}_items: { from: items, key: [id], columns: { id: { path: id, type: integer } } }
`;
  await writeFile(join(dir, 'pipelines/keyed.yml'), pipeline('keyed', '{ kind: api_key, in: query, name: api_key, value: { env: SECRETS_API_KEY } }', '/v1/items'));
  await writeFile(join(dir, 'pipelines/basic.yml'), pipeline('basic', '{ kind: basic, username: { env: SECRETS_USER }, password: { env: SECRETS_PASSWORD } }', '/v1/people'));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => server?.close(() => r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function dataops(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Every row of every table in the DuckDB file, as text. */
async function dumpDatabase(file: string): Promise<string> {
  const warehouse = await DuckDBWarehouse.open(file);
  try {
    const tables = await warehouse.query<{ s: string; t: string }>('SELECT table_schema AS s, table_name AS t FROM information_schema.tables ORDER BY 1, 2');
    const out: string[] = [];
    for (const { s, t } of tables) {
      const rows = await warehouse.query(`SELECT * FROM "${s}"."${t}"`);
      out.push(`${s}.${t}`, JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    }
    return out.join('\n');
  } finally {
    await warehouse.close();
  }
}

async function readTree(root: string): Promise<string> {
  const files = await readdir(root, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')));
  return texts.join('\n');
}

test('no secret shows in any encoding: output, every table, status --json, the site, the job summary', async () => {
  const summary = join(dir, 'step-summary.md');
  await writeFile(summary, '');
  const env = {
    ...process.env,
    SECRETS_API_URL: base,
    SECRETS_API_KEY: API_KEY,
    SECRETS_USER: USER,
    SECRETS_PASSWORD: PASSWORD,
    GITHUB_STEP_SUMMARY: summary,
  };
  const run = await dataops(['run'], env);
  const status = await dataops(['status', '--json'], env);
  const report = await dataops(['report'], env);

  // The run did what the test needs: both pipelines failed on an echoing error body after a logged retry.
  expect(run.code).toBe(1);
  expect(served.some((u) => u.includes('page=2')), run.stdout + run.stderr).toBe(true);
  expect(run.stdout).toMatch(/keyed\.items: retry 1\/4 in 0 s: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/v1\/items\?page=2&api_key=\*\*\*\n/);
  expect(run.stdout).toMatch(/basic\.items: retry 1\/4 in 0 s: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/v1\/people\n/);
  expect(run.stdout).toMatch(/keyed: ingest FAILED: resource items: .*: HTTP 404: \{"error":"not allowed","api_key":"\*\*\*","password":null,"api_key_base64":"\*\*\*"/);
  expect(run.stdout).toMatch(/basic: ingest FAILED: resource items: .*: HTTP 404: \{"error":"not allowed","api_key":null,"password":"\*\*\*","api_key_base64":"","authorization":"Basic \*\*\*"/);
  expect(status.code).toBe(0);
  const statusJson = JSON.parse(status.stdout) as { pipelines: Array<{ name: string; last_run: { status: string; error: string } }> };
  expect(statusJson.pipelines.map((p) => [p.name, p.last_run.status])).toEqual([['basic', 'failed'], ['keyed', 'failed']]);
  expect(report.code).toBe(0);
  const summaryText = await readFile(summary, 'utf8');
  expect(summaryText).toContain('HTTP 404');

  const seen: Record<string, string> = {
    'run output': run.stdout + run.stderr,
    'status --json': status.stdout + status.stderr,
    'report output': report.stdout + report.stderr,
    'the DuckDB file': await dumpDatabase(join(dir, '.dataops/dev.duckdb')),
    'the site': await readTree(join(dir, '.dataops/site')),
    'the job summary': summaryText,
  };
  for (const [where, text] of Object.entries(seen)) {
    expect(text.length, where).toBeGreaterThan(0);
    for (const form of FORBIDDEN) expect(text.includes(form), `${where} shows ${JSON.stringify(form)}`).toBe(false);
  }
});

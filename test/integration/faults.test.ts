// The real engine against the demo API with every fault it can inject. After each fault: no record
// lost, none duplicated (silver and bronze compared with the API's data), the cursor where it should
// be, and the next run completes the data. Also a process killed in the middle of a load.
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData, type Transaction } from '../../src/demo/data.js';
import type { FaultRule } from '../../src/demo/faults.js';
import { INTERRUPTED, runProject, type PipelineRun } from '../../src/engine.js';
import { tallyReport } from '../../src/report/tally.js';
import type { StatusReport } from '../../src/state/types.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
// Three days later: after the cursor's 2h lag, about three pages of 200 transactions.
const LATER = new Date('2026-11-23T12:30:00Z');
const LAG_MS = 2 * 3_600_000;
const PATH = '/v1/transactions';
const HTTP = { maxAttempts: 3, backoffMs: 5 };

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/** The demo project with a 1s request timeout, so a stalled response times out quickly. */
async function faultProject(): Promise<DemoProject> {
  const p = await demoProject(ANCHOR);
  const file = join(p.dir, 'pipelines/retail_pos.yml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('  rate_limit: { per_second: 50 }\n', '  rate_limit: { per_second: 50 }\n  timeout: 1s\n'));
  return p;
}

async function runPos(p: DemoProject): Promise<PipelineRun> {
  const result = await runProject(p.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'], http: HTTP });
  return result.pipelines[0];
}

const newest = (ts: Transaction[]) => ts.reduce((max, t) => (t.updated_at > max ? t.updated_at : max), '');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

interface Expected {
  /** transaction_id -> updated_at of the version silver must hold. */
  silver: Map<number, string>;
  /** "id|updated_at" of every distinct record version the API served (id "null" when served without it). */
  bronze: Set<string>;
  cursor: string;
}

/**
 * What the warehouse must hold after a clean run at ANCHOR and runs at LATER: everything served at
 * ANCHOR, plus what LATER served from the cursor minus the lag. A record served without its key is
 * in bronze (id null) and rejected, so silver keeps the version it had before, if any.
 */
function expected(keyless?: Record<string, unknown>): Expected {
  const first = generateRetailData({ anchor: ANCHOR }).transactions;
  const since = iso(Date.parse(newest(first)) - LAG_MS);
  const later = generateRetailData({ anchor: LATER }).transactions.filter((t) => t.updated_at >= since);
  const isKeyless = (t: Transaction) => keyless !== undefined && t.id === keyless.id && t.updated_at === keyless.updated_at;
  const silver = new Map<number, string>();
  const bronze = new Set<string>();
  for (const [t, servedWithoutKey] of [...first.map((t) => [t, false] as const), ...later.map((t) => [t, isKeyless(t)] as const)]) {
    bronze.add(`${servedWithoutKey ? 'null' : t.id}|${t.updated_at}`);
    const valid = t.sold_at !== undefined && t.total >= 0;
    if (valid && !servedWithoutKey && (silver.get(t.id) ?? '') < t.updated_at) silver.set(t.id, t.updated_at);
  }
  return { silver, bronze, cursor: newest([...first, ...later]) };
}

async function cursor(w: Warehouse, pipeline = 'retail_pos'): Promise<string | undefined> {
  const rows = await w.query<{ value: string }>(`SELECT value FROM meta.cursors WHERE pipeline = '${pipeline}'`);
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0]?.value;
}

async function expectComplete(p: DemoProject, want: Expected): Promise<void> {
  await withDatabase(p.settings, async (w) => {
    const silver = await w.query<{ id: number; updated_at: string }>('SELECT transaction_id AS id, updated_at FROM silver.transactions');
    expect(silver.length, 'each transaction once in silver').toBe(new Set(silver.map((r) => r.id)).size);
    expect(new Map(silver.map((r) => [r.id, iso(Date.parse(r.updated_at))]))).toEqual(want.silver);

    const bronze = await w.query<{ v: string; hash: string }>(
      `SELECT COALESCE(json_extract_string(_record, '$.id'), 'null') || '|' || json_extract_string(_record, '$.updated_at') AS v, _record_hash AS hash
       FROM bronze.retail_pos_transactions`,
    );
    expect(bronze.length, 'no record twice in bronze').toBe(new Set(bronze.map((r) => r.hash)).size);
    expect(new Set(bronze.map((r) => r.v))).toEqual(want.bronze);
    expect(bronze.length).toBe(want.bronze.size);

    expect(await cursor(w)).toBe(want.cursor);
    expect(await count(w, 'SELECT COUNT(*) AS n FROM meta.silver_loads WHERE NOT conserved OR bronze <> accepted + rejected')).toBe(0);
  });
}

interface Snapshot {
  bronze: number;
  batches: number;
  cursor: string | undefined;
}

async function snapshot(p: DemoProject): Promise<Snapshot> {
  return withDatabase(p.settings, async (w) => ({
    bronze: await count(w, 'SELECT COUNT(*) AS n FROM bronze.retail_pos_transactions'),
    batches: await count(w, "SELECT COUNT(*) AS n FROM meta.batches WHERE pipeline = 'retail_pos'"),
    cursor: await cursor(w),
  }));
}

const on = (kind: FaultRule['kind'], extra: Partial<FaultRule> = {}): FaultRule[] => [{ path: PATH, kind, afterRequests: 1, ...extra }];

describe('each fault the demo API injects, on the second page of an incremental run', () => {
  // [name, faults, how the faulty run ends]: 'survives' means the run retried or re-asked and
  // finished; an error pattern means the run failed cleanly and the next one completes.
  test.each<[string, FaultRule[], 'survives' | RegExp]>([
    ['429 with Retry-After', on('rate_limit', { retryAfterSeconds: 1 }), 'survives'],
    ['429 that does not stop', on('rate_limit', { retryAfterSeconds: 0, times: Infinity }), /giving up after 3 attempts: HTTP 429/],
    ['500 twice', on('server_error', { status: 500, times: 2 }), 'survives'],
    ['502 twice', on('server_error', { status: 502, times: 2 }), 'survives'],
    ['503 with Retry-After', on('server_error', { status: 503, retryAfterSeconds: 0 }), 'survives'],
    ['503 that does not stop', on('server_error', { status: 503, times: Infinity }), /giving up after 3 attempts: HTTP 503/],
    ['connection reset twice', on('reset', { times: 2 }), 'survives'],
    ['connection reset on every try', on('reset', { times: Infinity }), /giving up after 3 attempts/],
    ['a response slower than the timeout', on('slow', { delayMs: 5_000 }), 'survives'],
    ['every response slower than the timeout', on('slow', { delayMs: 5_000, times: Infinity }), /giving up after 3 attempts: timed out after 1s/],
    ['a truncated body twice', on('truncated', { times: 2 }), 'survives'],
    ['a truncated body on every try', on('truncated', { times: Infinity }), /giving up after 3 attempts/],
    ['invalid JSON twice', on('invalid_json', { times: 2 }), 'survives'],
    ['invalid JSON on every try', on('invalid_json', { times: Infinity }), /^resource transactions: .*: giving up after 3 attempts: invalid JSON body \(HTTP 200, content-type application\/json: a page titled "502 Bad Gateway"\)$/],
    ['the previous page served again for the next cursor', on('duplicate_page'), 'survives'],
    ['the previous page served again and again', on('duplicate_page', { times: Infinity }), /answered twice with the same page/],
    ['a repeated cursor', on('repeat_cursor'), /returned cursor ".*" twice/],
    ['a record missing its key', on('missing_key'), 'survives'],
  ])('%s', async (_name, faults, outcome) => {
    project = await faultProject();
    expect((await runPos(project)).error).toBeUndefined();
    const before = await snapshot(project);

    await project.moveTo(LATER);
    project.api.setFaults(faults);
    const started = Date.now();
    const faulty = await runPos(project);
    const injected = project.api.injected;
    expect(injected.length, 'the fault happened').toBeGreaterThan(0);
    expect(injected.every((f) => f.kind === faults[0].kind && f.path === PATH)).toBe(true);

    if (outcome === 'survives') {
      expect(faulty.error).toBeUndefined();
      if (faults[0].kind === 'rate_limit') expect(Date.now() - started, 'Retry-After: 1 honoured').toBeGreaterThanOrEqual(1_000);
    } else {
      expect(faulty.error).toMatch(outcome);
      // Nothing of the failed batch was written, the cursor did not move, and no partial landing file is left.
      expect(await snapshot(project)).toEqual(before);
    }

    project.api.setFaults(undefined);
    const next = await runPos(project);
    expect(next.error).toBeUndefined();
    if (outcome === 'survives') expect(next.batches[0].bronzeRows, 'the faulty run already loaded everything').toBe(0);
    const keyless = injected.find((f) => f.kind === 'missing_key')?.record;
    await expectComplete(project, expected(keyless));
    if (keyless) {
      await withDatabase(project.settings, async (w) => {
        const rejected = await w.query<{ reasons: string; record: string }>(
          "SELECT reasons, record FROM meta.rejected WHERE table_name = 'silver.transactions' AND json_extract(record, '$.id') IS NULL",
        );
        expect(rejected.map((r) => r.reasons)).toEqual(['missing_required:transaction_id']);
        expect(JSON.parse(rejected[0].record).updated_at).toBe(keyless.updated_at);
      });
    }
  });

  test('a repeated next URL fails the run cleanly; the next run completes', async () => {
    project = await faultProject();
    await runProject(project.settings, { pipelines: ['inventory'], steps: ['ingest'], http: HTTP });
    const movementsCursor = () => withDatabase(project!.settings, (w) => cursor(w, 'inventory'));
    const before = await movementsCursor();
    await project.moveTo(LATER);
    project.api.setFaults([{ path: '/v1/inventory/movements', kind: 'repeat_cursor' }]);
    const [faulty] = (await runProject(project.settings, { pipelines: ['inventory'], steps: ['ingest'], http: HTTP })).pipelines;
    expect(faulty.error).toMatch(/returned next page \/v1\/inventory\/movements\?.* twice/);
    expect(await movementsCursor()).toBe(before);
    project.api.setFaults(undefined);
    const [next] = (await runProject(project.settings, { pipelines: ['inventory'], steps: ['ingest'], http: HTTP })).pipelines;
    expect(next.error).toBeUndefined();
    const movements = generateRetailData({ anchor: LATER }).inventory_movements;
    expect(await movementsCursor()).toBe(movements.at(-1)!.moved_at);
    await withDatabase(project.settings, async (w) => {
      const ids = (await w.query<{ id: number }>("SELECT json_extract(_record, '$.id')::BIGINT AS id FROM bronze.inventory_movements")).map((r) => r.id);
      expect(ids.length).toBe(new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set([...generateRetailData({ anchor: ANCHOR }).inventory_movements, ...movements].map((m) => m.id)));
    });
  });

  test('an offset API that serves a page twice neither duplicates nor skips records', async () => {
    project = await faultProject();
    project.api.setFaults([{ path: '/v1/customers', kind: 'duplicate_page', afterRequests: 1 }]);
    const [run] = (await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest'], http: HTTP })).pipelines;
    expect(run.error).toBeUndefined();
    expect(project.api.injected).toHaveLength(1);
    const customers = generateRetailData({ anchor: ANCHOR }).customers;
    const batch = run.batches.find((b) => b.resource === 'customers')!;
    expect(batch.received).toBe(customers.length);
    await withDatabase(project.settings, async (w) => {
      const rows = await w.query<{ r: string }>('SELECT _record::VARCHAR AS r FROM bronze.catalog_customers');
      expect(new Set(rows.map((row) => row.r))).toEqual(new Set(customers.map((c) => JSON.stringify(c))));
    });
  });
});

describe('a process killed in the middle of a load', () => {
  beforeAll(ensureBuild);

  const partials = async (p: DemoProject) =>
    (await readdir(p.settings.landingDir, { recursive: true })).filter((f) => f.endsWith('.partial'));

  /** `dataops status --json`, as a user would read it. */
  async function statusJson(p: DemoProject): Promise<StatusReport> {
    const child = spawn('node', [BIN, '-C', p.dir, 'status', '--json'], { env: p.settings.env as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    return JSON.parse(out) as StatusReport;
  }

  /** `dataops report` into a folder of the project; returns that folder. */
  async function reportSite(p: DemoProject): Promise<string> {
    const out = join(p.dir, 'site-after-kill');
    const child = spawn('node', [BIN, '-C', p.dir, 'report', '--out', out], { env: p.settings.env as NodeJS.ProcessEnv, stdio: 'ignore' });
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0);
    return out;
  }

  /** Runs `dataops run retail_pos` as a user would; kills it once `killWhen` holds. */
  async function cli(p: DemoProject, killWhen?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = spawn('node', [BIN, '-C', p.dir, 'run', 'retail_pos'], { env: p.settings.env as NodeJS.ProcessEnv, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    if (killWhen) {
      const poll = setInterval(() => killWhen() && child.kill('SIGKILL'), 10);
      exited.finally(() => clearInterval(poll));
    }
    return exited;
  }

  test('SIGKILL mid-fetch leaves the last committed state; the next run completes it exactly once', async () => {
    project = await faultProject();
    expect((await cli(project)).signal).toBeNull();
    const before = await snapshot(project);
    expect(before.cursor).toBe(newest(generateRetailData({ anchor: ANCHOR }).transactions));

    // A slow API (each page stalls 200ms, under the timeout): kill the run after its third page.
    await project.moveTo(LATER);
    project.api.setFaults([{ path: PATH, kind: 'slow', delayMs: 200, times: Infinity }]);
    const killed = await cli(project, () => project!.api.injected.length >= 3);
    expect(killed.signal).toBe('SIGKILL');
    expect(await snapshot(project)).toEqual(before);
    // The killed run left its half-fetched batch as .partial parts, which nothing reads...
    expect(await partials(project)).not.toEqual([]);
    // Before any other run: `status` (and so the site) already shows it failed, not running, and nothing as fine.
    const status = await statusJson(project);
    const killedRun = status.pipelines.find((p) => p.name === 'retail_pos')!.last_run!;
    expect(killedRun.status).toBe('failed');
    expect(killedRun.error).toBe(INTERRUPTED);
    expect(killedRun.steps.map((s) => `${s.step}=${s.status}`)).toEqual(['ingest=failed', 'transform=failed', 'check=failed']);
    expect(tallyReport(status).state).toBe('fail');
    // So does the site: its count of failed runs, the run history's (this pipeline alone fails its first
    // run's checks: the other pipelines' tables are missing) and the killed run's own page.
    const site = await reportSite(project);
    const overview = (await readFile(join(site, 'index.html'), 'utf8')).replace(/<[^>]+>/g, '');
    expect(overview).toContain('Failed runs1 of 4 pipelines whose last run failed');
    expect(overview).toContain('Runs over time2 runs, 2 failed');
    expect(overview).toContain(`retail_pos${killedRun.run_id}${INTERRUPTED}`);
    const runPage = (await readdir(join(site, 'runs'))).find((f) => f.includes(killedRun.run_id))!;
    expect(await readFile(join(site, 'runs', runPage), 'utf8')).toContain(INTERRUPTED);

    project.api.setFaults(undefined);
    await cli(project);
    // ...and the next run of the pipeline removes them.
    expect(await partials(project)).toEqual([]);
    await expectComplete(project, expected());
    expect((await snapshot(project)).batches).toBe(2);
    // The killed run is not left "running" for ever: the next run of the pipeline marks it interrupted.
    // (Its steps say so too; the other runs' ingest and transform succeeded.)
    const runs = await withDatabase(project.settings, (w) =>
      w.query<{ status: string; error: string | null; steps: string }>(
        `SELECT r.status, r.error, (SELECT string_agg(s.step || '=' || s.status, ' ' ORDER BY s.started_at, s.step DESC) FROM meta.run_steps s
           WHERE s.run_id = r.run_id AND s.pipeline = r.pipeline AND s.step <> 'check') AS steps
         FROM meta.runs r WHERE pipeline = 'retail_pos' ORDER BY started_at`,
      ),
    );
    expect(runs.map((r) => r.steps)).toEqual(['ingest=success transform=success', 'ingest=failed transform=failed', 'ingest=success transform=success']);
    expect(runs[1].status).toBe('failed');
    expect(runs[1].error).toBe(INTERRUPTED);
  });
});

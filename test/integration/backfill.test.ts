// `dataops backfill`: a window fetched again from the demo API, after normal runs. It appends only what
// bronze lacks (records lost after they were loaded, or that a fault spoilt), never moves a cursor back,
// is recorded as a run whose batches say which window they are a backfill of, and the next normal run
// goes on from the cursor as before. Through runProject and through the CLI in a child process.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parseWindow } from '../../src/backfill.js';
import { generateRetailData, type RetailData } from '../../src/demo/data.js';
import { resolveSettings, runProject } from '../../src/engine.js';
import { UsageError } from '../../src/errors.js';
import type { StatusReport } from '../../src/state/types.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const LATER = new Date('2026-11-23T12:30:00Z');
const LAG_MS = 2 * 3_600_000;
const ms = (iso: string) => Date.parse(iso);
const newest = (data: RetailData) => data.transactions.reduce((m, t) => (t.updated_at > m ? t.updated_at : m), '');
const validIds = (data: RetailData) => new Set(data.transactions.filter((t) => t.sold_at !== undefined && t.total >= 0).map((t) => t.id));
const between = (data: RetailData, from: string, to: string) => data.transactions.filter((t) => ms(t.updated_at) >= ms(from) && ms(t.updated_at) < ms(to));

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/** Bronze holds each record once, and silver every valid transaction the API served (at either time) once. */
async function expectComplete(w: Warehouse, ...served: RetailData[]): Promise<void> {
  const [bronze] = await w.query<{ n: number; hashes: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT _record_hash) AS hashes FROM bronze.retail_pos_transactions');
  expect(Number(bronze.n)).toBe(Number(bronze.hashes));
  const valid = new Set(served.flatMap((data) => [...validIds(data)]));
  const ids = (await w.query<{ id: number }>('SELECT transaction_id AS id FROM silver.transactions')).map((r) => r.id);
  expect(ids.length).toBe(valid.size);
  expect(new Set(ids)).toEqual(valid);
}

describe('a backfill of an incremental API resource', () => {
  test('re-fetches a two-day window, appends only what bronze lost, leaves the cursor, and the next run goes on from it', async () => {
    project = await demoProject(ANCHOR);
    const data = generateRetailData({ anchor: ANCHOR });
    // Every pipeline, so that the checks of retail_pos find the dimensions they refer to.
    const first = await runProject(project.settings, { now: ANCHOR });
    expect(first.ok).toBe(true);
    const cursor = newest(data);
    expect(first.pipelines.find((p) => p.pipeline === 'retail_pos')!.batches[0].cursorAfter).toBe(cursor);

    // Records lost after they were loaded: gone from bronze and silver.
    const lost = between(data, '2026-11-15T00:00:00Z', '2026-11-17T00:00:00Z');
    expect(lost.length).toBeGreaterThan(200);
    await withDatabase(project.settings, async (w) => {
      const ids = lost.map((t) => t.id).join(', ');
      expect(await w.execute(`DELETE FROM bronze.retail_pos_transactions WHERE (_record->>'id')::BIGINT IN (${ids})`)).toBe(lost.length);
      await w.execute(`DELETE FROM silver.transactions WHERE transaction_id IN (${ids})`);
      await w.execute(`DELETE FROM silver.transaction_lines WHERE transaction_id IN (${ids})`);
    });

    const log: string[] = [];
    const requests = project.api.requests;
    const backfill = await runProject(project.settings, { pipelines: ['retail_pos'], window: parseWindow('2026-11-15', '2026-11-16'), now: ANCHOR, log: (l) => log.push(l) });
    expect(backfill.ok).toBe(true);
    const [run] = backfill.pipelines;
    // The API was asked for the window only (updated_since and updated_before): every record it sent is in it.
    expect(run.batches).toHaveLength(1);
    expect(run.batches[0]).toMatchObject({ received: lost.length, bronzeRows: lost.length, cursorBefore: cursor, cursorAfter: cursor });
    expect(project.api.requests - requests).toBe(Math.ceil(lost.length / 200));
    expect(run.backfill).toEqual({
      from: '2026-11-15T00:00:00Z',
      to: '2026-11-17T00:00:00Z',
      notes: [
        'retail_pos.transactions: backfill of [2026-11-15T00:00:00Z, 2026-11-17T00:00:00Z): fetching updated_since=2026-11-15T00:00:00Z, updated_before=2026-11-17T00:00:00Z',
        `retail_pos.transactions: the cursor stays at ${cursor}`,
      ],
    });
    expect(log).toEqual(expect.arrayContaining(run.backfill!.notes));
    // Silver built the backfill's batch like any other: the lost transactions are back, each once.
    expect(run.silverLoads.find((l) => l.table === 'silver.transactions')).toMatchObject({ bronze: lost.length, conserved: true });
    await withDatabase(project.settings, async (w) => {
      await expectComplete(w, data);
      expect(await w.query("SELECT value FROM meta.cursors WHERE pipeline = 'retail_pos'")).toEqual([{ value: cursor }]);
      expect(await w.query(`SELECT backfill_from, backfill_to FROM meta.batches WHERE run_id = '${backfill.runId}'`)).toEqual([
        { backfill_from: '2026-11-15T00:00:00.000Z', backfill_to: '2026-11-17T00:00:00.000Z' },
      ]);
      expect(await count(w, `SELECT COUNT(*) AS n FROM meta.batches WHERE pipeline = 'retail_pos' AND backfill_from IS NULL`)).toBe(1);
      // A run like any other: its record and its three steps.
      expect(await w.query(`SELECT status FROM meta.runs WHERE run_id = '${backfill.runId}'`)).toEqual([{ status: 'success' }]);
      expect(await w.query(`SELECT step, status FROM meta.run_steps WHERE run_id = '${backfill.runId}' ORDER BY step`)).toEqual([
        { step: 'check', status: 'success' },
        { step: 'ingest', status: 'success' },
        { step: 'transform', status: 'success' },
      ]);
    });

    // The same backfill again appends nothing.
    const again = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'], window: parseWindow('2026-11-15', '2026-11-16') });
    expect(again.pipelines[0].batches[0]).toMatchObject({ received: lost.length, bronzeRows: 0, cursorAfter: cursor });

    // The next normal run asks from the cursor minus the lag, as it would have without the backfill.
    await project.moveTo(LATER);
    const later = generateRetailData({ anchor: LATER });
    const next = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    const since = new Date(ms(cursor) - LAG_MS).toISOString();
    expect(next.pipelines[0].batches[0]).toMatchObject({ cursorBefore: cursor, cursorAfter: newest(later), received: between(later, since, '2100-01-01T00:00:00Z').length });
    await withDatabase(project.settings, (w) => expectComplete(w, data, later));
  });

  test('reaches back past bronze.copy_window to the window\'s start, so an old window adds no copies', async () => {
    project = await demoProject(ANCHOR);
    await writeFile(join(project.dir, 'dataops.yml'), 'bronze:\n  copy_window: 1d\n');
    project.settings = resolveSettings({ projectDir: project.dir, env: project.settings.env });
    expect(project.settings.copyWindowSeconds).toBe(86_400);
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'] });
    // As if that load had been a week ago: out of the copy window of a normal run today.
    await withDatabase(project.settings, (w) => w.execute("UPDATE bronze.retail_pos_transactions SET _fetched_at = _fetched_at - INTERVAL 7 DAY"));
    const backfill = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'], window: parseWindow('2026-11-15', '2026-11-16') });
    const data = generateRetailData({ anchor: ANCHOR });
    expect(backfill.pipelines[0].batches[0]).toMatchObject({ received: between(data, '2026-11-15T00:00:00Z', '2026-11-17T00:00:00Z').length, bronzeRows: 0 });
  });

  test('a window that starts after the cursor leaves it there: the next run fetches the gap, and nothing is lost or doubled', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    const cursor = newest(generateRetailData({ anchor: ANCHOR }));
    await project.moveTo(LATER);
    const later = generateRetailData({ anchor: LATER });

    const backfill = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'], window: parseWindow('2026-11-22', '2026-11-22') });
    const inWindow = between(later, '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z');
    expect(backfill.pipelines[0].batches[0]).toMatchObject({ received: inWindow.length, bronzeRows: inWindow.length, cursorBefore: cursor, cursorAfter: cursor });

    const next = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    const since = new Date(ms(cursor) - LAG_MS).toISOString();
    const fetched = between(later, since, '2100-01-01T00:00:00Z');
    expect(next.pipelines[0].batches[0]).toMatchObject({ cursorBefore: cursor, cursorAfter: newest(later), received: fetched.length });
    // It appended what came after the cursor except the window the backfill brought (and the lag's re-reads).
    expect(next.pipelines[0].batches[0].bronzeRows).toBeGreaterThan(0);
    expect(next.pipelines[0].batches[0].bronzeRows).toBeLessThan(fetched.length - inWindow.length + 1);
    await withDatabase(project.settings, (w) => expectComplete(w, generateRetailData({ anchor: ANCHOR }), later));
  });

  test('without until_param it fetches up to now, says so, and moves the cursor on to the newest record it fetched', async () => {
    project = await demoProject(ANCHOR);
    const first = await runProject(project.settings, { pipelines: ['inventory'], steps: ['ingest'] });
    const cursor = first.pipelines[0].batches[0].cursorAfter!;
    await project.moveTo(LATER);
    const later = generateRetailData({ anchor: LATER });

    const backfill = await runProject(project.settings, { pipelines: ['inventory'], steps: ['ingest'], window: parseWindow('2026-11-19', '2026-11-19') });
    const [batch] = backfill.pipelines[0].batches;
    const since = (m: { moved_at: string }) => ms(m.moved_at) >= ms('2026-11-19T00:00:00Z');
    const newer = later.inventory_movements.filter((m) => ms(m.moved_at) > ms(cursor));
    const newestMove = later.inventory_movements.reduce((n, m) => (m.moved_at > n ? m.moved_at : n), '');
    expect(batch).toMatchObject({ received: later.inventory_movements.filter(since).length, bronzeRows: newer.length, cursorBefore: cursor, cursorAfter: newestMove });
    expect(backfill.pipelines[0].backfill?.notes).toEqual([
      'inventory.movements: backfill of [2026-11-19T00:00:00Z, 2026-11-20T00:00:00Z): fetching since=2026-11-19T00:00:00Z up to now ' +
        '(no incremental.until_param to end the window): records past the window are fetched too; bronze skips those it has, and silver keeps the latest version of each',
      `inventory.movements: the cursor moves on from ${cursor} to ${newestMove}, the newest record fetched`,
    ]);
  });
});

describe('a backfill of other resources', () => {
  test('re-reads a non-incremental API resource and a sql source whole, and says so; bronze appends nothing it has', async () => {
    project = await demoProject(ANCHOR);
    const first = await runProject(project.settings, { pipelines: ['catalog', 'stores'] });
    expect(first.ok).toBe(true);
    const backfill = await runProject(project.settings, { pipelines: ['catalog', 'stores'], window: parseWindow('2026-11-19', '2026-11-20') });
    expect(backfill.ok).toBe(true);
    const batches = backfill.pipelines.flatMap((p) => p.batches);
    expect(batches.map((b) => [b.pipeline, b.resource, b.bronzeRows, b.received > 0])).toEqual([
      ['catalog', 'customers', 0, true],
      ['catalog', 'products', 0, true],
      ['stores', 'stores', 0, true],
    ]);
    expect(backfill.pipelines.flatMap((p) => p.backfill!.notes)).toEqual([
      'catalog.customers: backfill of [2026-11-19T00:00:00Z, 2026-11-21T00:00:00Z): not incremental: the backfill re-reads all of it (bronze skips the records it has)',
      'catalog.products: backfill of [2026-11-19T00:00:00Z, 2026-11-21T00:00:00Z): not incremental: the backfill re-reads all of it (bronze skips the records it has)',
      'stores.stores: backfill of [2026-11-19T00:00:00Z, 2026-11-21T00:00:00Z): a query: the backfill re-reads all of it (bronze skips the records it has)',
    ]);
  });

  test('--resource backfills only the resources named', async () => {
    project = await demoProject(ANCHOR);
    const backfill = await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest'], window: parseWindow('2026-11-19', '2026-11-20'), resources: ['products'] });
    expect(backfill.pipelines[0].batches.map((b) => b.resource)).toEqual(['products']);
  });

  test.each([
    { case: 'an unknown resource', options: { pipelines: ['catalog'], resources: ['nosuch'] }, error: /^unknown resource nosuch of pipeline catalog \(resources: customers, products\)$/ },
    { case: '--resource with two pipelines', options: { pipelines: ['catalog', 'stores'], resources: ['products'] }, error: /^--resource names resources of one pipeline; name exactly one pipeline \(got catalog, stores\)$/ },
    { case: 'an unknown pipeline', options: { pipelines: ['nosuch'] }, error: /^unknown pipeline nosuch \(pipelines: catalog, inventory, retail_pos, stores\)$/ },
    { case: 'a replay', options: { replayBatch: 'run_x.retail_pos.transactions' }, error: /^a replay loads a batch as it was fetched; it takes no backfill window$/ },
  ])('$case is a usage error, before anything is written', async ({ options, error }) => {
    project = await demoProject(ANCHOR);
    const failure = await runProject(project.settings, { ...options, window: parseWindow('2026-11-19', '2026-11-20') }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toMatch(error);
  });
});

describe('dataops backfill, the command', () => {
  beforeAll(() => ensureBuild(), 120_000);

  const dataops = async (p: DemoProject, args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', p.dir, ...args], { env: { ...p.settings.env, GITHUB_STEP_SUMMARY: '' } });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  test('puts back a record a fault spoilt, and status --json shows the batch as a backfill of its window', async () => {
    // Data up to now, so that freshness passes and the command exits 0.
    const anchor = new Date();
    project = await demoProject(anchor);
    const data = generateRetailData({ anchor });
    const oldest = data.transactions.reduce((m, t) => (t.updated_at < m ? t.updated_at : m), '9999');
    const day = oldest.slice(0, 10);
    const next = new Date(ms(`${day}T00:00:00Z`) + 86_400_000).toISOString().replace('.000Z', 'Z');
    // The first page's first record (the oldest) comes without its id: silver rejects it.
    project.api.setFaults([{ path: '/v1/transactions', kind: 'missing_key' }]);
    expect((await dataops(project, ['run'])).code).toBe(0);
    project.api.setFaults(undefined);
    await withDatabase(project.settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBe(validIds(data).size - 1));

    const backfill = await dataops(project, ['backfill', 'retail_pos', '--from', day, '--to', day]);
    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    const window = `[${day}T00:00:00Z, ${next})`;
    const inWindow = between(data, `${day}T00:00:00Z`, next);
    expect(backfill.stdout).toMatch(new RegExp(`^run run_\\S+ \\(a backfill of \\[${day}T00:00:00Z, ${next}\\)\\)$`, 'm'));
    expect(backfill.stdout).toContain(`retail_pos.transactions: backfill of ${window}: fetching updated_since=${day}T00:00:00Z, updated_before=${next}`);
    expect(backfill.stdout).toContain(`retail_pos.transactions: received ${inWindow.length}, appended 1 to bronze.retail_pos_transactions`);
    expect(backfill.stdout).toContain(`retail_pos.transactions: the cursor stays at ${newest(data)}`);
    await withDatabase(project.settings, (w) => expectComplete(w, data));

    const status = await dataops(project, ['status', '--json']);
    const pipeline = (JSON.parse(status.stdout) as StatusReport).pipelines.find((p) => p.name === 'retail_pos')!;
    expect(pipeline.last_run?.status).toBe('success');
    expect(pipeline.batches).toEqual([
      expect.objectContaining({ resource: 'transactions', received: inWindow.length, bronze_rows: 1, backfill: { from: `${day}T00:00:00.000Z`, to: next.replace('Z', '.000Z') } }),
    ]);
  });

  test.each([
    { args: ['--from', 'yesterday', '--to', '2026-11-06'], error: 'error: --from: expected a date (YYYY-MM-DD, UTC) or a timestamp with its offset (2026-11-20T06:00:00Z), got "yesterday"' },
    { args: ['--from', '2026-11-07', '--to', '2026-11-06'], error: 'error: --from 2026-11-07 is not before --to 2026-11-06: the window [2026-11-07T00:00:00Z, 2026-11-07T00:00:00Z) is empty' },
    { args: ['--from', '2026-11-06', '--to', '2026-11-06', '--resource', 'nosuch'], error: 'error: unknown resource nosuch of pipeline retail_pos (resources: transactions)' },
    { args: ['--from', '2026-11-06'], error: "error: required option '--to <date>' not specified" },
  ])('$args exits 2 with "$error"', async ({ args, error }) => {
    project = await demoProject(ANCHOR);
    const failed = await dataops(project, ['backfill', 'retail_pos', ...args]);
    expect(failed.code).toBe(2);
    expect(failed.stderr.split('\n')[0]).toBe(error);
  });

  test('an unknown pipeline exits 2', async () => {
    project = await demoProject(ANCHOR);
    const failed = await dataops(project, ['backfill', 'nosuch', '--from', '2026-11-06', '--to', '2026-11-06']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('error: unknown pipeline nosuch (pipelines: catalog, inventory, retail_pos, stores)');
  });
});

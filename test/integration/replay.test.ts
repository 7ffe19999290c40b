// `run --replay <batch_id>`: a batch re-loaded from its landing file without calling the API.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { runProject } from '../../src/engine.js';
import { UsageError } from '../../src/errors.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const data = generateRetailData({ anchor: ANCHOR });
const validIds = new Set(data.transactions.filter((t) => t.sold_at !== undefined && t.total >= 0).map((t) => t.id));
const newest = data.transactions.reduce((m, t) => (t.updated_at > m ? t.updated_at : m), '');

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

describe('replaying a batch from its landing file', () => {
  test('loads a batch whose commit never happened, without the API; replaying again adds nothing', async () => {
    project = await demoProject(ANCHOR);
    const ingest = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'] });
    const original = ingest.pipelines[0].batches[0];
    expect(original.received).toBe(data.transactions.length);
    // The state a load that failed between fetch and commit leaves: the landing file, nothing else.
    await withDatabase(project.settings, async (w) => {
      for (const table of ['bronze.retail_pos_transactions', 'meta.batches', 'meta.cursors']) await w.execute(`DELETE FROM ${table}`);
    });

    const requests = project.api.requests;
    // A replay never calls the source, so it needs none of the source's secrets.
    const withoutSecrets = { ...project.settings, env: { ...project.settings.env, DEMO_API_URL: undefined, DEMO_API_TOKEN: undefined } };
    const replayed = await runProject(withoutSecrets, { replayBatch: original.batchId, steps: ['ingest', 'transform'] });
    expect(project.api.requests, 'no call to the API').toBe(requests);
    const [run] = replayed.pipelines;
    expect(run.pipeline).toBe('retail_pos');
    expect(run.error).toBeUndefined();
    expect(run.batches).toHaveLength(1);
    expect(run.batches[0]).toMatchObject({ resource: 'transactions', received: data.transactions.length, bronzeRows: data.transactions.length, cursorAfter: newest, landingFiles: original.landingFiles });
    expect(run.batches[0].batchId).toBe(`${replayed.runId}.retail_pos.transactions`);
    await withDatabase(project.settings, async (w) => {
      expect(await w.query('SELECT value FROM meta.cursors')).toEqual([{ value: newest }]);
      expect(await w.query('SELECT replay_of FROM meta.replays')).toEqual([{ replay_of: original.batchId }]);
      const ids = (await w.query<{ id: number }>('SELECT transaction_id AS id FROM silver.transactions')).map((r) => r.id);
      expect(new Set(ids)).toEqual(validIds);
      expect(ids.length).toBe(validIds.size);
      // The records keep the time they were fetched, not the time of the replay.
      expect(await count(w, `SELECT COUNT(*) AS n FROM meta.batches WHERE fetched_at = (SELECT MIN(_fetched_at) FROM bronze.retail_pos_transactions)`)).toBe(1);
    });

    const again = await runProject(project.settings, { replayBatch: original.batchId, steps: ['ingest', 'transform'] });
    expect(again.pipelines[0].batches[0]).toMatchObject({ received: data.transactions.length, bronzeRows: 0 });
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.retail_pos_transactions')).toBe(data.transactions.length);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBe(validIds.size);
      expect(await w.query('SELECT value FROM meta.cursors')).toEqual([{ value: newest }]);
    });
  });

  test('replaying a committed batch changes nothing', async () => {
    project = await demoProject(ANCHOR);
    const first = await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest', 'transform'] });
    const customers = first.pipelines[0].batches.find((b) => b.resource === 'customers')!;
    const before = await withDatabase(project.settings, (w) => count(w, 'SELECT COUNT(*) AS n FROM bronze.catalog_customers'));
    const replayed = await runProject(project.settings, { replayBatch: customers.batchId, steps: ['ingest', 'transform'] });
    expect(replayed.pipelines[0].batches.map((b) => [b.resource, b.received, b.bronzeRows])).toEqual([['customers', customers.received, 0]]);
    expect(replayed.pipelines[0].silverLoads.map((l) => [l.table, l.bronze])).toEqual([['silver.customers', 0]]);
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.catalog_customers')).toBe(before);
    });
  });

  test('a reused run id gets its own batch id, so silver still builds the second load', async () => {
    project = await demoProject(ANCHOR);
    const first = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'], runId: 'run_same' });
    const second = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'], runId: 'run_same' });
    expect(first.pipelines[0].batches[0].batchId).toBe('run_same.retail_pos.transactions');
    expect(second.pipelines[0].batches[0].batchId).toBe('run_same~2.retail_pos.transactions');
  });

  test.each([
    ['run_x.retail_pos.transactions', /no landing file part-run_x\.retail_pos\.transactions-\*\.jsonl under .*source=retail_pos\/resource=transactions/],
    ['run_x.retail_pos.nosuch', /cannot replay "run_x\.retail_pos\.nosuch": expected <run>\.<pipeline>\.<resource>/],
    ['garbage', /cannot replay "garbage"/],
  ])('%s is a usage error that says what was expected', async (batchId, message) => {
    project = await demoProject(ANCHOR);
    const error = await runProject(project.settings, { replayBatch: batchId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(String(error)).toMatch(message);
  });

  test("a pipeline's ingest removes its landing days older than bronze.copy_window, and keeps the rest", async () => {
    project = await demoProject(ANCHOR);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const landed = (pipeline: string, daysAgo: number) =>
      join(project!.settings.landingDir, `source=${pipeline}`, 'resource=transactions', `dt=${day(daysAgo)}`, 'hour=00', 'part-run_old.retail_pos.transactions-0001.jsonl');
    const [old, recent, other] = [landed('retail_pos', 31), landed('retail_pos', 29), landed('inventory', 31)];
    for (const file of [old, recent, other]) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, '{}\n');
    }
    // A replay removes nothing: it may be of an older batch whose files are still there.
    await runProject(project.settings, { replayBatch: 'run_old.retail_pos.transactions', steps: ['ingest'] });
    expect(existsSync(old)).toBe(true);
    const run = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'] });
    expect([existsSync(old), existsSync(recent), existsSync(other)]).toEqual([false, true, true]);
    expect(run.pipelines[0].batches[0].landingFiles.every((f) => existsSync(f))).toBe(true);
  });

  test('naming another pipeline with a replay is a usage error', async () => {
    project = await demoProject(ANCHOR);
    await expect(runProject(project.settings, { replayBatch: 'run_x.retail_pos.transactions', pipelines: ['catalog'] })).rejects.toThrow(
      /--replay run_x\.retail_pos\.transactions runs pipeline retail_pos only/,
    );
  });
});

// On Snowflake the landing files of each committed batch are kept in the stage @meta.landing, so that a
// replay on another machine (a later Actions job, whose disk starts empty) finds them: the real
// snowflake-sdk against fakesnow, whose GET and REMOVE the launcher adds (test/support/fakesnow).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { resolveSettings, runProject, withWarehouse, type Settings } from '../../src/engine.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { demoProject, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let fakesnow: Fakesnow;
let project: DemoProject;
let snowflake: Settings;

beforeAll(async () => {
  fakesnow = await startFakesnow();
  project = await demoProject(ANCHOR);
  const env = {
    ...project.settings.env,
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'DATAOPS_LANDING',
    SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-landing-1234',
  };
  const setup = await openSnowflakeFromEnv(env);
  try {
    await setup.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_LANDING');
  } finally {
    await setup.close();
  }
  snowflake = resolveSettings({ projectDir: project.dir, target: 'snowflake', env });
}, 600_000);

afterAll(async () => {
  await project?.close();
  await fakesnow?.stop();
});

const staged = () => withWarehouse(snowflake, async (w) => (await w.query<{ name: string }>('LIST @meta.landing')).map((r) => r.name).sort());

describe('landing files in the stage @meta.landing', () => {
  test('a committed batch is kept there, and a replay without the local files (nor the source\'s secrets) gets it back', async () => {
    const data = generateRetailData({ anchor: ANCHOR });
    const ingest = await runProject(snowflake, { pipelines: ['retail_pos'], steps: ['ingest'] });
    const [batch] = ingest.pipelines[0].batches;
    expect(ingest.pipelines[0].error).toBeUndefined();
    expect(batch.landingFiles).toHaveLength(1);
    const day = batch.landingFiles[0].match(/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})/)!;
    expect(await staged()).toContain(`landing/retail_pos/transactions/${day[1]}/${day[2]}/part-${batch.batchId}-0001.jsonl.gz`);
    const original = await readFile(batch.landingFiles[0]);

    // A later job: an empty disk, bronze emptied (as if it had been lost), no source variables.
    await rm(snowflake.landingDir, { recursive: true, force: true });
    await withWarehouse(snowflake, (w) => w.execute('DELETE FROM bronze.retail_pos_transactions'));
    const withoutSecrets = { ...snowflake, env: { ...snowflake.env, DEMO_API_URL: undefined, DEMO_API_TOKEN: undefined } };
    const requests = project.api.requests;
    const replay = await runProject(withoutSecrets, { replayBatch: batch.batchId, steps: ['ingest'] });
    expect(replay.pipelines[0].error).toBeUndefined();
    expect(project.api.requests).toBe(requests);
    expect(replay.pipelines[0].batches[0]).toMatchObject({ received: data.transactions.length, bronzeRows: data.transactions.length, landingFiles: batch.landingFiles });
    // Byte for byte what was fetched.
    expect((await readFile(batch.landingFiles[0])).equals(original)).toBe(true);
  }, 120_000);

  test('a replay of a batch the stage does not have fails its ingest, saying where it looked', async () => {
    const run = await runProject(snowflake, { replayBatch: 'run_gone.retail_pos.transactions', steps: ['ingest'] });
    expect(run.ok).toBe(false);
    expect(run.pipelines[0].error).toMatch(
      /^no landing file part-run_gone\.retail_pos\.transactions-\*\.jsonl under .*source=retail_pos\/resource=transactions, and the batch was never committed, so the stage @meta\.landing does not have it either$/,
    );
  }, 60_000);

  test("each ingest removes its pipeline's staged days older than bronze.copy_window, and keeps the rest", async () => {
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const old = join(snowflake.landingDir, 'old', 'part-run_old.retail_pos.transactions-0001.jsonl');
    await mkdir(dirname(old), { recursive: true });
    await writeFile(old, '{}\n');
    await withWarehouse(snowflake, async (w) => {
      for (const [pipeline, daysAgo] of [['retail_pos', 31], ['retail_pos', 29], ['inventory', 31]] as const) {
        await w.query(`PUT 'file://${old}' @meta.landing/${pipeline}/transactions/${day(daysAgo)}/00/ AUTO_COMPRESS = TRUE`);
      }
    });
    const before = await staged();
    expect(before.filter((n) => n.includes('part-run_old'))).toHaveLength(3);
    await runProject(snowflake, { pipelines: ['retail_pos'], steps: ['ingest'] });
    const after = await staged();
    expect(after.filter((n) => n.includes('part-run_old')).sort()).toEqual([
      `landing/inventory/transactions/${day(31)}/00/part-run_old.retail_pos.transactions-0001.jsonl.gz`,
      `landing/retail_pos/transactions/${day(29)}/00/part-run_old.retail_pos.transactions-0001.jsonl.gz`,
    ]);
    expect(existsSync(old)).toBe(true);
  }, 120_000);
});

// One run per pipeline on Snowflake: the meta.locks lease through the real snowflake-sdk against
// fakesnow, each "run" on a session of its own, as two processes would be.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { resolveSettings, runProject } from '../../src/engine.js';
import { BusyError } from '../../src/errors.js';
import { ensureMetaSchema } from '../../src/state/meta.js';
import { acquirePipelineLocks, lockHolder, type PipelineLockOptions, type PipelineLocks } from '../../src/state/run-lock.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { demoProject, type DemoProject } from '../helpers/project.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake lock tests: ${unavailable}`);

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

describe.skipIf(!!unavailable)('pipeline locks in meta.locks', () => {
  let fakesnow: Fakesnow;
  let one: Warehouse;
  let two: Warehouse;
  const held: PipelineLocks[] = [];

  const env = () => ({
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'DATAOPS_LOCKS',
    SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-lock-5f1c',
  });

  /** Takes the locks on a session, remembering them so every test ends with all of them released. */
  async function take(session: Warehouse, pipelines: string[], options: PipelineLockOptions): Promise<PipelineLocks> {
    const locks = await acquirePipelineLocks(session, pipelines, { pollMs: 100, ...options });
    held.push(locks);
    return locks;
  }

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    one = await openSnowflakeFromEnv(env());
    await one.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_LOCKS');
    await ensureMetaSchema(one);
    two = await openSnowflakeFromEnv(env());
  });
  afterEach(async () => {
    for (const locks of held.splice(0)) await locks.release();
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await fakesnow?.stop();
  });

  test('a second run waits for the first, then fails naming it; once released, the lock is taken at once', async () => {
    await take(one, ['orders'], { runId: 'run_one', timeoutSeconds: 0, holder: 'pid 11 on runner-a' });
    const logged: string[] = [];
    const refused = await take(two, ['orders'], { runId: 'run_two', timeoutSeconds: 1, log: (l) => logged.push(l) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as Error).message).toMatch(
      /^pipeline orders is busy: run run_one \(pid 11 on runner-a, started \S+Z\) holds its lock in meta\.locks \(its lease runs to \S+Z unless renewed\) after 1s of waiting\. .*--wait <duration>\.$/,
    );
    expect(logged).toEqual([expect.stringMatching(/^waiting for run run_one \(pid 11 on runner-a, started \S+\) to finish with pipeline orders \(at most 1s\)$/)]);

    await held.pop()!.release();
    expect(await lockHolder(two, 'orders')).toBeUndefined();
    await take(two, ['orders'], { runId: 'run_two', timeoutSeconds: 0 });
    expect(await lockHolder(one, 'orders')).toMatchObject({ run_id: 'run_two' });
  });

  test('two runs taking a free lock at the same moment: exactly one gets it', async () => {
    const runs = [
      { runId: 'run_one', session: () => one },
      { runId: 'run_two', session: () => two },
    ];
    for (const pipeline of ['race_a', 'race_b', 'race_c']) {
      const attempts = await Promise.allSettled(runs.map((r) => take(r.session(), [pipeline], { runId: r.runId, timeoutSeconds: 1 })));
      const winners = runs.filter((_, i) => attempts[i].status === 'fulfilled').map((r) => r.runId);
      expect(winners, pipeline).toHaveLength(1);
      expect(attempts.map((a) => (a.status === 'rejected' ? a.reason : undefined)).find(Boolean), pipeline).toBeInstanceOf(BusyError);
      // Both seeds may have added the pipeline's row (the emulator runs them at once); every row names the winner.
      expect(await one.query(`SELECT DISTINCT run_id FROM meta.locks WHERE pipeline = '${pipeline}'`)).toEqual([{ run_id: winners[0] }]);
    }
  });

  test('a holder that stopped renewing (killed) is taken over once its lease expires', async () => {
    // No renewal within the test: as if the process had been killed right after taking the lock.
    const dead = await take(one, ['stock'], { runId: 'run_dead', timeoutSeconds: 0, leaseSeconds: 1, renewEveryMs: 3_600_000 });
    const logged: string[] = [];
    await take(two, ['stock'], { runId: 'run_next', timeoutSeconds: 60, log: (l) => logged.push(l) });
    expect(logged).toEqual([expect.stringMatching(/^waiting for run run_dead /)]);
    expect(await lockHolder(one, 'stock')).toMatchObject({ run_id: 'run_next' });
    // The late holder's release does not clear the lock another run now holds.
    await dead.release();
    expect(await lockHolder(one, 'stock')).toMatchObject({ run_id: 'run_next' });
  });

  test('a live holder renews its lease: a run that waits longer than the lease still does not get it', async () => {
    await take(one, ['sales'], { runId: 'run_alive', timeoutSeconds: 0, leaseSeconds: 2, renewEveryMs: 300 });
    const refused = await take(two, ['sales'], { runId: 'run_two', timeoutSeconds: 4 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as Error).message).toContain('run run_alive');
  });

  test('all or none: a run that cannot take every pipeline keeps none of them', async () => {
    await take(one, ['p_second'], { runId: 'run_one', timeoutSeconds: 0 });
    const refused = await take(two, ['p_second', 'p_first'], { runId: 'run_two', timeoutSeconds: 1 }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/^pipeline p_second is busy: run run_one /);
    expect(await lockHolder(one, 'p_first')).toBeUndefined();
  });

  describe('runProject', () => {
    let project: DemoProject;
    beforeAll(async () => {
      project = await demoProject();
    });
    afterAll(async () => {
      await project?.close();
    });

    test('waits for the run that holds its pipeline and fails clearly, writing nothing; runs and lets go once it is free', async () => {
      const settings = resolveSettings({ projectDir: project.dir, target: 'snowflake', env: { ...project.settings.env, ...env() }, waitSeconds: 1 });
      const other = await take(one, ['catalog'], { runId: 'run_other', timeoutSeconds: 0, holder: 'pid 7 on runner-b' });
      const logged: string[] = [];
      const refused = await runProject(settings, { pipelines: ['catalog'], steps: ['check'], runId: 'run_blocked', log: (l) => logged.push(l) }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BusyError);
      expect((refused as Error).message).toMatch(/^pipeline catalog is busy: run run_other \(pid 7 on runner-b, .*\(or snowflake\.lock_timeout in dataops\.yml\)\.$/);
      expect(logged).toEqual([expect.stringMatching(/^waiting for run run_other \(pid 7 on runner-b, started \S+\) to finish with pipeline catalog/)]);
      expect(await one.query("SELECT run_id FROM meta.runs WHERE run_id = 'run_blocked'")).toEqual([]);

      await other.release();
      const result = await runProject(settings, { pipelines: ['catalog'], steps: ['check'], runId: 'run_free' });
      expect(result.pipelines.map((p) => p.pipeline)).toEqual(['catalog']);
      expect(await one.query("SELECT status FROM meta.runs WHERE run_id = 'run_free'")).toEqual([{ status: expect.any(String) }]);
      expect(await one.query("SELECT run_id FROM meta.locks WHERE pipeline = 'catalog'")).toEqual([{ run_id: null }]);
    });
  });
});

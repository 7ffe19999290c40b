// The run record across steps taken by separate commands or actions: a later step adds to a run's
// record and never erases an earlier failure.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { finishSteps, INTERRUPTED, startSteps, withoutDeadSteps, worstOf } from '../../../src/state/runs.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

let w: DuckDBWarehouse;
beforeEach(async () => {
  w = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(w);
});
afterEach(async () => {
  await w.close();
});

const run = async (runId: string) =>
  (await w.query<{ status: string; error: string | null; finished: boolean }>(
    `SELECT status, error, finished_at IS NOT NULL AS finished FROM meta.runs WHERE run_id = '${runId}' AND pipeline = 'pos'`,
  ))[0];

describe('the run record', () => {
  it('keeps an earlier step\'s failure when a later step of the same run succeeds', async () => {
    await startSteps(w, 'run_1', 'pos', ['ingest']);
    expect(await run('run_1')).toEqual({ status: 'running', error: null, finished: false });
    await finishSteps(w, 'run_1', 'pos', [{ step: 'ingest', state: 'failed', error: 'resource transactions: HTTP 500' }]);
    // The quality gate continues the run in another process, and its checks pass.
    await startSteps(w, 'run_1', 'pos', ['check']);
    expect((await run('run_1')).status).toBe('failed');
    await finishSteps(w, 'run_1', 'pos', [{ step: 'check', state: 'success' }]);
    expect(await run('run_1')).toEqual({ status: 'failed', error: 'ingest: resource transactions: HTTP 500', finished: true });
  });

  it('lists every failed step, the earliest first, whatever order they were recorded in', async () => {
    await startSteps(w, 'run_1', 'pos', ['check']);
    await finishSteps(w, 'run_1', 'pos', [{ step: 'check', state: 'failed', error: '2 checks failed' }]);
    await startSteps(w, 'run_1', 'pos', ['ingest']);
    await finishSteps(w, 'run_1', 'pos', [{ step: 'ingest', state: 'failed', error: 'HTTP 500' }]);
    expect((await run('run_1')).error).toBe('ingest: HTTP 500\ncheck: 2 checks failed');
  });

  it('succeeds only when every step did; a skipped step is neither', async () => {
    await startSteps(w, 'run_1', 'pos', ['ingest', 'transform', 'check']);
    await finishSteps(w, 'run_1', 'pos', [
      { step: 'ingest', state: 'success' },
      { step: 'transform', state: 'skipped' },
      { step: 'check', state: 'success' },
    ]);
    expect(await run('run_1')).toEqual({ status: 'success', error: null, finished: true });
  });

  it('lets a step taken again in the same run (a re-run of the action) replace its own earlier record', async () => {
    await startSteps(w, 'run_1', 'pos', ['ingest']);
    await finishSteps(w, 'run_1', 'pos', [{ step: 'ingest', state: 'failed', error: 'HTTP 500' }]);
    await startSteps(w, 'run_1', 'pos', ['ingest']);
    await finishSteps(w, 'run_1', 'pos', [{ step: 'ingest', state: 'success' }]);
    expect(await run('run_1')).toEqual({ status: 'success', error: null, finished: true });
    expect(await w.query("SELECT COUNT(*)::INTEGER AS n FROM meta.run_steps WHERE run_id = 'run_1'")).toEqual([{ n: 1 }]);
  });

  it('records when each step really ran, and ends the run when its last step ended, not when it was recorded', async () => {
    await startSteps(w, 'run_1', 'pos', ['ingest', 'transform', 'check']);
    const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 12, 0, seconds));
    await finishSteps(w, 'run_1', 'pos', [
      { step: 'ingest', state: 'success', startedAt: at(1), finishedAt: at(4) },
      { step: 'transform', state: 'success', startedAt: at(5), finishedAt: at(9) },
      { step: 'check', state: 'success', startedAt: at(10), finishedAt: at(12) },
    ]);
    expect(await w.query("SELECT step, strftime(started_at, '%S') AS started, strftime(finished_at, '%S') AS finished FROM meta.run_steps ORDER BY started_at")).toEqual([
      { step: 'ingest', started: '01', finished: '04' },
      { step: 'transform', started: '05', finished: '09' },
      { step: 'check', started: '10', finished: '12' },
    ]);
    expect(await w.query("SELECT strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished FROM meta.runs")).toEqual([{ finished: '2030-01-01 12:00:12' }]);
  });

  it('marks a run still running when the next run of the pipeline starts as interrupted, steps included', async () => {
    await startSteps(w, 'run_1', 'pos', ['ingest', 'transform']);
    await startSteps(w, 'run_2', 'pos', ['ingest']);
    expect(await run('run_1')).toEqual({ status: 'failed', error: INTERRUPTED, finished: true });
    expect(await w.query("SELECT step, status, error FROM meta.run_steps WHERE run_id = 'run_1' ORDER BY step")).toEqual([
      { step: 'ingest', status: 'failed', error: INTERRUPTED },
      { step: 'transform', status: 'failed', error: INTERRUPTED },
    ]);
  });

  it('marks an earlier step of the same run left running (an ingest killed before the gate) as interrupted', async () => {
    // The ingest's process was killed mid-fetch: its step never finished.
    await startSteps(w, 'run_1', 'pos', ['ingest']);
    // The quality gate continues the run, and its checks pass on what the earlier runs built.
    await startSteps(w, 'run_1', 'pos', ['check']);
    await finishSteps(w, 'run_1', 'pos', [{ step: 'check', state: 'success' }]);
    expect(await run('run_1')).toEqual({ status: 'failed', error: `ingest: ${INTERRUPTED}`, finished: true });
    expect(await w.query("SELECT step, status, error FROM meta.run_steps WHERE run_id = 'run_1' ORDER BY step")).toEqual([
      { step: 'check', status: 'success', error: null },
      { step: 'ingest', status: 'failed', error: INTERRUPTED },
    ]);
  });

  it.each([
    [[], 'success'],
    [[{ step: 'check', status: 'running' }], 'running'],
    [[{ step: 'ingest', status: 'success' }, { step: 'check', status: 'running' }], 'running'],
    [[{ step: 'ingest', status: 'failed' }, { step: 'check', status: 'running' }], 'failed'],
    [[{ step: 'transform', status: 'skipped' }], 'success'],
  ] as const)('worstOf(%j) is %s', (steps, expected) => {
    expect(worstOf(steps.map((s) => ({ ...s, error: null }))).status).toBe(expected);
  });
});

describe('a run recorded as running, as a reader sees it', () => {
  // Pipeline "shop": this process's record of the steps it takes is its own, whatever the tests above left.
  const record = (runId: string) => ({ run_id: runId, status: 'running' as const, error: null });
  const steps = [
    { step: 'ingest', status: 'success' as const, started_at: '2026-11-30T07:00:00Z', finished_at: '2026-11-30T07:01:00Z', error: null },
    { step: 'transform', status: 'running' as const, started_at: '2026-11-30T07:01:00Z', finished_at: null, error: null },
  ];
  /** The same database as a warehouse that many processes write (Snowflake): liveness comes from meta.locks. */
  const shared = () => new Proxy(w, { get: (t, k) => (k === 'capabilities' ? { ...t.capabilities, exclusiveWriter: false } : Reflect.get(t, k, t)) });
  const lease = (runId: string, seconds: number) =>
    w.execute(`INSERT INTO meta.locks VALUES ('shop', '${runId}', 'pid 1 on ci', now(), now() + to_seconds(${seconds}))`);

  it.each([
    ['DuckDB, not this process\'s: its process is gone', 'run_a', async () => w, 'failed'],
    ['DuckDB, this process\'s own', 'run_b', async () => (await startSteps(w, 'run_b', 'shop', ['transform']), w), 'running'],
    ['Snowflake, its lease live', 'run_c', async () => (await lease('run_c', 300), shared()), 'running'],
    ['Snowflake, its lease expired', 'run_d', async () => (await lease('run_d', -60), shared()), 'failed'],
    ['Snowflake, another run holds the lease', 'run_e', async () => (await lease('run_x', 300), shared()), 'failed'],
  ] as const)('%s', async (_, runId, warehouse, expected) => {
    const shown = await withoutDeadSteps(await warehouse(), 'shop', record(runId), steps);
    expect(shown.run.status).toBe(expected);
    if (expected === 'failed') {
      expect(shown.run.error).toBe(INTERRUPTED);
      expect(shown.steps.map((s) => [s.step, s.status, s.error])).toEqual([['ingest', 'success', null], ['transform', 'failed', INTERRUPTED]]);
    } else expect(shown.steps).toEqual(steps);
  });

  it('keeps an earlier failure first in its error', async () => {
    const failedFirst = [{ ...steps[0], status: 'failed' as const, error: 'HTTP 500' }, { ...steps[1], step: 'check' }];
    expect((await withoutDeadSteps(w, 'shop', record('run_f'), failedFirst)).run.error).toBe(`ingest: HTTP 500\ncheck: ${INTERRUPTED}`);
  });
});

// The run record across steps taken by separate commands or actions: a later step adds to a run's
// record and never erases an earlier failure.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { finishSteps, INTERRUPTED, startSteps, worstOf } from '../../../src/state/runs.js';
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

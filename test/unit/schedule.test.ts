import { describe, expect, test } from 'vitest';
import type { Pipeline } from '../../src/config/types.js';
import { cronProblem, lastScheduled, planDue } from '../../src/schedule.js';

const pipeline = (name: string, schedule?: string) => ({ name, schedule }) as Pipeline;

describe('schedules', () => {
  test('the last firing of a UTC cron expression', () => {
    expect(lastScheduled('0 * * * *', new Date('2026-11-22T10:17:00Z'))?.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(lastScheduled('0 * * * *', new Date('2026-11-22T10:00:00Z'))?.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(lastScheduled('15 */6 * * *', new Date('2026-11-22T13:00:00Z'))?.toISOString()).toBe('2026-11-22T12:15:00.000Z');
    expect(lastScheduled('0 6 * * 1', new Date('2026-11-22T10:00:00Z'))?.toISOString()).toBe('2026-11-16T06:00:00.000Z');
  });

  test('invalid expressions are named', () => {
    expect(cronProblem('0 * * * *')).toBeNull();
    expect(cronProblem('61 * * * *')).toMatch(/./);
    expect(cronProblem('every hour')).toMatch(/./);
  });

  test('without history, due when the schedule fired within the window', async () => {
    const now = new Date('2026-11-22T10:05:00Z');
    const plan = await planDue([pipeline('hourly', '0 * * * *'), pipeline('six', '15 */6 * * *'), pipeline('daily', '0 6 * * *'), pipeline('manual')], { now });
    expect(plan.map((p) => [p.pipeline, p.due])).toEqual([
      ['hourly', true],
      ['six', false],
      ['daily', false],
      ['manual', false],
    ]);
    expect((await planDue([pipeline('daily', '0 6 * * *')], { now, windowSeconds: 6 * 3600 }))[0].due).toBe(true);
  });
});

test('with history, due when the schedule fired after the last successful run (missed runs catch up)', async () => {
  const { DuckDBWarehouse } = await import('../../src/warehouse/duckdb.js');
  const { ensureMetaSchema } = await import('../../src/state/meta.js');
  const w = await DuckDBWarehouse.open(':memory:');
  try {
    await ensureMetaSchema(w);
    await w.execute(`INSERT INTO meta.runs VALUES ('r1', 'daily', '2026-11-21T06:03:00', '2026-11-21T06:04:00', 'success', NULL),
                                                  ('r2', 'daily', '2026-11-22T06:03:00', NULL, 'failed', 'boom')`);
    const now = new Date('2026-11-22T10:05:00Z');
    const [daily] = await planDue([pipeline('daily', '0 6 * * *')], { now, warehouse: w });
    expect(daily).toMatchObject({ due: true, last_scheduled: '2026-11-22T06:00:00.000Z', last_success: '2026-11-21T06:03:00.000Z' });
    // A run that only checked (`dataops run --step check`) fetched nothing: the missed fetch is still due.
    await w.execute(`INSERT INTO meta.runs VALUES ('r3', 'daily', '2026-11-22T07:00:00', '2026-11-22T07:01:00', 'success', NULL)`);
    await w.execute(`INSERT INTO meta.run_steps VALUES ('r3', 'daily', 'check', 'success', NULL, '2026-11-22T07:00:00', '2026-11-22T07:01:00')`);
    expect((await planDue([pipeline('daily', '0 6 * * *')], { now, warehouse: w }))[0]).toMatchObject({ due: true, last_success: '2026-11-21T06:03:00.000Z' });
    // One that fetched is the last success, even when its checks failed.
    await w.execute(`INSERT INTO meta.runs VALUES ('r4', 'daily', '2026-11-22T08:00:00', '2026-11-22T08:01:00', 'failed', 'check: 1 check failed')`);
    await w.execute(`INSERT INTO meta.run_steps VALUES ('r4', 'daily', 'ingest', 'success', NULL, '2026-11-22T08:00:00', '2026-11-22T08:00:30'),
                                                       ('r4', 'daily', 'check', 'failed', '1 check failed', '2026-11-22T08:00:30', '2026-11-22T08:01:00')`);
    expect((await planDue([pipeline('daily', '0 6 * * *')], { now, warehouse: w }))[0]).toMatchObject({ due: false, last_success: '2026-11-22T08:00:00.000Z' });
    // A run recorded before steps were: its success is all there is to go by.
    await w.execute(`INSERT INTO meta.runs VALUES ('r5', 'daily', '2026-11-22T09:00:00', '2026-11-22T09:01:00', 'success', NULL)`);
    expect((await planDue([pipeline('daily', '0 6 * * *')], { now, warehouse: w }))[0]).toMatchObject({ due: false, last_success: '2026-11-22T09:00:00.000Z' });
  } finally {
    await w.close();
  }
});

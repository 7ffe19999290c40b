// Anomaly checks on the demo project against a real DuckDB: a fresh demo has no history and says so;
// with four weeks of generated history in meta the same checks judge, and the message carries the
// observed value and the expected band. The run being judged never counts as its own history.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { hashSeed, Random } from '../../src/demo/random.js';
import { sqlString, type Warehouse } from '../../src/warehouse/adapter.js';
import { countNoise, hourlyVolumeLevel } from '../helpers/anomaly-series.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const HOUR = 3_600_000;
const TABLE = 'silver.transactions';

let project: DemoProject;
beforeAll(async () => {
  project = await demoProject(ANCHOR);
  // Besides the demo's own two, one check of each other metric and period.
  const file = join(project.dir, 'pipelines/retail_pos.yml');
  const text = await readFile(file, 'utf8');
  const demoCheck = '    - { anomaly: { metric: null_rate, column: customer_id }, severity: warn }\n';
  expect(text).toContain(demoCheck);
  const more = [
    '    - { anomaly: { metric: freshness_lag }, severity: warn }',
    '    - { anomaly: { metric: distinct_count, column: store_id }, severity: warn }',
    '    - { anomaly: { metric: volume, per: day }, severity: warn }',
  ];
  await writeFile(file, text.replace(demoCheck, `${demoCheck}${more.join('\n')}\n`));
});
afterAll(async () => project?.close());

/**
 * Four weeks of hourly snapshots of TABLE before ANCHOR whose growth follows a daily and weekly rhythm,
 * the last one `lastGrowth` rows below the table's current size: the check run at ANCHOR observes exactly
 * `lastGrowth` rows added. Replaces every earlier snapshot of the table.
 */
async function writeVolumeHistory(w: Warehouse, lastGrowth: number): Promise<void> {
  const random = new Random(hashSeed(14, 2));
  const current = await count(w, `SELECT COUNT(*) AS n FROM ${TABLE}`);
  const hours = 4 * 168;
  const times = Array.from({ length: hours }, (_, i) => new Date(ANCHOR.getTime() - (hours - i) * HOUR));
  const growth = times.map((t) => countNoise(hourlyVolumeLevel(t), random));
  let rows = current - lastGrowth;
  const rowCounts: number[] = [];
  for (let i = hours - 1; i >= 0; i--) {
    rowCounts[i] = rows;
    rows -= growth[i];
  }
  await w.execute(`DELETE FROM meta.table_snapshots WHERE table_name = ${sqlString(TABLE)}`);
  const values = times.map((t, i) => `('hist_${i}', 'retail_pos', ${sqlString(TABLE)}, 'silver', ${rowCounts[i]}, NULL, NULL, NULL, CAST(${sqlString(t.toISOString())} AS TIMESTAMP))`);
  await w.execute(`INSERT INTO meta.table_snapshots VALUES ${values.join(', ')}`);
}

/** Four weeks of hourly profiles of customer_id with a null rate around `rate`. */
async function writeNullRateHistory(w: Warehouse, rate: number): Promise<void> {
  const random = new Random(7);
  await w.execute(`DELETE FROM meta.column_profiles WHERE table_name = ${sqlString(TABLE)}`);
  const values = Array.from({ length: 4 * 168 }, (_, i) => {
    const at = new Date(ANCHOR.getTime() - (4 * 168 - i) * HOUR);
    const nulls = Math.round(1000 * rate * (0.9 + 0.2 * random.next()));
    return `('prof_${i}', 'retail_pos', ${sqlString(TABLE)}, 'customer_id', 1000, ${nulls}, NULL, CAST(${sqlString(at.toISOString())} AS TIMESTAMP))`;
  });
  await w.execute(`INSERT INTO meta.column_profiles VALUES ${values.join(', ')}`);
}

async function checkRun(runId: string) {
  const result = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['check'], now: ANCHOR, runId });
  const run = result.pipelines[0];
  return {
    volume: run.checks.find((c) => c.table === TABLE && c.check === 'anomaly(volume)')!,
    nullRate: run.checks.find((c) => c.table === TABLE && c.check === 'anomaly(null_rate(customer_id))')!,
    lag: run.checks.find((c) => c.table === TABLE && c.check === 'anomaly(freshness_lag)')!,
    stores: run.checks.find((c) => c.table === TABLE && c.check === 'anomaly(distinct_count(store_id))')!,
    daily: run.checks.find((c) => c.table === TABLE && c.check === 'anomaly(volume per day)')!,
  };
}

describe('anomaly checks on the demo project', () => {
  const level = hourlyVolumeLevel(ANCHOR);
  test('a fresh demo has no history: the checks pass and say how much they have and need', async () => {
    const result = await runProject(project.settings, { now: ANCHOR });
    expect(result.ok).toBe(true);
    const checks = result.pipelines.find((p) => p.pipeline === 'retail_pos')!.checks.filter((c) => c.kind === 'anomaly');
    const none = expect.stringMatching(/^\S[^;]*; not enough history \(0 of 24 points\)$/);
    expect(checks.map((c) => [c.check, c.status, c.message])).toEqual([
      ['anomaly(volume)', 'pass', none],
      ['anomaly(null_rate(customer_id))', 'pass', none],
      ['anomaly(freshness_lag)', 'pass', none],
      ['anomaly(distinct_count(store_id))', 'pass', none],
      ['anomaly(volume per day)', 'pass', expect.stringMatching(/^no runs measured silver\.transactions on both 2026-11-18 and 2026-11-19: yesterday's volume is unknown; not judged$/)],
    ]);
    // The run's profile of customer_id is kept: the first point of its null-rate history.
    await withDatabase(project.settings, async (w) => {
      const [profile] = await w.query<{ run_id: string; row_count: number; null_count: number }>(`SELECT run_id, row_count, null_count FROM meta.column_profiles WHERE column_name = 'customer_id'`);
      expect(profile.run_id).toBe(result.runId);
      expect(Number(profile.row_count)).toBe(await count(w, `SELECT COUNT(*) AS n FROM ${TABLE}`));
      expect(Number(profile.null_count)).toBe(await count(w, `SELECT COUNT(*) AS n FROM ${TABLE} WHERE customer_id IS NULL`));
    });
  });

  test.each([
    { name: 'a usual hour', growth: Math.round(level), status: 'warn', anomalous: false },
    { name: 'a spike (5x)', growth: Math.round(level * 5), status: 'warn', anomalous: true },
    { name: 'a missed hour (nothing added)', growth: 0, status: 'warn', anomalous: true },
  ])('volume with four weeks of history: $name', async ({ growth, anomalous }) => {
    await withDatabase(project.settings, (w) => writeVolumeHistory(w, growth));
    const { volume } = await checkRun(`run_volume_${growth}`);
    expect(volume.status).toBe(anomalous ? 'warn' : 'pass');
    expect(volume.message).toMatch(
      new RegExp(`^rows loaded ${growth.toLocaleString('en-US')} rows, ${anomalous ? 'outside' : 'within'} the expected [\\d,]+\\.\\.[\\d,]+ rows \\(median [\\d,]+ rows of the same hour of the week, \\d points; sensitivity 3\\)$`),
    );
  });

  test("a later step of the same run is not its own history: the run's snapshot is left out", async () => {
    const growth = Math.round(level);
    await withDatabase(project.settings, async (w) => {
      await writeVolumeHistory(w, growth);
      // The same run's transform step already recorded the table at its current size.
      const current = await count(w, `SELECT COUNT(*) AS n FROM ${TABLE}`);
      await w.execute(`INSERT INTO meta.table_snapshots VALUES ('run_same', 'retail_pos', ${sqlString(TABLE)}, 'silver', ${current}, NULL, NULL, NULL, CAST(${sqlString(new Date(ANCHOR.getTime() - 60_000).toISOString())} AS TIMESTAMP))`);
    });
    const { volume } = await checkRun('run_same');
    // Measured against its own snapshot the run would have added nothing, a drop.
    expect(volume).toMatchObject({ status: 'pass', message: expect.stringMatching(new RegExp(`^rows loaded ${growth} rows, within`)) });
  });

  test('null rate: a column that is suddenly much more often NULL than in its history', async () => {
    const nulls = await withDatabase(project.settings, (w) => count(w, `SELECT COUNT(*) AS n FROM ${TABLE} WHERE customer_id IS NULL`));
    const rows = await withDatabase(project.settings, (w) => count(w, `SELECT COUNT(*) AS n FROM ${TABLE}`));
    const usual = nulls / rows;
    expect(usual).toBeGreaterThan(0.05); // the demo has anonymous sales

    await withDatabase(project.settings, (w) => writeNullRateHistory(w, usual));
    expect((await checkRun('run_nulls_usual')).nullRate).toMatchObject({ status: 'pass', message: expect.stringMatching(/^null rate [\d.]+%, within the expected/) });

    await withDatabase(project.settings, (w) => writeNullRateHistory(w, usual / 4));
    const { nullRate } = await checkRun('run_nulls_more');
    expect(nullRate.status).toBe('warn');
    expect(nullRate.message).toMatch(/^null rate [\d.]+%, outside the expected at most [\d.]+% \(median [\d.]+% of the same hour of the week, 4 points; sensitivity 3\)$/);
  });

  test('freshness lag: judged upwards only, against the lags earlier runs recorded', async () => {
    const lag = await withDatabase(project.settings, async (w) => {
      const [{ newest }] = await w.query<{ newest: string }>(`SELECT CAST(MAX(sold_at) AS VARCHAR) AS newest FROM ${TABLE}`);
      return Math.round((ANCHOR.getTime() - Date.parse(`${newest.replace(' ', 'T')}Z`)) / 1000);
    });
    const cases = [
      { usual: lag, status: 'pass', word: 'within' },
      // Usually far fresher than now: a stale table.
      { usual: Math.max(0, lag - 1800), status: 'warn', word: 'outside' },
      // Usually far staler than now: fresher is good news, not an alert.
      { usual: lag + 6 * 3600, status: 'pass', word: 'within' },
    ];
    for (const { usual, status, word } of cases) {
      await withDatabase(project.settings, async (w) => {
        await w.execute(`DELETE FROM meta.table_snapshots WHERE table_name = ${sqlString(TABLE)}`);
        const values = Array.from({ length: 48 }, (_, i) => {
          const at = new Date(ANCHOR.getTime() - (48 - i) * HOUR);
          return `('lag_${i}', 'retail_pos', ${sqlString(TABLE)}, 'silver', 1000, 'sold_at', NULL, ${usual + ((i * 37) % 60)}, CAST(${sqlString(at.toISOString())} AS TIMESTAMP))`;
        });
        await w.execute(`INSERT INTO meta.table_snapshots VALUES ${values.join(', ')}`);
      });
      const { lag: check } = await checkRun(`run_lag_${usual}`);
      expect(check.status, check.message).toBe(status);
      expect(check.message).toMatch(new RegExp(`^freshness lag \\S+, ${word} the expected at most \\S+ \\(median \\S+ of all history, 48 points; sensitivity 3\\)$`));
    }
  });

  test('distinct count: a column with far fewer distinct values than usual', async () => {
    const stores = await withDatabase(project.settings, (w) => count(w, `SELECT COUNT(DISTINCT store_id) AS n FROM ${TABLE}`));
    for (const [usual, status] of [[stores, 'pass'], [stores * 4, 'warn']] as const) {
      await withDatabase(project.settings, async (w) => {
        await w.execute(`DELETE FROM meta.column_profiles WHERE table_name = ${sqlString(TABLE)}`);
        const values = Array.from({ length: 30 }, (_, i) =>
          `('d_${i}', 'retail_pos', ${sqlString(TABLE)}, 'store_id', 1000, 0, ${usual + (i % 2)}, CAST(${sqlString(new Date(ANCHOR.getTime() - (30 - i) * HOUR).toISOString())} AS TIMESTAMP))`);
        await w.execute(`INSERT INTO meta.column_profiles VALUES ${values.join(', ')}`);
      });
      const { stores: check } = await checkRun(`run_stores_${usual}`);
      expect(check.status, check.message).toBe(status);
      expect(check.message).toMatch(new RegExp(`^distinct values ${stores}, ${status === 'pass' ? 'within' : 'outside'} the expected \\d+\\.\\.\\d+ \\(median \\d+(\\.5)? of all history, 30 points; sensitivity 3\\)$`));
    }
  });

  test('volume per day: the last complete UTC day against the same weekday of earlier weeks', async () => {
    const DAY = 24 * HOUR;
    const today = Math.floor(ANCHOR.getTime() / DAY) * DAY;
    for (const [yesterdayRows, status] of [[1000, 'pass'], [150, 'warn']] as const) {
      await withDatabase(project.settings, async (w) => {
        await w.execute(`DELETE FROM meta.table_snapshots WHERE table_name = ${sqlString(TABLE)}`);
        // 29 days of evening snapshots, about 1000 rows a day (weekends 600), yesterday `yesterdayRows`.
        let rows = 0;
        const values: string[] = [];
        for (let d = 29; d >= 1; d--) {
          const day = new Date(today - d * DAY);
          const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
          rows += d === 1 ? yesterdayRows : (weekend ? 600 : 1000) + ((d * 13) % 40);
          values.push(`('day_${d}', 'retail_pos', ${sqlString(TABLE)}, 'silver', ${rows}, NULL, NULL, NULL, CAST(${sqlString(new Date(day.getTime() + 22 * HOUR).toISOString())} AS TIMESTAMP))`);
        }
        await w.execute(`INSERT INTO meta.table_snapshots VALUES ${values.join(', ')}`);
      });
      const { daily } = await checkRun(`run_daily_${yesterdayRows}`);
      expect(daily.status, daily.message).toBe(status);
      expect(daily.message).toMatch(new RegExp(`^rows loaded on 2026-11-19 ${yesterdayRows.toLocaleString('en-US')} rows, ${status === 'pass' ? 'within' : 'outside'} the expected [\\d,]+\\.\\.[\\d,]+ rows \\(median [\\d,]+ rows of the same day of the week, 3 points; sensitivity 3\\)$`));
    }
  });
});

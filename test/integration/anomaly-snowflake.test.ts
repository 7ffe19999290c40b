// The anomaly checks' history SQL on Snowflake (the real snowflake-sdk against fakesnow) reads what it reads
// on DuckDB: the same generated history written to both, every series read back from both, and a column
// profile measured and kept on both.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { profileColumns, readSeries, type SeriesRequest } from '../../src/quality/anomaly/history.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { readGeneratedHistoryOnBoth } from '../helpers/history.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake anomaly history tests: ${unavailable}`);

const UNTIL = new Date('2026-11-20T12:00:00Z');
const RUNS = 72;

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

const plain = (points: Array<{ at: Date; value: number }>) => points.map((p) => [p.at.toISOString(), Math.round(p.value * 1e6) / 1e6]);

async function readAll(w: Warehouse): Promise<Record<string, unknown>> {
  const since = new Date(UNTIL.getTime() - 30 * 86_400_000);
  // Far ahead: the profiles below are measured at the warehouse's clock, after UNTIL.
  const until = new Date(Date.now() + 86_400_000);
  const series = (r: Omit<SeriesRequest, 'since' | 'until' | 'runId'>) => readSeries(w, { ...r, since, until, runId: 'run_now' }).then(plain);
  await w.execute('CREATE TABLE silver.anomaly_probe (id INTEGER, email VARCHAR)');
  await w.execute(`INSERT INTO silver.anomaly_probe VALUES (1, 'a@x'), (2, NULL), (3, 'b@x'), (4, 'a@x'), (5, NULL)`);
  const earlier = await profileColumns(w, { runId: 'run_earlier', pipeline: 'retail_pos', table: 'silver.anomaly_probe' }, [{ column: 'email', distinct: true }, { column: 'id', distinct: false }]);
  // The judged run's own profile is never its history.
  await profileColumns(w, { runId: 'run_now', pipeline: 'retail_pos', table: 'silver.anomaly_probe' }, [{ column: 'email', distinct: true }]);
  return {
    volume: await series({ table: 'silver.transactions', metric: 'volume', per: 'run' }),
    volumePerDay: await series({ table: 'silver.transactions', metric: 'volume', per: 'day' }),
    freshnessLag: await series({ table: 'silver.transactions', metric: 'freshness_lag', per: 'run' }),
    profile: earlier,
    nullRate: (await series({ table: 'silver.anomaly_probe', metric: 'null_rate', column: 'email', per: 'run' })).map(([, v]) => v),
    distinct: (await series({ table: 'silver.anomaly_probe', metric: 'distinct_count', column: 'email', per: 'run' })).map(([, v]) => v),
    idDistinct: await series({ table: 'silver.anomaly_probe', metric: 'distinct_count', column: 'id', per: 'run' }),
  };
}

describe.skipIf(!!unavailable)('anomaly history on Snowflake (fakesnow) and on DuckDB', () => {
  let fakesnow: Fakesnow;
  let snowflake: Record<string, unknown>;
  let duckdb: Record<string, unknown>;

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    ({ snowflake, duckdb } = await readGeneratedHistoryOnBoth(fakesnow.accessUrl, 'DATAOPS_ANOMALY', { until: UNTIL, runs: RUNS }, readAll));
  }, 300_000);

  afterAll(async () => {
    await fakesnow?.stop();
  });

  test('the series are the same on both, and not empty', () => {
    expect(snowflake).toEqual(duckdb);
    expect((duckdb.volume as unknown[]).length).toBe(RUNS - 1);
    expect((duckdb.volumePerDay as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect((duckdb.freshnessLag as unknown[]).length).toBeGreaterThan(0);
  });

  test('a profile counts rows, NULLs and distinct values in one scan, and only the earlier run is history', () => {
    expect(duckdb.profile).toEqual([
      { column: 'email', rows: 5, nulls: 2, distinct: 2 },
      { column: 'id', rows: 5, nulls: 0, distinct: null },
    ]);
    expect(duckdb.nullRate).toEqual([0.4]);
    expect(duckdb.distinct).toEqual([2]);
    expect(duckdb.idDistinct).toEqual([]);
  });
});

// The history readers' SQL on Snowflake (the real snowflake-sdk against fakesnow) gives what it gives on
// DuckDB: the same generated history written to both, every series and run record read from both.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  historyWindow, readCheckHistory, readDriftTimeline, readRejectedTrends, readRunTrends, readTableTrends,
} from '../../src/state/history.js';
import { readRunRecords } from '../../src/state/run-record.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { readGeneratedHistoryOnBoth } from '../helpers/history.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake history tests: ${unavailable}`);

const UNTIL = new Date('2026-11-20T12:00:00Z');
// Ten days of hourly runs: days before the last four are aggregated, the rest are runs.
const RUNS = 240;
const OPTIONS = { recentDays: 4 };

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

/** Everything the pages read, as plain data. */
async function readAll(w: Warehouse): Promise<unknown> {
  const window = await historyWindow(w, OPTIONS);
  const plain = <T>(m: Map<string, T>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
  return {
    window,
    runs: plain(await readRunTrends(w, window)),
    tables: plain(await readTableTrends(w, window)),
    rejected: plain(await readRejectedTrends(w, window)),
    checks: plain(await readCheckHistory(w, window)),
    drift: plain(await readDriftTimeline(w, window)),
    records: await readRunRecords(w, { window }),
  };
}

/** Averages may differ in the last digits between engines. */
function rounded(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v)));
}

describe.skipIf(!!unavailable)('history on Snowflake (fakesnow) and on DuckDB', () => {
  let fakesnow: Fakesnow;
  let snowflake: unknown;
  let duckdb: unknown;

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    ({ snowflake, duckdb } = await readGeneratedHistoryOnBoth(fakesnow.accessUrl, 'DATAOPS_HISTORY', { until: UNTIL, runs: RUNS }, readAll));
  }, 300_000);

  afterAll(async () => {
    await fakesnow?.stop();
  });

  test.each(['window', 'runs', 'tables', 'rejected', 'checks', 'drift', 'records'])('%s are the same', (part) => {
    const [a, b] = [rounded((snowflake as Record<string, unknown>)[part]), rounded((duckdb as Record<string, unknown>)[part])];
    expect(JSON.stringify(a).length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });
});

// The rejected-rows explorer's SQL on Snowflake (the real snowflake-sdk against fakesnow) gives what it gives
// on DuckDB: the same generated history written to both, the counts by reason and the bounded samples read
// from both (ties in time broken the same way, so both pick the same rows).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readRejectedCounts, readRejectedSamples } from '../../src/state/rejected.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { readGeneratedHistoryOnBoth } from '../helpers/history.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake rejected-rows tests: ${unavailable}`);

const UNTIL = new Date('2026-11-20T12:00:00Z');
// Enough hourly runs that every table rejects rows for each of the generated reasons, several per run.
const RUNS = 400;
const PER_REASON = 2;

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

async function readAll(w: Warehouse) {
  const counts = await readRejectedCounts(w);
  const samples = await readRejectedSamples(w, counts.flatMap((t) => t.reasons.map((r) => ({ table: t.table, reason: r.reason }))), PER_REASON);
  return { counts, samples };
}

describe.skipIf(!!unavailable)('rejected rows on Snowflake (fakesnow) and on DuckDB', () => {
  let fakesnow: Fakesnow;
  let snowflake: Awaited<ReturnType<typeof readAll>>;
  let duckdb: Awaited<ReturnType<typeof readAll>>;

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    ({ snowflake, duckdb } = await readGeneratedHistoryOnBoth(fakesnow.accessUrl, 'DATAOPS_REJECTED', { until: UNTIL, runs: RUNS }, readAll));
  }, 300_000);

  afterAll(async () => {
    await fakesnow?.stop();
  });

  test('the counts by table and reason are the same', () => {
    expect(duckdb.counts.length).toBeGreaterThanOrEqual(5);
    // A generated row has one reason or two: both are counted.
    expect(new Set(duckdb.counts.flatMap((t) => t.reasons.map((r) => r.reason))).size).toBeGreaterThanOrEqual(3);
    expect(snowflake.counts).toEqual(duckdb.counts);
  });

  test('the samples are the same rows, at most the bound per reason', () => {
    const perReason = new Map<string, number>();
    for (const s of duckdb.samples) perReason.set(`${s.table} ${s.reason}`, (perReason.get(`${s.table} ${s.reason}`) ?? 0) + 1);
    expect(Math.max(...perReason.values())).toBe(PER_REASON);
    // The bound cut some reason short.
    expect(duckdb.counts.some((t) => t.reasons.some((r) => r.rows > PER_REASON))).toBe(true);
    expect(snowflake.samples).toEqual(duckdb.samples);
  });
});

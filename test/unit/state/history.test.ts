// History for the pages: one point per run for the recent days, one per UTC day before them, aggregated
// in SQL, over ten days of generated hourly runs of the demo project.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadProject, type Project } from '../../../src/project.js';
import {
  historyWindow, readCheckHistory, readDriftTimeline, readRejectedTrends, readRunTrends, readTableTrends, type HistoryWindow,
} from '../../../src/state/history.js';
import { readRunRecords } from '../../../src/state/run-record.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';
import { generateHistory, type GeneratedHistory } from '../../helpers/history.js';
import { REPO } from '../../helpers/project.js';

const UNTIL = new Date('2026-11-20T12:00:00Z');
const RUNS = 24 * 10;
let w: DuckDBWarehouse;
let project: Project;
let history: GeneratedHistory;
let window: HistoryWindow;

beforeAll(async () => {
  project = await loadProject(REPO, {});
  w = await DuckDBWarehouse.open(':memory:');
  history = await generateHistory(w, project, { until: UNTIL, runs: RUNS });
  window = await historyWindow(w);
});

afterAll(async () => {
  await w?.close();
});

/** The generated runs of pipeline k, as [i, start]. */
function runsOf(k: number): Array<{ i: number; at: string; failed: boolean }> {
  return Array.from({ length: RUNS }, (_, i) => ({ i, at: history.startedAt(i), failed: history.failed(i, k) }));
}

describe('historyWindow', () => {
  test.each([
    { options: {}, until: '2026-11-20T12:00:00.000Z', recentSince: '2026-11-14T00:00:00.000Z', since: '2025-11-20T00:00:00.000Z' },
    { options: { recentDays: 1, days: 3 }, until: '2026-11-20T12:00:00.000Z', recentSince: '2026-11-20T00:00:00.000Z', since: '2026-11-18T00:00:00.000Z' },
    { options: { now: new Date('2026-11-16T00:30:00Z'), recentDays: 2 }, until: '2026-11-16T00:30:00.000Z', recentSince: '2026-11-15T00:00:00.000Z', since: '2025-11-16T00:00:00.000Z' },
  ])('ends at the newest run unless told, and starts run by run at a UTC midnight: $options', async ({ options, ...expected }) => {
    expect(await historyWindow(w, options)).toMatchObject(expected);
  });
});

describe('readRunTrends', () => {
  test('each pipeline: one point per day before the last 7 days, counting its runs and failures; one per run after', async () => {
    const trends = await readRunTrends(w, window);
    expect([...trends.keys()].sort()).toEqual(project.pipelines.map((p) => p.name).sort());
    project.pipelines.forEach((p, k) => {
      const points = trends.get(p.name)!;
      const runs = runsOf(k);
      const old = runs.filter((r) => r.at < window.recentSince);
      const byDay = new Map<string, { runs: number; failed: number }>();
      for (const r of old) {
        const day = `${r.at.slice(0, 10)}T00:00:00.000Z`;
        const d = byDay.get(day) ?? { runs: 0, failed: 0 };
        d.runs += 1;
        d.failed += r.failed ? 1 : 0;
        byDay.set(day, d);
      }
      const days = points.filter((x) => x.period === 'day');
      expect(days.map((x) => ({ at: x.at, runs: x.runs, failed: x.failed }))).toEqual([...byDay].map(([at, d]) => ({ at, ...d })));
      const recent = points.filter((x) => x.period === 'run');
      expect(recent.map((x) => [x.run_id, x.status])).toEqual(
        runs.filter((r) => r.at >= window.recentSince).map((r) => [history.runId(r.i), r.failed ? 'failed' : 'success']),
      );
      // Days first, then runs: oldest first throughout.
      expect(points.map((x) => x.at)).toEqual(points.map((x) => x.at).sort());
    });
  });

  test('a failed run carries its error in full; a day is as bad as its worst run', async () => {
    const points = (await readRunTrends(w, window)).get(project.pipelines[0].name)!;
    const failedRun = points.find((x) => x.period === 'run' && x.status === 'failed');
    expect(failedRun?.error).toMatch(/^ingest: SourceError: transactions: the API answered 503/);
    for (const day of points.filter((x) => x.period === 'day')) expect(day.status).toBe(day.failed > 0 ? 'failed' : 'success');
  });

  test('keeps to the days asked for', async () => {
    const narrow = await historyWindow(w, { recentDays: 1, days: 3 });
    for (const points of (await readRunTrends(w, narrow)).values()) {
      expect(points.filter((x) => x.period === 'day').map((x) => x.at)).toEqual(['2026-11-18T00:00:00.000Z', '2026-11-19T00:00:00.000Z']);
      expect(points.filter((x) => x.period === 'run')).toHaveLength(13);
    }
  });
});

describe('readTableTrends', () => {
  test("a day's point has the rows after its last run and the most its freshness lagged; recent points are the runs'", async () => {
    const trends = await readTableTrends(w, window);
    const tables = [...project.graph.nodes('bronze'), ...project.graph.nodes('silver'), ...project.graph.nodes('gold')].map((n) => n.name);
    expect([...trends.keys()].sort()).toEqual([...tables].sort());
    const truth = await w.query<{ table_name: string; day_on: string; last_rows: number; max_lag: number | null }>(
      `SELECT table_name, CAST(measured_at AS DATE) AS day_on, arg_max(row_count, measured_at) AS last_rows, MAX(lag_seconds) AS max_lag
       FROM meta.table_snapshots WHERE measured_at < '2026-11-14' GROUP BY ALL ORDER BY ALL`,
    );
    const days = [...trends].flatMap(([table, points]) => points.filter((x) => x.period === 'day').map((x) => ({ table_name: table, day_on: x.at.slice(0, 10), last_rows: x.rows, max_lag: x.lag_seconds })));
    expect(days.sort((a, b) => a.table_name.localeCompare(b.table_name) || a.day_on.localeCompare(b.day_on))).toEqual(truth);
    const transactions = trends.get('silver.transactions')!;
    expect(transactions.filter((x) => x.period === 'run').length).toBe(runsOf(0).filter((r) => r.at >= window.recentSince).length);
    expect(transactions.every((x) => x.lag_seconds !== null)).toBe(true);
    // A table without a freshness SLA has no lag (gold.fact_sales has one since the demo checks gold's freshness).
    expect(trends.get('gold.daily_sales_summary')!.every((x) => x.lag_seconds === null)).toBe(true);
  });
});

describe('readRejectedTrends', () => {
  test('splits each reasons list, and adds up to every reason of every rejected row', async () => {
    const trends = await readRejectedTrends(w, window);
    const rows = await w.query<{ table_name: string; reasons: string }>('SELECT table_name, reasons FROM meta.rejected');
    const expected = new Map<string, number>();
    for (const r of rows) for (const reason of r.reasons.split(',')) expected.set(`${r.table_name} ${reason}`, (expected.get(`${r.table_name} ${reason}`) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const [table, points] of trends) for (const p of points) got.set(`${table} ${p.reason}`, (got.get(`${table} ${p.reason}`) ?? 0) + p.rows);
    expect(got).toEqual(expected);
    expect([...trends.values()].flat().some((p) => p.reason === 'below_min:total')).toBe(true);
    expect([...trends.values()].flat().every((p) => !p.reason.includes(','))).toBe(true);
  });
});

describe('readCheckHistory', () => {
  test("per check, a day counts its runs' results and shows the worst; a run shows its own status and message", async () => {
    const history = await readCheckHistory(w, window);
    const pos = history.get('retail_pos')!;
    const declared = project.pipelines.find((p) => p.name === 'retail_pos')!;
    expect(pos).toHaveLength(declared.checks.length + declared.freshness.length);
    for (const check of pos) {
      for (const day of check.points.filter((x) => x.period === 'day')) {
        expect(day.pass + day.warn + day.fail + day.error).toBeGreaterThan(0);
        expect(day.status).toBe(day.error ? 'error' : day.fail ? 'fail' : day.warn ? 'warn' : 'pass');
        expect(day.message === null).toBe(day.status === 'pass');
      }
    }
    const warned = pos.flatMap((c) => c.points).find((x) => x.period === 'run' && x.status === 'warn');
    expect(warned).toMatchObject({ warn: 1, pass: 0, message: expect.stringMatching(/failing rows/) });
  });
});

describe('readDriftTimeline', () => {
  test('lists each change with the run that saw it in the recent days, and one event per day before', async () => {
    const timeline = await readDriftTimeline(w, await historyWindow(w, { recentDays: 4 }));
    const events = timeline.get('retail_pos')!;
    // Runs 100 (a field added) and 124 (its type changed) of every 1,500: here, on November 14 and 15.
    expect(events.map((e) => [e.period, e.at, e.change, e.path, e.batches])).toEqual([
      ['day', '2026-11-14T00:00:00.000Z', 'added', 'promo_code', 1],
      ['day', '2026-11-15T00:00:00.000Z', 'type_changed', 'promo_code', 1],
    ]);
    const recent = await readDriftTimeline(w, window);
    expect(recent.get('retail_pos')!.map((e) => [e.period, e.run_id, e.batch_id, e.old_type, e.new_type])).toEqual([
      ['run', 'run_hist_00100', 'run_hist_00100.retail_pos.transactions', null, 'string'],
      ['run', 'run_hist_00124', 'run_hist_00124.retail_pos.transactions', 'string', 'number'],
    ]);
  });
});

describe('readRunRecords', () => {
  test("a run's record: every pipeline's steps, batches, conserved silver loads, checks and tables; a failed ingest's error in full", async () => {
    const records = await readRunRecords(w, { window });
    expect(records.map((r) => r.run_id)).toEqual(runsOf(0).filter((r) => r.at >= window.recentSince).map((r) => history.runId(r.i)).reverse());
    const newest = records[0];
    expect(newest.pipelines.map((p) => p.pipeline)).toEqual(project.pipelines.map((p) => p.name).sort());
    const pos = newest.pipelines.find((p) => p.pipeline === 'retail_pos')!;
    expect(pos.steps.map((s) => s.step)).toEqual(['ingest', 'transform', 'check']);
    expect(pos.batches.map((b) => b.resource)).toEqual(['transactions']);
    expect(pos.silver_loads.map((l) => l.table).sort()).toEqual(['silver.transaction_lines', 'silver.transactions']);
    expect(pos.silver_loads.every((l) => l.conserved && l.bronze === l.accepted + l.rejected)).toBe(true);
    expect(pos.checks.length).toBeGreaterThan(0);
    expect(newest.tables.map((t) => t.table)).toContain('gold.fact_sales');
    expect(newest.models.map((m) => m.model)).toContain('gold.fact_sales');

    const failedIndex = runsOf(0).findIndex((r) => r.failed);
    const [failed] = await readRunRecords(w, { runIds: [history.runId(failedIndex)] });
    const broken = failed.pipelines.find((p) => p.pipeline === project.pipelines[0].name)!;
    expect(failed.status).toBe('failed');
    expect(broken.steps.map((s) => [s.step, s.status])).toEqual([['ingest', 'failed'], ['transform', 'skipped'], ['check', 'skipped']]);
    expect(broken.steps[0].error).toMatch(/503 Service Unavailable 5 times .*giving up$/);
    expect(broken.batches).toEqual([]);
  });
});

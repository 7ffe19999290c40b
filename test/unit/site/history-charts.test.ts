// The operations pages' charts: what each one is drawn from (history-charts.ts), and that it draws what it
// claims: a bar per run or day, the SLA's warning and error as rules, rejected rows stacked by reason by day.
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { HistoryWindow, RejectedTrendPoint, RunTrendPoint, TableTrendPoint } from '../../../src/state/history.js';
import { renderCharts, runDurationCharts, tableTrendCharts, type TableHistory } from '../../../src/site/history-charts.js';
import { RunOutcomeStrip } from '../../../src/site/pages/run-history.js';

const WINDOW: HistoryWindow = { until: '2026-11-20T12:00:00.000Z', recentSince: '2026-11-14T00:00:00.000Z', since: '2025-11-20T00:00:00.000Z', recentDays: 7, days: 366 };
const marks = (html: string) => (html.match(/class="mark"/g) ?? []).length;

function run(period: 'run' | 'day', at: string, duration: number | null, status: RunTrendPoint['status'] = 'success'): RunTrendPoint {
  return {
    period, at, run_id: period === 'run' ? `run_${at}` : null, runs: period === 'run' ? 1 : 24, succeeded: status === 'success' ? 1 : 0,
    failed: status === 'failed' ? 1 : 0, running: status === 'running' ? 1 : 0, status, duration_seconds: duration, max_duration_seconds: duration,
    rejected: 0, checks_failed: 0, checks_warned: 0, error: status === 'failed' ? 'SourceError: 503' : null,
  };
}
const hour = (i: number) => new Date(Date.parse(WINDOW.recentSince) + i * 3_600_000).toISOString();
const day = (i: number) => new Date(Date.parse(WINDOW.since) + i * 86_400_000).toISOString();
const recentRuns = Array.from({ length: 150 }, (_, i) => run('run', hour(i), 30 + (i % 7) * 10, i === 40 ? 'failed' : 'success'));
const days = Array.from({ length: 200 }, (_, i) => run('day', day(i), 35 + (i % 5)));

describe('run duration charts', () => {
  const cases: Array<[string, RunTrendPoint[], string[], number[]]> = [
    ['runs of the last week only', recentRuns, ['chart-run-duration'], [150]],
    ['days before and runs after', [...days, ...recentRuns], ['chart-run-duration', 'chart-run-duration-by-day'], [150, 200]],
    ['a run still going has no bar', [...recentRuns.slice(0, 3), run('run', hour(3), null, 'running')], ['chart-run-duration'], [3]],
    ['no runs at all', [], [], []],
  ];
  it.each(cases)('%s', async (_name, points, ids, bars) => {
    const specs = runDurationCharts('retail_pos', points, WINDOW);
    expect(specs.map((s) => s.id)).toEqual(ids);
    const html = await renderCharts(specs);
    // One bar per run (or day) with a duration: more than a line would dot (chart-svg.ts MAX_DOTTED_POINTS).
    expect(html.map(marks)).toEqual(bars);
    expect(html.every((c) => /<text[^>]*>Duration<\/text>/.test(c))).toBe(true);
  });

  it('the outcome strip tells what its colours show', () => {
    const html = renderToString(h(RunOutcomeStrip, { points: [...days.slice(0, 2), run('day', day(2), 40, 'failed'), ...recentRuns.slice(38, 42)] }));
    expect(html).toContain('last 4 runs: 1 failed, 3 succeeded; 3 days before: 1 worst failed, 2 all succeeded');
    expect(html).toContain(`<title>${hour(40).slice(0, 16).replace('T', ' ')}: failed (1 run, worst of each); last: SourceError: 503</title>`);
  });
});

describe('table trend charts', () => {
  const points: TableTrendPoint[] = [
    { period: 'day', at: day(0), run_id: null, rows: 100, lag_seconds: 9000, runs: 24 },
    { period: 'day', at: day(1), run_id: null, rows: 150, lag_seconds: 600, runs: 24 },
    { period: 'run', at: hour(1), run_id: 'r1', rows: 160, lag_seconds: 30000, runs: 1 },
    { period: 'run', at: hour(2), run_id: 'r2', rows: 170, lag_seconds: 300, runs: 1 },
  ];
  const rejected: RejectedTrendPoint[] = [
    { period: 'day', at: day(0), run_id: null, reason: 'missing_required:id', rows: 4 },
    { period: 'run', at: hour(1), run_id: 'r1', reason: 'missing_required:id', rows: 2 },
    { period: 'run', at: hour(2), run_id: 'r2', reason: 'missing_required:id', rows: 3 },
    { period: 'run', at: hour(2), run_id: 'r2', reason: 'below_min:total', rows: 1 },
  ];
  const history = (over: Partial<TableHistory> = {}): TableHistory => ({
    table: 'silver.t', window: WINDOW, points, rejected, freshness: { field: 'sold_at', warn_after_seconds: 7200, error_after_seconds: 21600 }, ...over,
  });

  it.each([
    ['rows, lag against the SLA and rejected rows', history(), ['chart-rows', 'chart-freshness-lag', 'chart-rejected']],
    ['no SLA: no lag chart', history({ freshness: null }), ['chart-rows', 'chart-rejected']],
    ['nothing rejected: no rejected chart', history({ rejected: [] }), ['chart-rows', 'chart-freshness-lag']],
    ['no history', history({ points: [], rejected: [] }), []],
  ])('%s', (_name, h, ids) => {
    expect(tableTrendCharts(h).map((s) => s.id)).toEqual(ids);
  });

  it('the lag chart draws the SLA\'s warning and error as rules, and a dot per point', async () => {
    const [, lag] = await renderCharts(tableTrendCharts(history()));
    expect([...lag.matchAll(/<g class="rule">.*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => m[1])).toEqual(['Warning (2h)', 'Error (6h)']);
    expect(lag).toMatch(/reference lines: Warning at 2h, Error at 6h\./);
    expect(marks(lag)).toBe(4);
  });

  it('rejected rows: a day\'s runs add up into one bar per reason, stacked', () => {
    const spec = tableTrendCharts(history()).find((s) => s.id === 'chart-rejected')!;
    expect(spec.data).toEqual([
      { day: day(0), reason: 'missing_required:id', rows: 4 },
      { day: '2026-11-14T00:00:00.000Z', reason: 'below_min:total', rows: 1 },
      { day: '2026-11-14T00:00:00.000Z', reason: 'missing_required:id', rows: 5 },
    ]);
    expect([spec.series, spec.stacked]).toEqual(['reason', true]);
  });
});

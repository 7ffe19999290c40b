// The history pieces of the pages: a check's strip draws each stretch of one status once and says in text
// what the colours show; a table's trends count the points over its SLA.
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { describe, expect, test } from 'vitest';
import type { CheckTrendPoint, HistoryWindow, TableTrendPoint } from '../../../src/state/history.js';
import { CheckStrip, summarize } from '../../../src/site/pages/check-strip.js';
import { TableTrends } from '../../../src/site/pages/table-trends.js';

const WINDOW: HistoryWindow = { until: '2026-11-20T12:00:00.000Z', recentSince: '2026-11-14T00:00:00.000Z', since: '2025-11-20T00:00:00.000Z', recentDays: 7, days: 366 };

function point(period: 'run' | 'day', at: string, status: CheckTrendPoint['status']): CheckTrendPoint {
  return { period, at, run_id: period === 'run' ? `run_${at}` : null, status, pass: status === 'pass' ? 1 : 0, warn: status === 'warn' ? 1 : 0, fail: status === 'fail' ? 1 : 0, error: 0, failing_rows: status === 'pass' ? 0 : 2, message: status === 'pass' ? 'ok' : '2 failing rows' };
}

describe('CheckStrip', () => {
  const points = [
    point('day', '2026-11-10T00:00:00.000Z', 'pass'),
    point('day', '2026-11-11T00:00:00.000Z', 'pass'),
    point('day', '2026-11-12T00:00:00.000Z', 'fail'),
    point('day', '2026-11-13T00:00:00.000Z', 'pass'),
    point('run', '2026-11-14T01:00:00.000Z', 'pass'),
    point('run', '2026-11-14T02:00:00.000Z', 'pass'),
    point('run', '2026-11-14T03:00:00.000Z', 'warn'),
  ];
  const html = renderToString(h(CheckStrip, { history: { pipeline: 'p', table: 'silver.t', check: 'unique(id)', kind: 'unique', points } }));

  test('one rectangle per stretch of a status (days and runs never merged), each titled with its span', () => {
    const titles = [...html.matchAll(/<rect[^>]*><title>([^<]*)<\/title><\/rect>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      '2026-11-10 to 2026-11-11: passed (2 days, worst of each)',
      '2026-11-12: failed (1 day, worst of each); last: 2 failing rows',
      '2026-11-13: passed (1 day, worst of each)',
      '2026-11-14 01:00 to 2026-11-14 02:00: passed (2 runs, worst of each)',
      '2026-11-14 03:00: warned (1 run, worst of each); last: 2 failing rows',
    ]);
  });

  test('says in text what the colours show', () => {
    expect(summarize(points)).toBe('last 3 runs: 1 warned, 2 passed; 4 days before: 1 worst failed, 3 all passed');
    expect(html).toContain('<title>unique(id) on silver.t: last 3 runs: 1 warned, 2 passed; 4 days before: 1 worst failed, 3 all passed</title>');
    expect(html).toContain('role="img"');
  });
});

describe('TableTrends', () => {
  test('rows now against the start of the period; the lag now, at most, and how often over the SLA', () => {
    const points: TableTrendPoint[] = [
      { period: 'day', at: '2026-11-12T00:00:00.000Z', run_id: null, rows: 100, lag_seconds: 9000, runs: 24 },
      { period: 'day', at: '2026-11-13T00:00:00.000Z', run_id: null, rows: 150, lag_seconds: 600, runs: 24 },
      { period: 'run', at: '2026-11-14T01:00:00.000Z', run_id: 'r1', rows: 160, lag_seconds: 30000, runs: 1 },
      { period: 'run', at: '2026-11-14T02:00:00.000Z', run_id: 'r2', rows: 170, lag_seconds: 300, runs: 1 },
    ];
    const html = renderToString(
      h(TableTrends, { history: { table: 'silver.t', window: WINDOW, points, rejected: [], freshness: { field: 'sold_at', warn_after_seconds: 7200, error_after_seconds: 21600 } } }),
    );
    expect(html).toContain('170 <span class="note">after the last run; 100 at the start of the period (+70)</span>');
    expect(html).toContain('5m now, at most 8h 20m');
    expect(html).toContain('over the 2h warning in 1 day and 1 run, over the 6h error in 1 run');
    expect(html).toContain('No rows of silver.t rejected in this period.');
  });
});

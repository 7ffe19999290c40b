import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_OPTIONS, describeVerdict, detectAnomalies, type DetectOptions, type MetricPoint } from '../../../src/quality/anomaly/detect.js';
import { METRIC_KINDS } from '../../../src/quality/anomaly/metric-kinds.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 5); // a Monday

/** Hourly points from START: value(i) for i = 0..n-1. */
function hourly(n: number, value: (i: number) => number, from = START): MetricPoint[] {
  return Array.from({ length: n }, (_, i) => ({ at: new Date(from + i * HOUR), value: value(i) }));
}
const at = (hours: number, value: number): MetricPoint => ({ at: new Date(START + hours * HOUR), value });
/** Alternates around 100 so the history has a spread (MAD 2). */
const steady = (i: number) => 100 + ((i * 7) % 5) - 2;
const options = (o: Partial<DetectOptions> = {}): DetectOptions => ({ ...DEFAULT_DETECT_OPTIONS, seasons: [], ...o });

describe('detectAnomalies', () => {
  it.each([
    { name: 'a value inside the band', value: 101, state: 'normal' },
    { name: 'a spike', value: 130, state: 'anomaly' },
    { name: 'a drop', value: 70, state: 'anomaly' },
    { name: 'a missed hour (nothing loaded)', value: 0, state: 'anomaly' },
  ])('$name: $state', ({ value, state }) => {
    const [verdict] = detectAnomalies(hourly(48, steady), [at(48, value)], options());
    expect(verdict.state).toBe(state);
  });

  it('says how much history it has and needs, and passes, below the minimum', () => {
    const [verdict] = detectAnomalies(hourly(5, steady), [at(5, 1_000_000)], options({ minHistory: 24 }));
    expect(verdict).toMatchObject({ state: 'not_enough_history', have: 5, need: 24 });
    expect(describeVerdict(verdict, METRIC_KINDS.volume, 3)).toBe('rows loaded 1,000,000 rows; not enough history (5 of 24 points)');
  });

  it('never trains on the detection window, even when the caller passes it as history', () => {
    // Daily points: three weeks at 1000, then a five-day outage at 200 that is the detection window.
    const days = Array.from({ length: 26 }, (_, i) => ({ at: new Date(START + i * 24 * HOUR), value: i < 21 ? 1000 + (i % 3) * 10 : 200 }));
    const window = days.slice(21);
    const daily = options({ minHistory: 14, seasons: ['day_of_week'] });
    const withWindowInHistory = detectAnomalies(days, window, daily);
    expect(withWindowInHistory.map((v) => v.state)).toEqual(['anomaly', 'anomaly', 'anomaly', 'anomaly', 'anomaly']);
    expect(withWindowInHistory).toEqual(detectAnomalies(days.slice(0, 21), window, daily));
  });

  it('is robust to earlier anomalies in its history: they do not widen the band', () => {
    const history = hourly(48, (i) => (i % 10 === 3 ? 5000 : steady(i)));
    const [verdict] = detectAnomalies(history, [at(48, 130)], options());
    expect(verdict.state).toBe('anomaly');
    if (verdict.state === 'not_enough_history') return;
    expect(Math.abs(verdict.expected - 100)).toBeLessThanOrEqual(1);
    expect(verdict.high).toBeLessThan(110);
  });

  it.each([
    { sensitivity: 2, state: 'anomaly' },
    { sensitivity: 3, state: 'anomaly' },
    { sensitivity: 6, state: 'normal' },
  ])('sensitivity $sensitivity judges +8 as $state', ({ sensitivity, state }) => {
    // The history's robust sigma is 1.48: +8 is 5.4 of them.
    const [verdict] = detectAnomalies(hourly(48, steady), [at(48, 108)], options({ sensitivity }));
    expect(verdict.state).toBe(state);
  });

  it.each([
    { direction: 'both', value: 70, state: 'anomaly' },
    { direction: 'up', value: 70, state: 'normal' },
    { direction: 'up', value: 130, state: 'anomaly' },
    { direction: 'down', value: 130, state: 'normal' },
  ] as const)('direction $direction judges $value as $state', ({ direction, value, state }) => {
    const [verdict] = detectAnomalies(hourly(48, steady), [at(48, value)], options({ direction }));
    expect(verdict.state).toBe(state);
  });

  it('a flat history still has a band as wide as the metric\'s smallest sigma', () => {
    const flat = hourly(48, () => 100);
    const sqrt = { scale: 'sqrt', minSigma: 0.5 } as const;
    expect(detectAnomalies(flat, [at(48, 110)], options(sqrt))[0].state).toBe('normal');
    expect(detectAnomalies(flat, [at(48, 150)], options(sqrt))[0].state).toBe('anomaly');
    expect(detectAnomalies(flat, [at(48, 101)], options({ minSigma: 0 }))[0].state).toBe('anomaly');
  });

  it.each([
    { weeks: 2, baseline: 'hour_of_day' },
    { weeks: 3, baseline: 'hour_of_week' },
  ])('with $weeks weeks of hourly history the baseline is $baseline', ({ weeks, baseline }) => {
    const history = hourly(weeks * 168, steady);
    const [verdict] = detectAnomalies(history, [at(weeks * 168, 100)], { ...DEFAULT_DETECT_OPTIONS });
    expect(verdict).toMatchObject({ state: 'normal', baseline });
  });

  it('before a day of history it uses one overall baseline', () => {
    const [verdict] = detectAnomalies(hourly(30, steady), [at(30, 100)], { ...DEFAULT_DETECT_OPTIONS });
    expect(verdict).toMatchObject({ baseline: 'overall', points: 30 });
  });

  it('ignores history older than its training span', () => {
    const old = hourly(48, () => 5000, START - 100 * 24 * HOUR);
    const [verdict] = detectAnomalies([...old, ...hourly(48, steady)], [at(48, 100)], options({ trainingDays: 56 }));
    expect(verdict).toMatchObject({ state: 'normal', expected: 100, points: 48 });
  });

  it('describes the observed value, the band and where the band came from', () => {
    const [verdict] = detectAnomalies(hourly(48, steady), [at(48, 140)], options({ scale: 'sqrt', minSigma: 0.5 }));
    expect(describeVerdict(verdict, METRIC_KINDS.volume, 3)).toBe(
      'rows loaded 140 rows, outside the expected 72..132 rows (median 100 rows of all history, 48 points; sensitivity 3)',
    );
  });
});

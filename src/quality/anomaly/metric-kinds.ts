// The metrics an `anomaly:` check can watch, keyed by name: how each is compared and shown. Where its
// values come from is src/quality/anomaly/history.ts.
import type { DetectOptions, Direction, Scale, ValueFormat } from './detect.js';

export type AnomalyMetric = 'volume' | 'freshness_lag' | 'null_rate' | 'distinct_count';

export interface MetricKind extends ValueFormat {
  scale: Scale;
  /** The narrowest band's sigma (the scale's units): a flat history must not make every wiggle an alert. */
  minSigma: number;
  /** Which way is bad unless the check says otherwise: a table fresher or with fewer NULLs than usual is good news. */
  direction: Direction;
  /** Whether the metric is about one column (`column:` required) or the whole table (refused). */
  needsColumn: boolean;
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');

export const METRIC_KINDS: { [M in AnomalyMetric]: MetricKind } = {
  // Rows loaded are counts: compared in square-root space, where noise has the same width at any level.
  volume: { label: 'rows loaded', number: count, unit: ' rows', scale: 'sqrt', minSigma: 0.5, direction: 'both', needsColumn: false },
  // A minute of wobble in a lag is not news.
  freshness_lag: { label: 'freshness lag', number: formatSeconds, unit: '', scale: 'linear', minSigma: 60, direction: 'up', needsColumn: false },
  // 0.2 percentage points: a never-NULL column turning 1% NULL is caught, a few stray NULLs are not.
  null_rate: { label: 'null rate', number: (v) => (v * 100).toFixed(2).replace(/\.?0+$/, ''), unit: '%', scale: 'linear', minSigma: 0.002, direction: 'up', needsColumn: true },
  distinct_count: { label: 'distinct values', number: count, unit: '', scale: 'sqrt', minSigma: 0.5, direction: 'both', needsColumn: true },
};

export const ANOMALY_METRICS = Object.keys(METRIC_KINDS) as AnomalyMetric[];

/** `per: run` judges each run's value; `per: day` sums (volume) or takes the last value of (the rest) each UTC day. */
export type AnomalyPeriod = 'run' | 'day';

export const DEFAULT_SENSITIVITY = 3;
export const DEFAULT_MIN_HISTORY: Record<AnomalyPeriod, number> = { run: 24, day: 14 };

/** The detector's options for a check: the metric's own defaults, the check's settings over them. */
export function detectOptionsFor(
  metric: AnomalyMetric,
  per: AnomalyPeriod,
  settings: { sensitivity?: number; minHistory?: number; direction?: Direction },
): DetectOptions {
  const kind = METRIC_KINDS[metric];
  return {
    sensitivity: settings.sensitivity ?? DEFAULT_SENSITIVITY,
    minHistory: settings.minHistory ?? DEFAULT_MIN_HISTORY[per],
    seasons: per === 'day' ? ['day_of_week'] : ['hour_of_week', 'hour_of_day'],
    scale: kind.scale,
    minSigma: kind.minSigma,
    direction: settings.direction ?? kind.direction,
    // Eight weeks: eight points of each hour of the week, and a level that follows the business's drift.
    trainingDays: per === 'day' ? 112 : 56,
  };
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (Math.abs(s) < 120) return `${s}s`;
  if (Math.abs(s) < 7200) return `${Math.round(s / 60)}m`;
  if (Math.abs(s) < 172800) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')}h`;
  return `${(s / 86400).toFixed(1).replace(/\.0$/, '')}d`;
}

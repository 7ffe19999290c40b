// Judges a metric's newest value against a baseline learnt from its own history. Robust (median and
// MAD, so past anomalies in the history do not widen the band), seasonal where the history is long
// enough (the same hour of the week, else of the day), and the detection window is never training data:
// a sustained anomaly cannot teach the baseline that it is normal (Elementary's users' complaint).
// Pure: no warehouse, no clock; src/quality/anomaly/metrics.ts feeds it.

export interface MetricPoint {
  at: Date;
  value: number;
}

/**
 * How history is grouped into seasons: the first kind whose bucket for the observation holds at least
 * SEASONAL_MIN_POINTS training points is used; none qualifying means one overall baseline.
 */
export type Season = 'hour_of_week' | 'hour_of_day' | 'day_of_week';

/** How values are compared: counts in square-root space, where Poisson-like noise has the same width at any level. */
export type Scale = 'linear' | 'sqrt';

export type Direction = 'both' | 'up' | 'down';

export interface DetectOptions {
  /** Half-width of the band in robust standard deviations (1.4826 x MAD); higher alerts less. */
  sensitivity: number;
  /** Training points needed before it judges; fewer pass with "not enough history". */
  minHistory: number;
  seasons: readonly Season[];
  scale: Scale;
  /**
   * The smallest robust standard deviation (in the scale's units): a perfectly flat history would
   * otherwise call any wiggle an anomaly. sqrt scale: 0.5 is Poisson noise's width.
   */
  minSigma: number;
  direction: Direction;
  /** Training looks back this far from the detection window's start; older points are ignored (the level drifts). */
  trainingDays: number;
}

/** Three weeks of one hour-of-week: the median of three is the fewest points one outlier cannot move far. */
export const SEASONAL_MIN_POINTS = 3;

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  sensitivity: 3,
  minHistory: 24,
  seasons: ['hour_of_week', 'hour_of_day'],
  scale: 'linear',
  minSigma: 0,
  direction: 'both',
  trainingDays: 56,
};

export type Verdict =
  | { state: 'not_enough_history'; observed: MetricPoint; have: number; need: number }
  | {
      state: 'normal' | 'anomaly';
      observed: MetricPoint;
      /** The baseline's centre and band, in the metric's own units. */
      expected: number;
      low: number;
      high: number;
      /** Which baseline judged it: a season kind, or 'overall'. */
      baseline: Season | 'overall';
      /** Training points the baseline's centre came from (its bucket's, for a season). */
      points: number;
    };

const MAD_TO_SIGMA = 1.4826;

/**
 * Judges each observation of the detection window against the history before the window's start. Every
 * observation is judged against the same training set, and history at or after the window's start is
 * dropped even if the caller passes it: the window never trains itself.
 */
export function detectAnomalies(history: readonly MetricPoint[], window: readonly MetricPoint[], options: DetectOptions): Verdict[] {
  if (window.length === 0) return [];
  const start = Math.min(...window.map((p) => p.at.getTime()));
  const from = start - options.trainingDays * 86_400_000;
  const training = history.filter((p) => Number.isFinite(p.value) && p.at.getTime() < start && p.at.getTime() >= from);
  return window.map((observed) => judge(training, observed, options));
}

function judge(training: readonly MetricPoint[], observed: MetricPoint, options: DetectOptions): Verdict {
  if (training.length < options.minHistory) return { state: 'not_enough_history', observed, have: training.length, need: options.minHistory };
  const forward = options.scale === 'sqrt' ? (v: number) => Math.sqrt(Math.max(0, v)) : (v: number) => v;
  const back = options.scale === 'sqrt' ? (v: number) => Math.max(0, v) ** 2 : (v: number) => v;
  const points = training.map((p) => ({ at: p.at, value: forward(p.value) }));
  const fit = seasonalFit(points, observed.at, options.seasons) ?? overallFit(points);
  const sigma = Math.max(fit.sigma, options.minSigma);
  const centre = fit.centre;
  const lowT = options.direction === 'up' ? -Infinity : centre - options.sensitivity * sigma;
  const highT = options.direction === 'down' ? Infinity : centre + options.sensitivity * sigma;
  const value = forward(observed.value);
  const low = options.scale === 'sqrt' ? (lowT <= 0 ? 0 : back(lowT)) : lowT;
  return {
    state: value < lowT || value > highT ? 'anomaly' : 'normal',
    observed,
    expected: back(centre),
    low,
    high: back(highT),
    baseline: fit.baseline,
    points: fit.points,
  };
}

interface Fit {
  centre: number;
  sigma: number;
  baseline: Season | 'overall';
  points: number;
}

function overallFit(points: ReadonlyArray<{ value: number }>): Fit {
  const values = points.map((p) => p.value);
  const centre = median(values);
  return { centre, sigma: MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - centre))), baseline: 'overall', points: values.length };
}

/**
 * The centre is the median of the observation's bucket; the width comes from every bucket with enough
 * points (each point against the median of its bucket's other points, so a point never predicts itself:
 * a bucket of three would otherwise have a zero residual in every three and a band too narrow).
 */
function seasonalFit(points: ReadonlyArray<MetricPoint>, at: Date, seasons: readonly Season[]): Fit | undefined {
  for (const season of seasons) {
    const buckets = new Map<number, number[]>();
    for (const p of points) {
      const key = bucketOf(season, p.at);
      let list = buckets.get(key);
      if (!list) buckets.set(key, (list = []));
      list.push(p.value);
    }
    const own = buckets.get(bucketOf(season, at)) ?? [];
    if (own.length < SEASONAL_MIN_POINTS) continue;
    const residuals: number[] = [];
    for (const values of buckets.values()) {
      if (values.length < SEASONAL_MIN_POINTS) continue;
      values.forEach((v, i) => residuals.push(v - median(values.filter((_, j) => j !== i))));
    }
    return { centre: median(own), sigma: MAD_TO_SIGMA * median(residuals.map(Math.abs)), baseline: season, points: own.length };
  }
  return undefined;
}

/** UTC: a run's hour means the same thing whatever machine judges it. */
export function bucketOf(season: Season, at: Date): number {
  switch (season) {
    case 'hour_of_week':
      return at.getUTCDay() * 24 + at.getUTCHours();
    case 'hour_of_day':
      return at.getUTCHours();
    case 'day_of_week':
      return at.getUTCDay();
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const SEASON_WORDS: Record<Season | 'overall', string> = {
  hour_of_week: 'the same hour of the week',
  hour_of_day: 'the same hour of the day',
  day_of_week: 'the same day of the week',
  overall: 'all history',
};

/** How a metric's values read: "120" + " rows", "1.5" + "%", "45m" + "". */
export interface ValueFormat {
  label: string;
  number: (value: number) => string;
  unit: string;
}

/** One line for a check's message: the observed value, the expected band and where the band came from. */
export function describeVerdict(verdict: Verdict, format: ValueFormat, sensitivity: number): string {
  const { label, number, unit } = format;
  const observed = `${label} ${number(verdict.observed.value)}${unit}`;
  if (verdict.state === 'not_enough_history') return `${observed}; not enough history (${verdict.have} of ${verdict.need} points)`;
  const low = Number.isFinite(verdict.low) ? number(verdict.low) : undefined;
  const high = Number.isFinite(verdict.high) ? number(verdict.high) : undefined;
  const band = low !== undefined && high !== undefined ? `${low}..${high}${unit}` : low !== undefined ? `at least ${low}${unit}` : `at most ${high}${unit}`;
  const basis = `median ${number(verdict.expected)}${unit} of ${SEASON_WORDS[verdict.baseline]}, ${verdict.points} points; sensitivity ${sensitivity}`;
  return `${observed}, ${verdict.state === 'anomaly' ? 'outside' : 'within'} the expected ${band} (${basis})`;
}

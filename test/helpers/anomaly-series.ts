// Synthetic hourly metric series with a daily and a weekly rhythm, noise, and anomalies injected at
// known hours: the ground truth the anomaly detector is scored against.
import { Random } from '../../src/demo/random.js';
import type { MetricPoint } from '../../src/quality/anomaly/detect.js';

/** A Monday, so week boundaries are easy to read in failures. */
export const SERIES_START = Date.UTC(2026, 0, 5, 0, 0, 0);
export const HOUR = 3_600_000;

export type Injection = 'spike' | 'drop' | 'missed_hour';

export interface SyntheticSeries {
  points: MetricPoint[];
  /** Index -> what was injected there. */
  injected: Map<number, Injection>;
}

export interface SeriesShape {
  weeks: number;
  /** The level at an hour, before noise. */
  level: (at: Date) => number;
  /** A noisy value around the level. */
  noise: (level: number, random: Random) => number;
  /** The value an injection turns the point into. */
  inject: (kind: Injection, value: number, level: number, random: Random) => number;
  /** Injections per kind, placed at random hours from `injectFromWeek` on, never next to each other. */
  injections: Partial<Record<Injection, number>>;
  injectFromWeek: number;
  seed: number;
}

export function syntheticSeries(shape: SeriesShape): SyntheticSeries {
  const random = new Random(shape.seed);
  const hours = shape.weeks * 168;
  const levels = Array.from({ length: hours }, (_, i) => shape.level(new Date(SERIES_START + i * HOUR)));
  const points = levels.map((level, i) => ({ at: new Date(SERIES_START + i * HOUR), value: shape.noise(level, random) }));
  const injected = new Map<number, Injection>();
  const first = shape.injectFromWeek * 168;
  for (const [kind, n] of Object.entries(shape.injections) as Array<[Injection, number]>) {
    for (let placed = 0; placed < n; ) {
      const i = random.int(first, hours - 1);
      if (injected.has(i) || injected.has(i - 1) || injected.has(i + 1)) continue;
      injected.set(i, kind);
      points[i] = { at: points[i].at, value: shape.inject(kind, points[i].value, levels[i], random) };
      placed++;
    }
  }
  return { points, injected };
}

/** Rows loaded per hour: busy in the day, quiet at night, weekends at 40% of weekdays. */
export function hourlyVolumeLevel(at: Date): number {
  const hour = at.getUTCHours();
  const day = at.getUTCDay();
  const daily = hour < 6 ? 30 : hour < 9 ? 30 + (hour - 5) * 25 : hour < 18 ? 130 : hour < 22 ? 90 : 45;
  return day === 0 || day === 6 ? daily * 0.4 : daily;
}

/** A normal draw (Box-Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/**
 * Counts: negative binomial (a Poisson whose rate itself wobbles, gamma-distributed with shape 200), the
 * textbook model of overdispersed arrivals: at 130 rows an hour the spread is 1.3x a Poisson's.
 */
export function countNoise(level: number, random: Random): number {
  return poisson(level * gammaDraw(OVERDISPERSION_SHAPE, random) / OVERDISPERSION_SHAPE, random);
}
const OVERDISPERSION_SHAPE = 200;

/** Knuth's method: fine for the rates used here (e^-rate stays far above the smallest double). */
function poisson(rate: number, random: Random): number {
  const limit = Math.exp(-rate);
  let k = 0;
  for (let p = random.next(); p > limit; p *= random.next()) k++;
  return k;
}

/** Marsaglia and Tsang's method, shape >= 1. */
function gammaDraw(shape: number, random: Random): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export function score(alerts: ReadonlySet<number>, injected: ReadonlyMap<number, unknown>): Score {
  const truePositives = [...alerts].filter((i) => injected.has(i)).length;
  const falsePositives = alerts.size - truePositives;
  const falseNegatives = [...injected.keys()].filter((i) => !alerts.has(i)).length;
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: alerts.size === 0 ? 1 : truePositives / alerts.size,
    recall: injected.size === 0 ? 1 : truePositives / injected.size,
  };
}

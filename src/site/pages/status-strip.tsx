// A status history as a strip: one cell per day before the last week, one per run in it, oldest on the left.
// Runs of cells with the same status are drawn as one rectangle, so a year of hourly results that mostly pass
// costs a handful of elements. The colour only repeats what the text says: each rectangle has a title, and
// the strip's title counts the statuses. Checks (pass/warn/fail) and runs (success/failed) both use it.
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import type { Period } from '../../state/history.js';

const WIDTH = 480;
const HEIGHT = 18;

export interface StripPoint<S extends string> {
  period: Period;
  at: string;
  /** A run's status; for a day, the worst of its runs'. */
  status: S;
  /** Shown for a stretch that is not `best`: its last point's message. */
  message?: string | null;
}

/** What a kind of status looks like and reads as. */
export interface StripStyle<S extends string> {
  fill: Record<S, string>;
  /** "passed", "failed": how a point with that status reads. */
  verb: Record<S, string>;
  /** Worst first: the order the counts are told in. */
  order: readonly S[];
  /** The status of a day whose runs all went well ("all passed"). */
  best: S;
}

export function StatusStrip<S extends string>({ points, title, style }: { points: ReadonlyArray<StripPoint<S>>; title: string; style: StripStyle<S> }): VNode {
  const step = WIDTH / Math.max(points.length, 1);
  const firstRun = points.findIndex((p) => p.period === 'run');
  return (
    <svg class="strip" role="img" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} preserveAspectRatio="none">
      <title>{title}</title>
      {runLengths(points).map((s) => (
        <rect x={round(s.from * step)} y="0" width={round((s.to - s.from + 1) * step)} height={HEIGHT} fill={style.fill[s.status]}>
          <title>{describeSegment(points, s, style)}</title>
        </rect>
      ))}
      {firstRun > 0 && <line x1={round(firstRun * step)} x2={round(firstRun * step)} y1="0" y2={HEIGHT} stroke="#1f2328" stroke-width="1" />}
    </svg>
  );
}

interface Segment<S> {
  from: number;
  to: number;
  status: S;
}

function runLengths<S extends string>(points: ReadonlyArray<StripPoint<S>>): Array<Segment<S>> {
  const segments: Array<Segment<S>> = [];
  points.forEach((p, i) => {
    const last = segments.at(-1);
    if (last && last.status === p.status && points[last.to].period === p.period) last.to = i;
    else segments.push({ from: i, to: i, status: p.status });
  });
  return segments;
}

function describeSegment<S extends string>(points: ReadonlyArray<StripPoint<S>>, s: Segment<S>, style: StripStyle<S>): string {
  const first = points[s.from];
  const last = points[s.to];
  const when = (p: StripPoint<S>) => (p.period === 'day' ? p.at.slice(0, 10) : p.at.slice(0, 16).replace('T', ' '));
  const span = s.from === s.to ? when(first) : `${when(first)} to ${when(last)}`;
  const unit = first.period === 'day' ? (s.from === s.to ? 'day' : 'days') : (s.from === s.to ? 'run' : 'runs');
  const message = last.message && last.status !== style.best ? `; last: ${last.message}` : '';
  return `${span}: ${style.verb[s.status]} (${formatCount(s.to - s.from + 1)} ${unit}, worst of each)${message}`;
}

/** "last 168 runs: 8 warned, 160 passed; 359 days before: 2 worst failed, 357 all passed" */
export function summarizeStrip<S extends string>(points: ReadonlyArray<StripPoint<S>>, style: StripStyle<S>): string {
  const runs = points.filter((p) => p.period === 'run');
  const days = points.filter((p) => p.period === 'day');
  const parts: string[] = [];
  if (runs.length) parts.push(`last ${formatCount(runs.length)} runs: ${counts(runs, style)}`);
  if (days.length) parts.push(`${formatCount(days.length)} days before: ${counts(days, style, true)}`);
  return parts.join('; ') || 'no results';
}

function counts<S extends string>(points: ReadonlyArray<StripPoint<S>>, style: StripStyle<S>, byDay = false): string {
  const tally = new Map<S, number>();
  for (const p of points) tally.set(p.status, (tally.get(p.status) ?? 0) + 1);
  return style.order
    .filter((s) => tally.has(s))
    .map((s) => `${formatCount(tally.get(s)!)} ${byDay ? (s === style.best ? `all ${style.verb[s]}` : `worst ${style.verb[s]}`) : style.verb[s]}`)
    .join(', ');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

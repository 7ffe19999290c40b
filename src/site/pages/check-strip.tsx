// Each check's pass/warn/fail history as a strip: one cell per day before the last week, one per run in
// it, oldest on the left. Runs of cells with the same status are drawn as one rectangle, so a year of
// hourly results that mostly pass costs a handful of elements. The colour only repeats what the text says:
// each rectangle has a title, and the strip's description counts the statuses.
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import type { CheckHistory, CheckTrendPoint } from '../../state/history.js';
import type { CheckStatus } from '../../state/types.js';
import { CheckBadge, Table } from '../components.js';

const WIDTH = 480;
const HEIGHT = 18;
const FILL: Record<CheckStatus, string> = { pass: '#2da44e', warn: '#d4a72c', fail: '#cf222e', error: '#82071e' };
const VERB: Record<CheckStatus, string> = { pass: 'passed', warn: 'warned', fail: 'failed', error: 'could not run' };

export function CheckStrips({ checks, caption }: { checks: readonly CheckHistory[]; caption: string }): VNode {
  return (
    <Table caption={caption} columns={['Check', 'Table', 'Last', 'History (oldest on the left)', 'In this period']}>
      {checks.map((check) => {
        const last = check.points.at(-1);
        return (
          <tr>
            <th scope="row">{check.check}</th>
            <td>{check.table}</td>
            <td>{last ? <CheckBadge status={last.status} /> : '—'}</td>
            <td><CheckStrip history={check} /></td>
            <td>{summarize(check.points)}</td>
          </tr>
        );
      })}
    </Table>
  );
}

export function CheckStrip({ history }: { history: CheckHistory }): VNode {
  const points = history.points;
  const step = WIDTH / Math.max(points.length, 1);
  const segments = runLengths(points);
  const firstRun = points.findIndex((p) => p.period === 'run');
  return (
    <svg class="strip" role="img" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} preserveAspectRatio="none">
      <title>{`${history.check} on ${history.table}: ${summarize(points)}`}</title>
      {segments.map((s) => (
        <rect x={round(s.from * step)} y="0" width={round((s.to - s.from + 1) * step)} height={HEIGHT} fill={FILL[s.status]}>
          <title>{describeSegment(points, s)}</title>
        </rect>
      ))}
      {firstRun > 0 && <line x1={round(firstRun * step)} x2={round(firstRun * step)} y1="0" y2={HEIGHT} stroke="#1f2328" stroke-width="1" />}
    </svg>
  );
}

interface Segment {
  from: number;
  to: number;
  status: CheckStatus;
}

function runLengths(points: readonly CheckTrendPoint[]): Segment[] {
  const segments: Segment[] = [];
  points.forEach((p, i) => {
    const last = segments.at(-1);
    if (last && last.status === p.status && points[last.to].period === p.period) last.to = i;
    else segments.push({ from: i, to: i, status: p.status });
  });
  return segments;
}

function describeSegment(points: readonly CheckTrendPoint[], s: Segment): string {
  const first = points[s.from];
  const last = points[s.to];
  const when = (p: CheckTrendPoint) => (p.period === 'day' ? p.at.slice(0, 10) : p.at.slice(0, 16).replace('T', ' '));
  const span = s.from === s.to ? when(first) : `${when(first)} to ${when(last)}`;
  const unit = first.period === 'day' ? (s.from === s.to ? 'day' : 'days') : (s.from === s.to ? 'run' : 'runs');
  const message = last.message && last.status !== 'pass' ? `; last: ${last.message}` : '';
  return `${span}: ${VERB[s.status]} (${formatCount(s.to - s.from + 1)} ${unit}, worst of each)${message}`;
}

/** "168 runs: 160 passed, 8 warned; 359 days before: 2 with a failure" */
export function summarize(points: readonly CheckTrendPoint[]): string {
  const runs = points.filter((p) => p.period === 'run');
  const days = points.filter((p) => p.period === 'day');
  const parts: string[] = [];
  if (runs.length) parts.push(`last ${formatCount(runs.length)} runs: ${counts(runs)}`);
  if (days.length) parts.push(`${formatCount(days.length)} days before: ${counts(days, true)}`);
  return parts.join('; ') || 'no results';
}

function counts(points: readonly CheckTrendPoint[], byDay = false): string {
  const tally = new Map<CheckStatus, number>();
  for (const p of points) tally.set(p.status, (tally.get(p.status) ?? 0) + 1);
  const order: CheckStatus[] = ['error', 'fail', 'warn', 'pass'];
  return order.filter((s) => tally.has(s)).map((s) => `${formatCount(tally.get(s)!)} ${byDay ? `${s === 'pass' ? 'all passed' : `worst ${VERB[s]}`}` : VERB[s]}`).join(', ');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

// Each check's pass/warn/fail history as a strip (status-strip.tsx): one cell per day before the last week,
// one per run in it, oldest on the left, with the counts in text beside it.
import type { VNode } from 'preact';

import type { CheckHistory, CheckTrendPoint } from '../../state/history.js';
import type { CheckStatus } from '../../state/types.js';
import { CheckBadge, Table } from '../components.js';
import { StatusStrip, summarizeStrip, type StripStyle } from './status-strip.js';

const CHECK_STYLE: StripStyle<CheckStatus> = {
  fill: { pass: '#2da44e', warn: '#d4a72c', fail: '#cf222e', error: '#82071e' },
  verb: { pass: 'passed', warn: 'warned', fail: 'failed', error: 'could not run' },
  order: ['error', 'fail', 'warn', 'pass'],
  best: 'pass',
};

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
  return <StatusStrip points={history.points} title={`${history.check} on ${history.table}: ${summarize(history.points)}`} style={CHECK_STYLE} />;
}

/** "last 168 runs: 8 warned, 160 passed; 359 days before: 2 worst failed, 357 all passed" */
export function summarize(points: readonly CheckTrendPoint[]): string {
  return summarizeStrip(points, CHECK_STYLE);
}

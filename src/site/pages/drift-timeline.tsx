// Schema drift as a timeline, newest first: each change a batch of the last week saw (with its run), and
// before that one line per day, field and change. For the pipeline page, and for a table's page with the
// events of the resource the table is loaded from.
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import type { DriftEvent } from '../../state/history.js';
import { Table, Time } from '../components.js';
import { RunLink } from './run-history.js';

export function DriftTimeline({ events, caption, pages = new Set() }: { events: readonly DriftEvent[]; caption: string; pages?: ReadonlySet<string> }): VNode {
  if (events.length === 0) return <p>No schema drift in this period.</p>;
  return (
    <Table caption={caption} columns={['When', 'Resource', 'Field', 'Change', 'Type', 'Seen in']}>
      {[...events].reverse().map((e) => (
        <tr>
          <th scope="row">{e.period === 'day' ? e.at.slice(0, 10) : <Time iso={e.at} />}</th>
          <td>{e.resource}</td>
          <td><code>{e.path}</code></td>
          <td>{e.change.replace('_', ' ')}</td>
          <td>{e.old_type ?? '—'} → {e.new_type ?? '—'}</td>
          <td>{e.run_id ? <RunLink runId={e.run_id} pages={pages} /> : `${formatCount(e.batches)} ${e.batches === 1 ? 'batch' : 'batches'}`}</td>
        </tr>
      ))}
    </Table>
  );
}

/** The events of the resource a bronze or silver table is loaded from. */
export function driftOfResource(events: readonly DriftEvent[], pipeline: string, resource: string): DriftEvent[] {
  return events.filter((e) => e.pipeline === pipeline && e.resource === resource);
}

// A check's failing rows as the run kept them (sensitive columns were masked before they were kept), and
// the SQL that returns all of them, to copy into a worksheet.
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import type { CheckResult } from '../../state/types.js';
import { Table } from '../components.js';

export function CheckSamples({ checks }: { checks: readonly CheckResult[] }): VNode {
  const sampled = checks.filter((check) => check.status !== 'pass' && (check.samples?.length ?? 0) > 0);
  if (sampled.length === 0) return <p>No failing rows kept: every check passed, or kept none (samples: 0).</p>;
  return (
    <>
      {sampled.map((check) => {
        const samples = check.samples!;
        const columns = [...new Set(samples.flatMap((sample) => Object.keys(sample)))];
        return (
          <details class="check-samples">
            <summary>{check.check} on {check.table}: {formatCount(samples.length)} of {formatCount(check.failing_rows)} failing rows</summary>
            <Table caption={`Failing rows of ${check.check} kept by the run; sensitive columns masked`} columns={columns}>
              {samples.map((sample) => <tr>{columns.map((c) => <td>{cell(sample[c])}</td>)}</tr>)}
            </Table>
            {check.sql ? <><p>All of them:</p><pre><code>{check.sql}</code></pre></> : null}
          </details>
        );
      })}
    </>
  );
}

function cell(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

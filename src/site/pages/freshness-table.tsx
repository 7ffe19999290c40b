// Every table with its rows and how fresh it is: on the overview, on each pipeline page, and for late tables.
import type { VNode } from 'preact';

import type { FreshnessStatus, TableStatus } from '../../state/types.js';
import { formatCount, formatDuration } from '../../report/format.js';
import { FreshnessBadge, Link, Table, Time, type Column } from '../components.js';
import { pagePaths } from '../links.js';

/** `tablePages`: the tables that have a catalog page, each name then linking to it. */
export function FreshnessTable({ tables, caption, withPipeline, tablePages }: { tables: readonly TableStatus[]; caption: string; withPipeline: boolean; tablePages?: ReadonlySet<string> }): VNode {
  if (tables.length === 0) return <p>No tables reported.</p>;
  const columns: Column[] = ['Table', 'Layer', ...(withPipeline ? ['Pipeline'] : []), { label: 'Rows', numeric: true },
    'Last loaded', 'Freshness', 'Newest value', { label: 'Age', numeric: true }, 'SLA'];
  return (
    <Table caption={caption} columns={columns}>
      {tables.map((t) => (
        <tr>
          <th scope="row">{tablePages?.has(t.name) ? <Link to={pagePaths.table(t.name)}>{t.name}</Link> : t.name}</th>
          <td>{t.layer}</td>
          {withPipeline && <td>{t.pipeline ?? '—'}</td>}
          <td class="n">{formatCount(t.rows)}</td>
          <td><Time iso={t.last_loaded_at} /></td>
          <td><FreshnessBadge state={t.freshness?.state ?? null} /></td>
          <td>{t.freshness ? <>{t.freshness.field}: <Time iso={t.freshness.latest} /></> : '—'}</td>
          <td class="n">{t.freshness ? formatDuration(t.freshness.age_seconds) : '—'}</td>
          <td>{t.freshness ? slaText(t.freshness) : '—'}</td>
        </tr>
      ))}
    </Table>
  );
}

function slaText(freshness: FreshnessStatus): string {
  return `warn after ${formatDuration(freshness.warn_after_seconds)}, error after ${formatDuration(freshness.error_after_seconds)}`;
}

// A table's catalog page: what is in it (columns, types, descriptions), who answers for it, how it is
// checked and how fresh it must be, how big it is, how it is made (the model's SQL), and what it reads and
// feeds, each a link to that page.
import type { ComponentChildren, VNode } from 'preact';

import { formatCount, formatDuration } from '../../report/format.js';
import type { CatalogFreshness, CatalogTable } from '../catalog.js';
import { Badge, CheckBadge, Facts, FreshnessBadge, Link, Note, Section, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';
import { CheckSamples } from './check-samples.js';

/** What each materialisation means, in a reader's words. */
const KIND_TEXT: Record<string, string> = {
  append: 'appended: each fetch adds its records as received',
  merge_by_key: 'merged by key from new bronze batches (latest version wins)',
  scd2: 'merged by key from new bronze batches, keeping every version (valid_from, valid_to, is_current)',
  table: 'rebuilt from its SQL',
  view: 'a view: computed when read',
  incremental: 'incremental: a recent time window is recomputed on each run',
  incremental_by_batch: 'incremental by batch: only bronze batches it has not read are added',
};

export function TablePage({ table, trends, rejectedRows }: {
  table: CatalogTable;
  trends?: ComponentChildren;
  /** Rows of this table that meta.rejected keeps, when the rejected-rows explorer has a page for it. */
  rejectedRows?: number;
}): VNode {
  return (
    <>
      <h1>{table.name}</h1>
      {table.description ? table.description.split('\n\n').map((paragraph) => <p>{paragraph}</p>) : <p><Note>No description. Add one in {table.file}.</Note></p>}
      <Facts entries={[
        ['Layer', table.layer],
        ['Built', KIND_TEXT[table.kind] ?? table.kind],
        ['Owner', table.owners.length ? table.owners.join(', ') : <Note>none declared</Note>],
        ['Pipeline', table.pipeline ? <Link to={pagePaths.pipeline(table.pipeline)}>{table.pipeline}</Link> : <Note>none: a gold model is built by any run whose inputs changed</Note>],
        ['Declared in', <code>{table.file}</code>],
        ['Rows', table.rows === null ? <Note>{table.built ? 'not counted (a view)' : 'not built yet'}</Note> : <>{formatCount(table.rows)} <Note>when the site was generated</Note></>],
        ['Last loaded', <Time iso={table.last_loaded_at} />],
        ['Freshness SLA', table.freshness ? <Sla freshness={table.freshness} /> : <Note>none declared</Note>],
        ...(rejectedRows === undefined ? [] : [['Rejected rows', <>{formatCount(rejectedRows)} kept: <Link to={pagePaths.rejectedTable(table.name)}>by reason, with sample records</Link></>] as [string, VNode]]),
      ]} />
      <Section id="columns" heading="Columns">
        {table.columns.length === 0 ? <p>No columns known: the table is not built yet.</p> : (
          <Table caption={table.built ? `Columns of ${table.name} as built, in order` : `Columns of ${table.name} as declared (not built yet)`} columns={['Column', 'Type', 'Description']}>
            {table.columns.map((column) => (
              <tr>
                <th scope="row"><code>{column.name}</code></th>
                <td>{column.type ?? '—'}</td>
                <td>{column.description ?? ''}{column.mask && <>{column.description ? ' ' : ''}<Badge text="sensitive" tone="warn" /> <Note>shown masked ({column.mask})</Note></>}</td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section id="checks" heading="Checks">
        {table.checks.length === 0 ? <p>No checks declared on {table.name}.</p> : (
          <Table caption={`Checks declared on ${table.name}, with each one's result in the newest run that checked its pipeline`} columns={['Check', 'Severity', 'Last result', { label: 'Failing rows', numeric: true }, 'Message', 'Declared at']}>
            {table.checks.map((check) => (
              <tr>
                <th scope="row"><code>{check.name}</code></th>
                <td>{check.severity}</td>
                <td>{check.last ? <CheckBadge status={check.last.status} /> : <Badge text="not run" tone="muted" />}</td>
                <td class="n">{check.last ? formatCount(check.last.failing_rows) : '—'}</td>
                <td class="message">{check.last?.message ?? ''}</td>
                <td><code>{check.file}:{check.line}</code></td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      {table.checks.some((check) => check.last && check.last.status !== 'pass') && (
        <Section id="check-samples" heading="Failing rows of the checks">
          <CheckSamples checks={table.checks.flatMap((check) => (check.last ? [check.last] : []))} />
        </Section>
      )}
      {trends}
      <Section id="lineage" heading="Upstream and downstream">
        <Neighbours table={table} />
        <p><Link to={pagePaths.lineage}>The whole lineage</Link></p>
      </Section>
      {table.sql !== undefined && (
        <Section id="sql" heading="SQL">
          <p><Note>{table.file}, as written (Snowflake SQL)</Note></p>
          <pre class="sql"><code>{table.sql}</code></pre>
        </Section>
      )}
    </>
  );
}

function Sla({ freshness }: { freshness: CatalogFreshness }): VNode {
  return (
    <>
      {freshness.state !== undefined && <><FreshnessBadge state={freshness.state} /> </>}
      newest <code>{freshness.field}</code>: warn after {formatDuration(freshness.warn_after_seconds)}, error after {formatDuration(freshness.error_after_seconds)}
      {freshness.age_seconds !== undefined && freshness.age_seconds !== null && <> <Note>(now {formatDuration(freshness.age_seconds)} old)</Note></>}
    </>
  );
}

function Neighbours({ table }: { table: CatalogTable }): VNode {
  const tableLinks = (names: readonly string[]) => names.map((name) => <li><Link to={pagePaths.table(name)}>{name}</Link></li>);
  return (
    <dl class="facts">
      <dt>Reads</dt>
      <dd>{table.upstream.length ? <ul>{tableLinks(table.upstream)}</ul> : 'no tables'}</dd>
      <dt>Sources</dt>
      <dd>
        <ul>
          {table.sources.map((s) => <li><Link to={pagePaths.pipeline(s.pipeline)}>{s.pipeline}</Link> · {s.resource} <Note>({s.kind})</Note></li>)}
        </ul>
      </dd>
      <dt>Read by</dt>
      <dd>{table.downstream.length ? <ul>{tableLinks(table.downstream)}</ul> : 'no tables'}</dd>
      {table.reports.length > 0 && <>
        <dt>Report pages</dt>
        <dd><ul>{table.reports.map((r) => <li><Link to={r.path}>{r.title}</Link></li>)}</ul></dd>
      </>}
    </dl>
  );
}

// The rejected-rows explorer: an index of every table with rejected rows kept (counts by reason, the newest
// rejection), and a page per table with each reason in full, its count and its newest records, masked where
// a column is declared sensitive (src/site/rejected-input.ts masks them before they get here).
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import { MASK_RULES } from '../../governance/masking.js';
import { Facts, Link, Note, Section, Table, Time } from '../components.js';
import { pagePaths } from '../links.js';
import type { RejectedExplorer, RejectedTable, ShownSample } from '../rejected-input.js';
import { RunLink } from './run-history.js';

export function RejectedIndexPage({ explorer }: { explorer: RejectedExplorer | undefined }): VNode {
  if (explorer === undefined) return <><h1>Rejected rows</h1><p>The rejected rows were not read for this build.</p></>;
  const { tables } = explorer;
  return (
    <>
      <h1>Rejected rows</h1>
      <p>
        Records that could not become rows, kept in <code>meta.rejected</code> with the reasons they were refused: by silver
        (a value missing, of the wrong type, out of range) or before bronze (not UTF-8, nested too deep). Each table's page
        shows each reason's newest records; values of columns declared sensitive are masked.
      </p>
      {tables.length === 0 ? <p>No rejected rows are kept.</p> : (
        <Table caption={`${tables.length} ${tables.length === 1 ? 'table' : 'tables'} with rejected rows kept, by name; a row with two reasons counts under each`}
          columns={['Table', 'Pipeline', { label: 'Rows', numeric: true }, 'By reason', 'Newest rejection']}>
          {tables.map((t) => (
            <tr>
              <th scope="row"><Link to={pagePaths.rejectedTable(t.table)}>{t.table}</Link></th>
              <td><Link to={pagePaths.pipeline(t.pipeline)}>{t.pipeline}</Link></td>
              <td class="n">{formatCount(t.rows)}</td>
              <td class="message"><ul class="plain">{t.reasons.map((r) => <li><code>{r.reason}</code> {formatCount(r.rows)}</li>)}</ul></td>
              <td><Time iso={t.newest_at} /></td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export function RejectedTablePage({ table, samplesPerReason, runPages, tablePages }: {
  table: RejectedTable;
  samplesPerReason: number;
  /** Runs that have a page of their own. */
  runPages: ReadonlySet<string>;
  /** Tables that have a catalog page. */
  tablePages: ReadonlySet<string>;
}): VNode {
  return (
    <>
      <p class="crumb"><Link to={pagePaths.rejected}>← All rejected rows</Link></p>
      <h1>Rejected rows of {table.table}</h1>
      <Facts entries={[
        ['Table', tablePages.has(table.table) ? <Link to={pagePaths.table(table.table)}>{table.table}</Link> : table.table],
        ['Pipeline', <Link to={pagePaths.pipeline(table.pipeline)}>{table.pipeline}</Link>],
        ['Rows kept', <>{formatCount(table.rows)} <Note>in meta.rejected when the site was generated</Note></>],
        ['Newest rejection', <Time iso={table.newest_at} />],
        ['Masked', table.masked.length === 0
          ? <Note>no column of this table's records is declared sensitive</Note>
          : <ul class="plain">{table.masked.map((m) => <li><code>{m.column}</code>: {m.rule}, {MASK_RULES[m.rule].describe}</li>)}</ul>],
      ]} />
      <Table caption={`Rows of ${table.table} kept, by reason, most first; a row with two reasons counts under each`} columns={['Reason', 'What it means', { label: 'Rows', numeric: true }, 'Newest']}>
        {table.reasons.map((r, i) => (
          <tr>
            <th scope="row"><a href={`#${reasonId(i)}`}><code>{r.reason}</code></a></th>
            <td class="message">{explainReason(r.reason)}</td>
            <td class="n">{formatCount(r.rows)}</td>
            <td><Time iso={r.newest_at} /></td>
          </tr>
        ))}
      </Table>
      {table.reasons.map((r, i) => {
        const samples = table.samples.get(r.reason) ?? [];
        return (
          <Section id={reasonId(i)} heading={r.reason}>
            <p>{explainReason(r.reason)}. {formatCount(r.rows)} {r.rows === 1 ? 'row' : 'rows'}; {samples.length < r.rows ? `the newest ${samples.length} are below, newest first (a page shows at most ${samplesPerReason} a reason)` : samples.length === 1 ? 'it is below' : `all ${samples.length} are below, newest first`}.</p>
            {samples.map((s, n) => <Sample sample={s} label={`${r.reason}, record ${n + 1} of ${samples.length}`} runPages={runPages} />)}
          </Section>
        );
      })}
    </>
  );
}

function Sample({ sample, label, runPages }: { sample: ShownSample; label: string; runPages: ReadonlySet<string> }): VNode {
  return (
    <article class="sample" aria-label={label}>
      <Facts entries={[
        ['Rejected at', <Time iso={sample.rejected_at} />],
        ['Run', <RunLink runId={sample.run_id} pages={runPages} />],
        ['Batch', <code>{sample.batch_id}</code>],
        ...(sample.element_index === null ? [] : [['Element', `index ${sample.element_index} of its record's array`] as [string, string]]),
        ['Reasons', <>{sample.reasons.map((reason, i) => <>{i > 0 && ', '}<code>{reason}</code></>)}</>],
      ]} />
      {sample.note && <p><Note>{sample.note}</Note></p>}
      {sample.text !== null && <pre class="record"><code>{sample.text}</code></pre>}
    </article>
  );
}

function reasonId(index: number): string {
  return `reason-${index + 1}`;
}

/** A reason code in a reader's words (README, "Silver columns", and the ingest's reasons before bronze). */
export function explainReason(reason: string): string {
  const colon = reason.indexOf(':');
  const [code, subject] = colon < 0 ? [reason, ''] : [reason.slice(0, colon), reason.slice(colon + 1)];
  const explain: Record<string, string> = {
    missing_required: `The required column ${subject} has no value`,
    missing_key: `The key column ${subject} has no value`,
    invalid_type: `The value for ${subject}, or its text, does not convert to the column's type or is outside it`,
    out_of_range: `The value for ${subject} is below its min or above its max`,
    pattern_mismatch: `The value for ${subject} does not match the column's pattern`,
    explode_not_array: `The explode path ${subject} is not an array`,
    invalid_utf8: 'The record has bytes that are not UTF-8',
    too_deep: 'Its arrays and objects nest more than 1,000 deep',
  };
  return explain[code] ?? 'A reason this version does not describe';
}
